"""A second look for the crisis check: is a turn closer to the crisis phrasings it was taught
than to the everyday ones?

The linear model draws one smooth border; a turn that sits right beside a few crisis
phrasings can still fall on the everyday side of it. This asks the check-in question for such
a turn. It never gives the crisis reply by itself."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NEAREST = 3
"""How many of the closest phrasings on each side are averaged."""
CLOSE = 0.65
"""The crisis side must be at least this similar (cosine) ..."""
MARGIN = 0.05
"""... and this much more similar than the everyday side (both chosen on held-out data)."""
NEIGHBOURHOOD = 0.55
"""Everyday phrasings kept for the comparison: those at least this similar to some crisis
phrasing, a third of them, which keeps memory and time small. Leaving the others out can
only make it ask more often, never less; on the held-out sets it asked no more than with
all of them."""


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


def _closeness(rows: np.ndarray, vector: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean similarity of the NEAREST rows to a unit vector, and their indices."""
    if len(rows) == 0:
        return 0.0, np.zeros(0, dtype=int)
    scores = rows @ vector
    count = min(NEAREST, len(rows))
    top = np.argpartition(-scores, count - 1)[:count]
    return float(scores[top].mean()), top


@dataclass(frozen=True)
class CrisisNeighbours:
    """The crisis phrasings (with their kind) and the everyday phrasings near them."""

    crisis: np.ndarray
    kinds: tuple[str, ...]
    everyday: np.ndarray

    @classmethod
    def learn(
        cls, vectors: np.ndarray, labels: Sequence[str], crisis_kinds: Sequence[str]
    ) -> CrisisNeighbours:
        rows = _unit(vectors)
        is_crisis = np.array([label in crisis_kinds for label in labels], dtype=bool)
        crisis, everyday = rows[is_crisis], rows[~is_crisis]
        if len(crisis) and len(everyday):
            nearest = np.zeros(len(everyday), dtype=np.float32)
            for start in range(0, len(everyday), 2048):  # a few MB at a time
                part = everyday[start : start + 2048] @ crisis.T
                nearest[start : start + 2048] = part.max(axis=1)
            everyday = everyday[nearest >= NEIGHBOURHOOD]
        kinds = tuple(label for label, hit in zip(labels, is_crisis, strict=True) if hit)
        return cls(crisis, kinds, everyday)

    def kind_near(self, vector: np.ndarray) -> str | None:
        """The crisis kind a turn's vector sits beside, or None when it does not."""
        unit = _unit(vector)
        close, top = _closeness(self.crisis, unit)
        if close < CLOSE:
            return None
        everyday, _ = _closeness(self.everyday, unit)
        if close < everyday + MARGIN:
            return None
        return Counter(self.kinds[i] for i in top).most_common(1)[0][0]
