"""Word and letter n-grams of tidied text, weighted by how rare they were in training.

The sentence vector knows what words mean; these features keep what they are spelled like,
which holds up when speech recognition bends a word or a phrase is rare. Pure numpy, so
using a trained model costs no more than a dictionary lookup per n-gram."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WORD_SIZES = (1, 2)
LETTER_SIZES = (3, 4, 5)
MIN_LINES = 2
"""An n-gram must occur in at least this many training lines to be kept."""


def _word_grams(words: list[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for size in WORD_SIZES:
        for i in range(len(words) - size + 1):
            grams["w " + " ".join(words[i : i + size])] += 1
    return grams


def _letter_grams(words: list[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        for size in LETTER_SIZES:
            for i in range(max(len(padded) - size + 1, 1)):
                grams["l" + padded[i : i + size]] += 1
    return grams


def grams(text: str) -> tuple[Counter[str], Counter[str]]:
    """The text's word n-grams and letter n-grams, with their counts."""
    words = text.split()
    return _word_grams(words), _letter_grams(words)


@dataclass(frozen=True)
class Ngrams:
    """The n-grams kept from training, each with its column and rarity weight."""

    terms: tuple[str, ...]
    rarity: np.ndarray
    """ln((1 + lines) / (1 + lines containing the term)) + 1, one per term."""

    @classmethod
    def learn(cls, texts: Sequence[str]) -> Ngrams:
        """Keep the n-grams seen in at least MIN_LINES of the training texts."""
        seen: Counter[str] = Counter()
        for text in texts:
            words, letters = grams(text)
            seen.update(words.keys())
            seen.update(letters.keys())
        terms = tuple(sorted(t for t, n in seen.items() if n >= MIN_LINES))
        rarity = [math.log((1 + len(texts)) / (1 + seen[t])) + 1 for t in terms]
        return cls(terms, np.array(rarity, dtype=np.float32))

    @property
    def size(self) -> int:
        return len(self.terms)

    def columns(self) -> dict[str, int]:
        """Term -> column, built once by whoever uses it often."""
        return {term: n for n, term in enumerate(self.terms)}

    def features(self, text: str, columns: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of the text's known n-grams: damped counts times rarity, each
        kind (words, letters) scaled to length one."""
        cols: list[int] = []
        values: list[float] = []
        for counts in grams(text):
            part = [(columns[t], 1.0 + math.log(n)) for t, n in counts.items() if t in columns]
            if not part:
                continue
            idx = np.array([c for c, _ in part], dtype=np.int64)
            val = np.array([v for _, v in part], dtype=np.float32) * self.rarity[idx]
            cols.extend(idx.tolist())
            values.extend((val / max(float(np.linalg.norm(val)), 1e-9)).tolist())
        return np.array(cols, dtype=np.int64), np.array(values, dtype=np.float32)
