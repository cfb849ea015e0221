"""Recognition-slip variants of training lines: what a speech recogniser makes of words."""

from __future__ import annotations

import hashlib
import random

SPLITS = {
    "myself": "my self",
    "yourself": "your self",
    "herself": "her self",
    "alive": "a live",
    "without": "with out",
    "cannot": "can not",
    "nobody": "no body",
    "anymore": "any more",
    "everyone": "every one",
    "someone": "some one",
    "maybe": "may be",
    "tonight": "to night",
    "today": "to day",
    "forever": "for ever",
    "into": "in to",
    "overwhelmed": "over whelmed",
    "killing": "kill in",
    "ending": "end in",
    "breathing": "breath in",
    "bedtime": "bed time",
    "weekend": "week end",
    "burden": "burn den",
    "repeat": "re peat",
    "faster": "fast her",
    "slower": "slow her",
    "quieter": "quiet her",
    "louder": "loud her",
    "goodbye": "good buy",
}
"""Whole words a recogniser hears as two."""

JOINS = {"a lot": "alot", "at all": "atall", "i am": "im", "do not": "dont", "can not": "cant"}
"""Word pairs run together."""

SOUNDALIKES = {
    "die": "dye",
    "dying": "dyeing",
    "here": "hear",
    "know": "no",
    "right": "write",
    "for": "four",
    "to": "two",
    "too": "to",
    "there": "their",
    "whole": "hole",
    "week": "weak",
    "son": "sun",
    "morning": "mourning",
    "guilt": "gilt",
    "night": "knight",
    "piece": "peace",
    "would": "wood",
    "mum": "mom",
    "mom": "mum",
    "pills": "pils",
    "be": "bee",
    "our": "are",
    "tired": "tied",
    "breathe": "breed",
    "counsellor": "councillor",
    "wait": "weight",
    "hurt": "heard",
    "kill": "kale",
    "bye": "by",
    "louder": "lauder",
}
"""Words heard as another word that sounds alike."""

SHORT_WORDS = frozenset({"a", "the", "to", "i", "of", "and", "is", "it", "my", "am", "at"})
"""Little words a recogniser often drops."""


def _seeded(text: str) -> random.Random:
    """The same text always gets the same slips, in every process."""
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def _swap(words: list[str], table: dict[str, str], rng: random.Random) -> list[str]:
    spots = [i for i, w in enumerate(words) if w in table]
    if not spots:
        return words
    i = rng.choice(spots)
    return [*words[:i], *table[words[i]].split(), *words[i + 1 :]]


def _join(words: list[str], rng: random.Random) -> list[str]:
    spots = [i for i in range(len(words) - 1) if f"{words[i]} {words[i + 1]}" in JOINS]
    if not spots:
        return words
    i = rng.choice(spots)
    return [*words[:i], JOINS[f"{words[i]} {words[i + 1]}"], *words[i + 2 :]]


def _drop(words: list[str], rng: random.Random) -> list[str]:
    spots = [i for i, w in enumerate(words) if w in SHORT_WORDS]
    if not spots or len(words) < 4:
        return words
    i = rng.choice(spots)
    return words[:i] + words[i + 1 :]


def every_variant(text: str) -> list[str]:
    """Each way one word of a short phrase can be misheard (split, or a soundalike)."""
    words = text.split()
    found = []
    for i, word in enumerate(words):
        for table in (SPLITS, SOUNDALIKES):
            if word in table:
                found.append(" ".join([*words[:i], table[word], *words[i + 1 :]]))
    return found


def variant(text: str) -> str | None:
    """One slipped version of a line (lowercase, no punctuation), or None if none applies."""
    words = "".join(c if c.isalnum() or c in " '" else " " for c in text.lower()).split()
    rng = _seeded(text)
    slipped = words
    for change in rng.sample(("split", "sound", "join", "drop"), k=2):
        if change == "split":
            slipped = _swap(slipped, SPLITS, rng)
        elif change == "sound":
            slipped = _swap(slipped, SOUNDALIKES, rng)
        elif change == "join":
            slipped = _join(slipped, rng)
        else:
            slipped = _drop(slipped, rng)
    return " ".join(slipped) if slipped != words else None
