"""Recognition slips and everyday idioms read as meant, before anything tries to understand
the words: 'a live' is 'alive', 'this is killing me' is not a crisis."""

from __future__ import annotations

import re

from .normalize import Normalizer

_SLIPS = (
    (re.compile(r"\bmy self\b"), "myself"),
    (re.compile(r"\ba live\b"), "alive"),
    (re.compile(r"\bwith out\b"), "without"),
    (re.compile(r"\bkill in\b"), "killing"),
    (re.compile(r"\bend in (?=it all|my life)"), "ending "),
    (re.compile(r"\b(?:dye|di)\b"), "die"),
    (re.compile(r"\bdyeing\b"), "dying"),
    (re.compile(r"\b(?:be|being|stay|staying) hear\b"), "be here"),
    (re.compile(r"\bsue aside\b|\bsue icide\b"), "suicide"),
    (re.compile(r"\bburn den\b"), "burden"),
    (re.compile(r"\b(every|some) (body|one)\b|\b(no) (body)\b"), r"\1\3\2\4"),
)
"""Recogniser slips that split or swap the words that matter most."""

_IDIOMS = (
    (
        re.compile(
            r"\b(?:would|could|i would|i could) (?:literally |honestly )?(?:kill|murder) for\b"
        ),
        "would love",
    ),
    (re.compile(r"\b(?:kill|murder) for (?:a|an|some|one)\b"), "love a"),
    (re.compile(r"\b(?:could|would) (?:murder|kill) (?:a|an|some)\b"), "would love a"),
    (
        re.compile(r"\b((?:be |is |are )?(?:going to be |gonna be )?)the death of me\b"),
        r"\1wearing me out",
    ),
    (re.compile(r"\bdying (?:for|to)\b"), "longing for"),
    (re.compile(r"\b(?:is|are|it is) killing me\b"), "wears me out"),
    (re.compile(r"\bdead (?:on my feet|tired)\b"), "exhausted"),
    (
        re.compile(r"\b(?:would|will|is going to|are going to) (?:kill|murder) me (?:if|when)\b"),
        "would be cross if",
    ),
    (
        re.compile(
            r"\b(?:(?:just|someone|somebody) )?(?:shoot|kill) me now\b"
            r"|\b(?:just|someone|somebody) shoot me\b"
        ),
        "i am at the end of my tether",
    ),
    (re.compile(r"\b(?:a )?dead (?:woman|man|mum|mom) walking\b"), "in so much trouble"),
    (
        re.compile(r"\b(?:die|died|dying) (?:of|from) (?:embarrassment|shame|laughing)\b"),
        "felt embarrassed",
    ),
    (re.compile(r"\bdie a little\b"), "sink"),
    (
        re.compile(
            r"\b(?:i )?(?:will|am going to|going to|gonna|could|would) (?:honestly |literally )?"
            r"(?:kill|strangle|murder|throttle) (?:him|her|them|my (?:husband|partner|ex|manager"
            r"|boss|sister|brother|mum|mom|mother in law)|whoever)\b"
        ),
        "i am so cross with him",
    ),
    (re.compile(r"\b(?:nearly|almost) died\b"), "got such a fright"),
    (re.compile(r"\b(gave|give|giving|gives) out to\b"), r"\1 a telling off to"),
    (re.compile(r"\b(?:nearly|almost) killed me\b"), "was so hard on me"),
    (re.compile(r"\bover my dead body\b"), "absolutely not"),
    (
        re.compile(r"\bi am (?:literally |actually |so |just )?dead\b(?! inside| weight| to)"),
        "i am exhausted",
    ),
    (re.compile(r"\blike i am (?:going to|gonna|about to) die\b"), "like i am panicking"),
    (re.compile(r"\bjump out of my skin\b"), "be so on edge"),
    (re.compile(r"\bthe world (?:will|is going to|would) end\b"), "it is a disaster"),
    (re.compile(r"\b(worried|bored|scared|sick|frightened) to death\b"), r"so \1"),
)
"""Figures of speech that sound like harm and are not: read as what they mean first."""


def tidy(text: str) -> str:
    """Words, with the slips that hide crisis words mended and idioms read as meant."""
    words = Normalizer.words(text)
    for pattern, replacement in (*_SLIPS, *_IDIOMS):
        words = pattern.sub(replacement, words)
    return words


_REPEAT = re.compile(r"\b((?:\w+ ){0,2}\w+)(?: \1\b)+")


def without_repeats(words: str) -> str:
    """Tidied words with a stammered run said once ("he gets he gets rough" -> "he gets
    rough"), so a pattern is not broken by it. Not for the model: "night night" and
    "bye bye" mean what they say twice."""
    return _REPEAT.sub(r"\1", words)
