"""Wake phrase spotting in recognised text, tolerant of the usual mishearings."""

from __future__ import annotations

import re

_GREETINGS = ("hey", "hi", "hay", "a", "okay", "ok", "hello")


class WakePhrase:
    """Finds the wake phrase in a transcript and returns what was said after it."""

    def __init__(self, phrase: str) -> None:
        words = phrase.lower().split()
        if not words:
            raise ValueError("the wake phrase must have at least one word")
        first = words[0]
        lead = (
            "|".join(re.escape(w) for w in sorted({first, *_GREETINGS}))
            if first in _GREETINGS
            else re.escape(first)
        )
        rest = [re.escape(w) + "s?" for w in words[1:]]
        self._pattern = re.compile(
            r"\b(?:" + lead + r")\b" + "".join(r"\s+" + w for w in rest) + r"\b"
        )
        self.phrase = " ".join(words)

    def after(self, text: str) -> str | None:
        """The words after the wake phrase, '' if nothing followed, None if it wasn't said."""
        match = self._pattern.search(text.lower())
        if match is None:
            return None
        return text[match.end() :].strip()
