"""Score what was said against example phrasings; best example wins, weighted by rarity."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .normalize import Normalizer

PAIR_WEIGHT = 0.6
"""Adjacent-pair features count a little less than single words."""
PARTIAL_COVERAGE = 0.4
PARTIAL_WEIGHT = 3.0
"""Part of an example suffices when the part said is this distinctive (summed rarity)."""


@dataclass(frozen=True)
class Match:
    """The label whose example fitted best, and how well."""

    label: str
    score: float
    coverage: float


@dataclass(frozen=True)
class _Example:
    label: str
    weights: dict[str, float]
    total: float


class Matcher:
    """Finds the label whose example phrasing is best covered by the utterance.

    Coverage is the share of an example's (rarity-weighted) features found in the
    utterance, so extra words around the key phrase cost nothing; among examples
    covered equally, the one with more distinctive content wins.
    """

    def __init__(
        self,
        normalizer: Normalizer,
        examples: Iterable[tuple[str, str]],
        min_coverage: float = 0.6,
        min_weight: float = 1.0,
    ) -> None:
        self._norm = normalizer
        self.min_coverage = min_coverage
        self.min_weight = min_weight
        featured = [(label, normalizer.features(text)) for label, text in examples]
        idf = self._rarity(featured)
        self._examples: list[_Example] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        for label, feats in featured:
            weights = {f: idf[f] * (PAIR_WEIGHT if "+" in f else 1.0) for f in feats}
            if not weights:
                continue
            for feat in weights:
                self._index[feat].append(len(self._examples))
            self._examples.append(_Example(label, weights, sum(weights.values())))

    @staticmethod
    def _rarity(featured: list[tuple[str, frozenset[str]]]) -> dict[str, float]:
        """Inverse frequency over labels: a word used by every intent says little."""
        labels_with: dict[str, set[str]] = defaultdict(set)
        for label, feats in featured:
            for feat in feats:
                labels_with[feat].add(label)
        n_labels = len({label for label, _ in featured}) or 1
        return {f: 1.0 + math.log(n_labels / len(ls)) for f, ls in labels_with.items()}

    def _fits(self, coverage: float, weight: float) -> bool:
        """Enough of an example was said; a rarer, heavier part may stand for the whole."""
        if coverage >= self.min_coverage and weight >= self.min_weight:
            return True
        return coverage >= PARTIAL_COVERAGE and weight >= PARTIAL_WEIGHT

    def best(self, text: str) -> Match | None:
        """The best-fitting label, or None when nothing fits well enough."""
        return self.best_features(self._norm.features(text))

    def best_features(self, feats: frozenset[str]) -> Match | None:
        """As `best`, for features already computed."""
        matched: dict[int, float] = defaultdict(float)
        for feat in feats:
            for idx in self._index.get(feat, ()):
                matched[idx] += self._examples[idx].weights[feat]
        best: Match | None = None
        for idx, weight in matched.items():
            example = self._examples[idx]
            coverage = weight / example.total
            if not self._fits(coverage, weight):
                continue
            score = coverage * coverage * weight
            if best is None or score > best.score:
                best = Match(example.label, score, coverage)
        return best
