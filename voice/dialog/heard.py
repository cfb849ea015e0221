"""Remembers which lines were heard, so replies do not repeat until a pool runs out."""

from __future__ import annotations

import random
from collections.abc import Sequence


class Heard:
    """The order in which texts were last heard in this conversation."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._last: dict[str, int] = {}
        self._turn = 0

    def pick(self, pool: Sequence[str]) -> str:
        """A text from the pool not heard yet; when all were heard, the least recent."""
        fresh = [text for text in pool if text not in self._last]
        if fresh:
            return self._rng.choice(fresh)
        return min(pool, key=lambda text: self._last[text])

    def unheard(self, pool: Sequence[str]) -> list[str]:
        """The texts of a pool not heard yet."""
        return [text for text in pool if text not in self._last]

    def mark(self, text: str) -> None:
        """Record that a text was just heard."""
        self._turn += 1
        self._last[text] = self._turn
