"""The matcher on labelled speech it was not given, and every script example on itself."""

from __future__ import annotations

from collections import Counter

import pytest

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation

from .conftest import labelled


def accuracy(dialog: Dialog, name: str) -> tuple[float, list[str]]:
    rows = labelled(name)
    misses = []
    for category, text in rows:
        got = Conversation(dialog).respond(text).category
        if got != category:
            misses.append(f"{category} -> {got}: {text}")
    return 1 - len(misses) / len(rows), misses


@pytest.mark.parametrize("name", ["utterances.tsv", "heldout.tsv"])
def test_labelled_accuracy_is_at_least_90_percent(dialog: Dialog, name: str) -> None:
    score, misses = accuracy(dialog, name)
    assert score >= 0.90, "\n".join(misses)


def test_labelled_set_is_large_and_covers_every_category() -> None:
    rows = labelled("utterances.tsv") + labelled("heldout.tsv")
    assert len(rows) >= 200
    counts = Counter(category for category, _ in rows)
    assert all(counts[c] >= 5 for c in counts), counts
    assert len(counts) == 13


def test_labelled_utterances_are_not_copied_from_the_scripts(dialog: Dialog) -> None:
    examples = {dialog.normalizer.clean(e) for i in dialog.scripts.intents for e in i.examples}
    copied = [
        t
        for _, t in labelled("utterances.tsv") + labelled("heldout.tsv")
        if dialog.normalizer.clean(t) in examples and len(t.split()) > 3
    ]
    assert not copied


def test_every_script_example_reaches_its_own_intent(dialog: Dialog) -> None:
    wrong = []
    for intent in dialog.scripts.intents:
        for example in intent.examples:
            reply = Conversation(dialog).respond(example)
            if reply.intent != intent.id:
                wrong.append(f"{intent.id}: {example!r} -> {reply.intent}")
    assert not wrong, "\n".join(wrong)


def test_every_step_answer_reaches_its_reply(dialog: Dialog) -> None:
    for step_id, step in dialog.scripts.steps.items():
        opener = next(r for r in dialog.scripts.responses.values() if r.ask == step_id)
        trigger = next(i for i in dialog.scripts.intents if i.reply == opener.id)
        for answer in step.answers:
            for example in answer.examples:
                conversation = Conversation(dialog)
                conversation.respond(trigger.examples[0])
                assert conversation.respond(example).response_id == answer.reply, example


def test_robust_to_recognition_quirks(dialog: Dialog) -> None:
    said = {
        "um so uh i yelled at my kids this mourning": "yelled",
        "i keep being so hard on my self": "harsh_inner_voice",
        "i'm a terrible mom": "bad_mom",
        "im a terrible mom": "bad_mom",
        "so basically what happened was we were running late and the baby would not eat and "
        "my oldest could not find his shoes and i just totally lost my temper and screamed at "
        "him in the hallway and now he is at school and i feel sick about it": "yelled",
    }
    for text, intent in said.items():
        assert Conversation(dialog).respond(text).intent == intent, text
