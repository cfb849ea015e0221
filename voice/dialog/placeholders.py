"""Placeholders a script line may use, filled for her country and from her words."""

from __future__ import annotations

import re

from . import details
from .crisis import Helplines, spoken_words

MAX_SPOKEN_WORDS = 30
"""A reply is heard while stirring a pot: no longer than this, numbers read digit by digit."""
PLACEHOLDERS = ("{perinatal}", "{crisis_line}", "{forgotten}")
_BRACES = re.compile(r"\{[^{}]*\}")
_LONGEST_DETAIL = "your son's school permission slip"


def fill(line: str, helplines: Helplines, said: str = "") -> str:
    """A script line with its placeholders filled: {perinatal} and {crisis_line} from the
    country's helplines, {forgotten} from her words (else 'something like this')."""
    perinatal, crisis_line = helplines.perinatal, helplines.crisis
    return (
        line.replace("{perinatal}", f"{perinatal.name}, {perinatal.number}")
        .replace("{crisis_line}", f"{crisis_line.name}, {crisis_line.number}")
        .replace("{forgotten}", details.forgotten(said) or "something like this")
    )


def problems(line: str, countries: dict[str, Helplines]) -> list[str]:
    """What is wrong with a script line's placeholders or length, in words a script editor
    can act on (empty when nothing is)."""
    unknown = [p for p in _BRACES.findall(line) if p not in PLACEHOLDERS]
    if unknown:
        known = ", ".join(PLACEHOLDERS)
        return [f"unknown placeholder {unknown[0]}; the known ones are {known}"]
    said = f"i forgot {_LONGEST_DETAIL}"
    for code, helplines in countries.items():
        words = spoken_words(fill(line, helplines, said))
        if words > MAX_SPOKEN_WORDS:
            return [
                f"is {words} words when spoken with {code} numbers; keep each line to "
                f"{MAX_SPOKEN_WORDS} (a phone number's digits count as words)"
            ]
    return []
