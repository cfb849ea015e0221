"""Tidy recognised or typed text: lowercase words, contractions expanded, slips corrected."""

from __future__ import annotations

import re

from .schema import Vocabulary

_NON_WORD = re.compile(r"[^a-z0-9']+")
_CONTRACTIONS = (
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bain't\b"), "am not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'s\b"), ""),
    (re.compile(r"'"), ""),
)
_BARE_CONTRACTIONS = {
    "dont": "do not",
    "cant": "can not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "werent": "were not",
    "wont": "will not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "arent": "are not",
    "aint": "am not",
    "im": "i am",
    "ive": "i have",
    "youre": "you are",
    "theyre": "they are",
    "thats": "that is",
    "theres": "there is",
    "whats": "what is",
    "lets": "let us",
    "wanna": "want to",
    "gonna": "going to",
    "hes": "he",
    "shes": "she",
    "whos": "who",
    "youll": "you will",
    "theyll": "they will",
    "itll": "it will",
    "youve": "you have",
    "weve": "we have",
    "theyve": "they have",
    "shouldve": "should have",
    "wouldve": "would have",
    "couldve": "could have",
}
"""Contractions typed or recognised without their apostrophe ("he's" reads as "he")."""

_VERBS = (
    r"be|have|go|do|get|make|take|just|never|rather|really|quite|love|like|hate|kill|murder"
    r"|strangle|throttle|die|scream|cry|lose|end|run|leave|give|feel|want|need|try|say|tell"
    r"|sleep|walk|drive|jump|not|sell|better"
)
_BARE_WILL_WOULD = (
    (re.compile(rf"\bill (?=(?:{_VERBS})\b)"), "i will "),
    (re.compile(rf"\bid (?=(?:{_VERBS})\b)"), "i would "),
)
"""'ill' and 'id' without the apostrophe: 'i will' and 'i would' only before a verb, as
'ill' (unwell) and 'id' (a card) are words too."""


def _phrase_regex(phrases: list[str]) -> re.Pattern[str] | None:
    """One regex matching any of the phrases as whole words, longest first."""
    if not phrases:
        return None
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


class Normalizer:
    """Cleans text the same way for scripts' examples and for what the user said."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._corrections = {self.words(k): self.words(v) for k, v in vocabulary.corrections}
        self._correct = _phrase_regex(list(self._corrections))
        self._fillers = _phrase_regex([self.words(f) for f in vocabulary.fillers])

    @staticmethod
    def words(text: str) -> str:
        """Lowercase words, contractions expanded, punctuation gone, single spaces. Works on
        text of any length: callers cut it where they need to."""
        text = text.lower().replace("\u2019", "'")
        text = _NON_WORD.sub(" ", text)
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
        text = " ".join(_BARE_CONTRACTIONS.get(word, word) for word in text.split())
        for pattern, replacement in _BARE_WILL_WOULD:
            text = pattern.sub(replacement, text)
        return text

    def clean(self, text: str) -> str:
        """Words with recognition slips corrected and fillers removed."""
        text = self.words(text)
        if self._correct is not None:
            text = self._correct.sub(lambda m: self._corrections[m.group(0)], text)
        if self._fillers is not None:
            text = self._fillers.sub(" ", text)
        return " ".join(text.split())
