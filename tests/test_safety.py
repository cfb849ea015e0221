"""The crisis check and the crisis flow: recall first, kinds, countries, safe endings."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from voice.dialog.crisis import all_replies, load_helplines, spoken_words
from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.dialog.loader import ScriptError
from voice.dialog.safety import is_crisis, pattern_kind

from .conftest import ROOT

EXPLICIT = [
    ("honestly i feel like such a drain on my family", "crisis_self"),
    ("just a burden on everybody", "crisis_self"),
    ("i want to kill myself", "crisis_self"),
    ("i want to kill my self", "crisis_self"),
    ("i dont want to be a live anymore", "crisis_self"),
    ("i would rather dye honestly", "crisis_self"),
    ("i want to sleep and never wake up", "crisis_self"),
    ("they would all be happier without me", "crisis_self"),
    ("ive been counting my tablets", "crisis_self"),
    ("i keep picturing hurting the baby", "crisis_baby"),
    ("i do not trust myself alone with the baby", "crisis_baby"),
    ("he choked me and i am scared to go home", "crisis_danger"),
    ("im sat in the car with the engine running in the garage", "crisis_self"),
    ("im just dead weight to all of them", "crisis_self"),
    ("i keep staring at the train tracks on the way home", "crisis_self"),
    ("i feel like such a burn den to everyone", "crisis_self"),
    ("when he drinks he gets rough and i hide the bruises", "crisis_danger"),
    ("my partner gets violent when the kids are asleep", "crisis_danger"),
    ("some days i want to disappear and not for a weekend away, for good", "crisis_self"),
    ("i wish id never woken up this morning", "crisis_self"),
    ("my husband only threw his mug at my head the once", "crisis_danger"),
    ("he came in drunk and pinned me against the fridge", "crisis_danger"),
    ("last night he had me up by the throat in the hall", "crisis_danger"),
    ("honestly i'm jealous of people who have died", "crisis_self"),
    ("when he drinks he gets he gets violent", "crisis_danger"),
    ("i do not trust myself alone with with the baby", "crisis_baby"),
    ("once everyone had gone home my husband dragged me upstairs by my hair", "crisis_danger"),
]


@pytest.mark.parametrize(("text", "kind"), EXPLICIT)
def test_explicit_words_and_their_slips_are_caught_by_kind(text: str, kind: str) -> None:
    assert pattern_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "this laundry is killing me",
        "i could murder a coffee",
        "i cut myself a slice",
        "she threw her porridge at my head this morning",
        "i wish i could disappear into a hot bath for an hour",
        "the baby grabbed me by the hair and would not let go",
    ],
)
def test_idioms_are_not_explicit_crisis_words(text: str) -> None:
    assert not is_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "this is killing me",
        "i could murder a coffee",
        "im dead on my feet",
        "i nearly died laughing at her",
        "these two will be the death of me",
        "shoot me now",
        "honestly just kill me now",
        "my manager is going to kill me if this report is late",
        "im a dead woman walking if i forget her costume again",
        "ill kill him if he wakes the baby one more time",
        "over my dead body",
        "i could kill him he left the wet towels on the floor again",
        "im literally dead after that school run",
        "my heart is pounding like im going to die",
    ],
)
def test_idioms_get_no_crisis_reply_and_no_question(dialog: Dialog, text: str) -> None:
    assert Conversation(dialog).respond(text).category != "crisis"


def test_crisis_at_the_end_of_a_very_long_turn(dialog: Dialog) -> None:
    text = "so the school run was fine and then dinner " * 600 + "honestly i want to die"
    assert len(text) > 20_000
    assert Conversation(dialog).respond(text).category == "crisis"


def test_crisis_then_safe_then_an_ordinary_request(dialog: Dialog) -> None:
    talk = Conversation(dialog, random.Random(1))
    first = talk.respond("i want to end my life")
    assert first.category == "crisis" and "988" in first.text and first.text.endswith("?")
    assert talk.respond("im okay i was just venting").response_id == "crisis_safe"
    assert talk.respond("give me a mantra").category == "mantra"


def test_not_safe_gets_the_numbers_again(dialog: Dialog) -> None:
    talk = Conversation(dialog, random.Random(2))
    talk.respond("i want to die")
    again = talk.respond("no")
    assert again.category == "crisis" and "988" in again.text


def test_a_goodbye_with_a_reason_after_the_crisis_reply_hears_the_numbers_again(
    dialog: Dialog,
) -> None:
    talk = Conversation(dialog, random.Random(3))
    talk.respond("i dont want to be alive anymore")
    again = talk.respond("bye for now i have to get the kids from school")
    assert again.response_id == "crisis_stay" and "988" in again.text
    assert talk.respond("good buy").command == "goodbye"


def test_each_kind_gets_its_own_numbers(dialog: Dialog) -> None:
    baby = Conversation(dialog).respond("i keep having thoughts of smothering my baby")
    assert baby.intent == "crisis_baby" and "1-833-852-6262" in baby.text
    danger = Conversation(dialog).respond("my husband strangled me last night")
    assert danger.intent == "crisis_danger" and "1-800-799-7233" in danger.text


@pytest.mark.parametrize(
    ("country", "own", "other"), [("GB", "116 123", "988"), ("AU", "000", "911")]
)
def test_country_numbers(dialog: Dialog, country: str, own: str, other: str) -> None:
    reply = Conversation(dialog, country=country).respond("i want to kill myself")
    assert own in reply.text and other not in reply.text


def test_goodbye_ends_the_conversation(dialog: Dialog) -> None:
    talk = Conversation(dialog)
    talk.respond("i want to kill myself")
    talk.respond("goodbye")
    assert talk.ended


def test_every_crisis_line_is_short_for_every_country(dialog: Dialog) -> None:
    for lines in dialog.helplines.values():
        for text in all_replies(lines):
            assert spoken_words(text) <= 30, text


def test_a_country_without_emergency_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "helplines.yaml"
    path.write_text("XX:\n  crisis: {name: a line, number: '123', source: x}\n")
    with pytest.raises(ScriptError) as info:
        load_helplines(path)
    assert info.value.problems[0].startswith(f"{path}:1: XX: missing required key 'emergency'")


def test_crisis_far_past_the_line_limit_of_the_json_interface() -> None:
    # One typed line of 340 KB: understood from its first 64 KB, but the crisis check reads
    # every piece of the rest.
    line = b"i had a long day " * 20_000 + b"and honestly i want to kill myself " + b"la " * 999
    result = subprocess.run(
        [sys.executable, "-m", "voice", "classify"],
        input=line + b"\nhello\n",
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    first, second = (json.loads(x) for x in result.stdout.decode().splitlines())
    assert first["category"] == "crisis" and second["intent"] == "hello"
    assert "understood from its first 65,536 bytes" in result.stderr.decode()


def test_the_excerpt_kept_from_an_overlong_line_finds_stammered_crisis_words() -> None:
    from voice.dialog.safety import crisis_excerpt

    said = "honestly " * 40 + "i do not trust myself alone with with the baby " + "and then " * 40
    excerpt = crisis_excerpt(said)
    assert excerpt is not None and "trust myself alone with the baby" in excerpt
