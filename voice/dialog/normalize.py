"""Turn recognised speech (lowercase, no punctuation, fillers, slips) into matchable tokens."""

from __future__ import annotations

import itertools
import re
import threading
from functools import lru_cache

import Stemmer

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
}
"""Contractions typed or recognised without their apostrophe."""
MAX_CHARS = 4000
"""Longer input is cut here: nobody says more than this in one breath."""


_STEMMER = Stemmer.Stemmer("english")
_STEM_LOCK = threading.Lock()


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The English stem of one word (memoised; the stemmer itself is not thread-safe)."""
    with _STEM_LOCK:
        return str(_STEMMER.stemWord(word))


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
        self._stopwords = frozenset(self._stem_all(self.words(w)) for w in vocabulary.stopwords)
        self._synonyms: dict[str, str] = {}
        for canonical, variants in vocabulary.synonyms:
            for variant in (canonical, *variants):
                self._synonyms[self._stem_all(self.words(variant))] = canonical.replace(" ", "_")
        self._synonym = _phrase_regex(list(self._synonyms))

    @staticmethod
    def stemmed(text: str) -> str:
        """Words, each stemmed: how synonym phrases are compared."""
        return " ".join(stem(w) for w in Normalizer.words(text).split())

    @staticmethod
    def words(text: str) -> str:
        """Lowercase words, contractions expanded, punctuation gone, single spaces."""
        text = text[:MAX_CHARS].lower().replace("\u2019", "'")
        text = _NON_WORD.sub(" ", text)
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
        return " ".join(_BARE_CONTRACTIONS.get(word, word) for word in text.split())

    def clean(self, text: str) -> str:
        """Words with recognition slips corrected and fillers removed."""
        text = self.words(text)
        if self._correct is not None:
            text = self._correct.sub(lambda m: self._corrections[m.group(0)], text)
        if self._fillers is not None:
            text = self._fillers.sub(" ", text)
        return " ".join(text.split())

    @staticmethod
    def _stem_all(words: str) -> str:
        return " ".join(stem(w) for w in words.split())

    def tokens(self, text: str) -> list[str]:
        """Stemmed content tokens, synonyms folded to their canonical name."""
        stemmed = " ".join(stem(w) for w in self.clean(text).split())
        if self._synonym is not None:
            # Twice, so 'horrible mother' -> 'horribl mom' -> 'bad_mom'.
            for _ in range(2):
                stemmed = self._synonym.sub(lambda m: self._synonyms[m.group(0)], stemmed)
        kept = [t for t in stemmed.split() if t not in self._stopwords]
        return [t for i, t in enumerate(kept) if i == 0 or kept[i - 1] != t]

    def features(self, text: str) -> frozenset[str]:
        """Tokens plus adjacent pairs, so 'not enough' differs from 'enough'."""
        toks = self.tokens(text)
        pairs = (f"{a}+{b}" for a, b in itertools.pairwise(toks))
        return frozenset((*toks, *pairs))
