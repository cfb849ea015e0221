"""Helplines by country and the crisis flow's own words. Owned by the program: scripts cannot
remove or reword any of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .loader import ScriptError
from .yamlnodes import Node, Problems, compose

HELPLINES = Path(__file__).with_name("helplines.yaml")
MAX_SPOKEN_WORDS = 30
"""Every crisis line is short enough to take in while stirring a pot (digits count)."""


@dataclass(frozen=True)
class Line:
    """One helpline: what it is called, its number, how to reach it."""

    name: str
    number: str
    how: str = "call"
    text: str = ""
    """An extra way to reach it by text message, said after the number."""


@dataclass(frozen=True)
class Helplines:
    """The numbers for one country."""

    country: str
    emergency: str
    crisis: Line
    perinatal: Line
    abuse: Line

    def numbers(self) -> set[str]:
        return {self.emergency, self.crisis.number, self.perinatal.number, self.abuse.number}


def load_helplines(path: Path = HELPLINES) -> dict[str, Helplines]:
    """Every country in the file; a country without emergency or crisis number is refused."""
    problems = Problems()
    root = compose(str(path), path.read_text(encoding="utf-8"), problems)
    found: dict[str, Helplines] = {}
    for code, node in (root.mapping() if root else {}).items():
        fields = node.mapping(
            allowed=("emergency", "crisis", "perinatal", "abuse"), required=("emergency", "crisis")
        )
        if "emergency" not in fields or "crisis" not in fields:
            continue
        emergency = fields["emergency"].mapping(allowed=("number",), required=("number",))
        crisis = _line(fields["crisis"])
        found[code] = Helplines(
            code,
            emergency["number"].text() if "number" in emergency else "",
            crisis,
            _line(fields["perinatal"]) if "perinatal" in fields else crisis,
            _line(fields["abuse"]) if "abuse" in fields else crisis,
        )
    if problems.messages:
        raise ScriptError(problems.messages)
    return found


def _line(node: Node) -> Line:
    parts = node.mapping(
        allowed=("name", "number", "how", "text", "source"), required=("name", "number", "source")
    )
    return Line(
        parts["name"].text() if "name" in parts else "",
        parts["number"].text() if "number" in parts else "",
        parts["how"].text() if "how" in parts else "call",
        parts["text"].text() if "text" in parts else "",
    )


CHECK_IN = "That sounds really heavy. Are you having thoughts of hurting yourself, or your baby?"
SAFE = (
    "I'm glad you're safe. Those numbers are there any time, day or night. "
    "I'm still here if you want to talk."
)


def crisis_reply(kind: str, lines: Helplines) -> str:
    """The first answer to crisis language of this kind: numbers, then is she safe now."""
    if kind == "crisis_baby":
        return (
            "Thank you for telling me. Those thoughts are common after birth, and treatable. "
            f"Call {lines.perinatal.number}. Are you both safe?"
        )
    if kind == "crisis_danger":
        return (
            f"You don't deserve this. In danger, call {lines.emergency}. "
            f"Or call {lines.abuse.number}. Are you safe now?"
        )
    return (
        f"I'm really glad you told me. Please {lines.crisis.how} {lines.crisis.number} now. "
        f"If you're in danger, call {lines.emergency}. Are you safe right now?"
    )


def stay_reply(kind: str, lines: Helplines) -> str:
    """When she is not safe, or not sure: the numbers again, and it stays with her."""
    if kind == "crisis_danger":
        line = lines.abuse
        other = line.text[:1].upper() + line.text[1:] if line.text else f"Or call {line.number}"
        return f"I'm here. In danger, call {lines.emergency}. {other}, any time."
    line = lines.perinatal if kind == "crisis_baby" else lines.crisis
    return (
        f"I'm staying right here with you. Please {line.how} {line.number} now, "
        f"or {lines.emergency} if you're in danger."
    )


def all_replies(lines: Helplines) -> list[str]:
    """Every crisis-flow line for one country: rendered and kept ready before listening."""
    kinds = ("crisis_self", "crisis_baby", "crisis_danger")
    return [
        *(crisis_reply(k, lines) for k in kinds),
        *(stay_reply(k, lines) for k in kinds),
        CHECK_IN,
        SAFE,
    ]


_DIGITS = re.compile(r"\d{3,}")


def spoken_words(text: str) -> int:
    """Words as heard: a number of three or more digits is said digit by digit."""
    count = 0
    for word in re.split(r"[\s-]+", text):
        count += len(word) if _DIGITS.fullmatch(word.strip(".,?:")) else int(bool(word))
    return count
