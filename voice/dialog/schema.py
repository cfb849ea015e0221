"""Frozen dataclasses for what the YAML dialog scripts say."""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = (
    "crisis",
    "shame",
    "guilt",
    "comparison",
    "self_care",
    "work",
    "mixed_feelings",
    "overwhelm",
    "breathing",
    "mantra",
    "support",
    "command",
    "unknown",
)
"""The fixed reply categories: an external contract for tools and tests."""

COMMANDS = (
    "stop",
    "repeat",
    "another",
    "slower",
    "faster",
    "louder",
    "quieter",
    "help",
    "goodbye",
    "thanks",
)
"""Command names a reply can carry."""


@dataclass(frozen=True)
class Where:
    """A place in a script file, for error messages."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Intent:
    """Something the user may say: example phrasings and the response they lead to."""

    id: str
    examples: tuple[str, ...]
    reply: str
    command: str | None = None
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Response:
    """What the companion says: spoken variants, and an optional follow-up question."""

    id: str
    category: str
    say: tuple[str, ...]
    ask: str | None = None
    breathing: str | None = None
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Answer:
    """One kind of answer to a follow-up question and the response it leads to."""

    examples: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Step:
    """A follow-up question's possible answers, and where anything else leads."""

    id: str
    answers: tuple[Answer, ...]
    otherwise: str
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Vocabulary:
    """How spoken text is normalised before matching."""

    fillers: frozenset[str] = frozenset()
    corrections: tuple[tuple[str, str], ...] = ()
    polite: frozenset[str] = frozenset()
    """Words that may stand around a command and leave it a command ('okay stop please')."""


@dataclass(frozen=True)
class Phase:
    """One phase of a breathing pattern."""

    name: str
    seconds: float
    cue: str
    count: bool = False
    mantra: bool = False


@dataclass(frozen=True)
class Pattern:
    """A breathing pattern: phases, repetition, and what is said around it."""

    id: str
    title: str
    phases: tuple[Phase, ...]
    rounds: int
    intro: str
    closing: str
    tone: bool = False
    examples: tuple[str, ...] = ()
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Scripts:
    """Everything the dialog scripts define, validated and cross-checked."""

    intents: tuple[Intent, ...]
    responses: dict[str, Response]
    steps: dict[str, Step]
    vocabulary: Vocabulary
    patterns: dict[str, Pattern] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    lines: tuple[tuple[str, str], ...] = ()
    """(label, phrasing) from the examples/ folders: training lines beyond the intents'."""

    def response(self, response_id: str) -> Response:
        """The response with this id (ids were cross-checked at load time)."""
        return self.responses[response_id]
