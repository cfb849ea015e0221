"""Crisis language always gets helplines at once; everyday idioms never do."""

from __future__ import annotations

import pytest

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.dialog.safety import is_crisis

CRISIS = [
    "i want to kill myself",
    "i want to kill my self",
    "sometimes i think about killing myself",
    "i don't want to be alive anymore",
    "i dont want to live anymore",
    "i keep thinking about ending my life",
    "i want to end my life",
    "i want to die",
    "um i just wanna die",
    "i wish i was dead",
    "my family would be better off without me",
    "my kids would be better off without me",
    "i have thoughts of hurting my baby",
    "i'm scared i will hurt the baby",
    "im afraid ill hurt the baby",
    "i feel like shaking the baby",
    "i want to hurt myself",
    "i've been cutting myself again",
    "i have been having suicidal thoughts",
    "i'm feeling suicidal",
    "i can't go on anymore",
    "i hope i don't wake up tomorrow",
    "i thought about ending it all",
    "sometimes i want to smother her with a pillow my baby i mean i want to smother my baby",
    "i could hurt my son",
    "so today was hard and honestly i just want to die and nobody knows",
]

NOT_CRISIS = [
    "this recipe is killing me",
    "my feet are killing me",
    "my back is killing me",
    "i'm dead tired",
    "i am dead on my feet",
    "i could die of embarrassment",
    "i'm dying to sit down",
    "i nearly died laughing",
    "she is killing it at school",
    "i would never hurt my baby",
    "the baby hit me in the face",
    "i yelled at my kids",
    "i killed the spider in the bathroom",
    "the plants died while we were away",
    "i am so tired i could sleep for a week",
    "the baby hurt himself on the table",
    "i cut myself a slice of cake",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_language_is_caught(text: str, dialog: Dialog) -> None:
    assert is_crisis(text)
    reply = Conversation(dialog).respond(text)
    assert reply.category == "crisis"
    assert "988" in reply.text and "1-833-852-6262" in reply.text and "911" in reply.text


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_idioms_do_not_trigger(text: str, dialog: Dialog) -> None:
    assert not is_crisis(text)
    assert Conversation(dialog).respond(text).category != "crisis"


def test_crisis_mid_flow_then_stays_supportive(conversation: Conversation) -> None:
    first = conversation.respond("i feel so guilty")
    assert first.response_id == "triage"
    crisis = conversation.respond("honestly i want to die")
    assert crisis.category == "crisis"
    # The pending guilt-or-shame question is dropped; no jump back to mantras afterwards.
    for text in ("something i did", "give me a mantra", "i yelled at my kids", "another"):
        reply = conversation.respond(text)
        assert reply.category in {"support", "command"}, (text, reply)
        assert "988" in reply.text or "1-833-852-6262" in reply.text


def test_crisis_check_cannot_be_disabled_by_scripts(dialog: Dialog) -> None:
    # Even text that a script example would match gets the crisis reply first.
    reply = Conversation(dialog).respond("give me a mantra i want to kill myself")
    assert reply.category == "crisis"


def test_breathing_and_commands_still_work_after_crisis(conversation: Conversation) -> None:
    conversation.respond("i want to hurt myself")
    assert conversation.respond("help me breathe").category == "breathing"
    repeat = conversation.respond("say that again")
    assert repeat.command == "repeat"
