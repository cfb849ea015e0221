"""Property: the engine answers any text at all, in any order, and never raises."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.dialog.schema import CATEGORIES

WORDS = st.sampled_from(
    [
        "i",
        "my",
        "kids",
        "yelled",
        "guilty",
        "terrible",
        "mom",
        "stop",
        "another",
        "repeat",
        "kill",
        "myself",
        "baby",
        "breathe",
        "mantra",
        "um",
        "uh",
        "not",
        "enough",
        "should",
        "work",
        "tired",
        "who",
        "am",
        "the",
        "problem",
        "something",
        "did",
    ]
)
UTTERANCE = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=40).map(" ".join),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", errors="replace")),
)


@given(turns=st.lists(UTTERANCE, min_size=1, max_size=8), seed=st.integers(0, 2**16))
@settings(max_examples=150, deadline=None)
def test_engine_never_raises(dialog: Dialog, turns: list[str], seed: int) -> None:
    conversation = Conversation(dialog, random.Random(seed))
    for text in turns:
        reply = conversation.respond(text)
        assert reply.text.strip()
        assert reply.category in CATEGORIES
