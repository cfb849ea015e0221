"""Breathing patterns as timelines of cues: exact offsets from the start, never drifting."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

from voice.dialog.schema import Pattern
from voice.limits import LIMITS

NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
WORDS_PER_SECOND = 2.5
"""A calm speaking pace, used to estimate how long a line takes to say."""
TONE_SECONDS = 0.3
"""A phase-change tone's length; the spoken cue, when there is one, follows it."""
PACE_STEP = 1.2
"""'slower' multiplies phase lengths by this; 'faster' divides by it."""
PACE_LIMITS = (LIMITS["pace"].low, LIMITS["pace"].high)
"""'slower' and 'faster' keep the pace within the range a flag may set."""


def speech_seconds(text: str) -> float:
    """Roughly how long a line takes to say at a calm pace."""
    return len(text.split()) / WORDS_PER_SECOND + 0.3


@dataclass(frozen=True)
class Exercise:
    """One run of a pattern: how many rounds, how fast, and what is said."""

    pattern: Pattern
    mantras: Sequence[str] = ()
    rounds: int | None = None
    """None: the pattern's own number of rounds."""
    pace: float = 1.0
    """Multiplies every phase length: 1.2 is 20% slower."""
    count: bool = True
    tone: bool | None = None
    """None: as the pattern says."""

    @property
    def total_rounds(self) -> int:
        return self.rounds or self.pattern.rounds

    @property
    def uses_tone(self) -> bool:
        return self.pattern.tone if self.tone is None else self.tone


@dataclass(frozen=True)
class Cue:
    """Something to say (or a tone to play) at a time from the start of the exercise."""

    at: float
    """Seconds from the start."""
    kind: str
    """intro, phase, count, mantra, tone or closing."""
    text: str
    round: int
    phase: str
    budget: float
    """Seconds until the next cue: the most this one may take."""


_Raw = tuple[float, str, str, str, int]


def _round_cues(ex: Exercise, number: int, start: float, mantras: Iterator[str]) -> list[_Raw]:
    cues: list[_Raw] = []
    at = start
    mantra_round = number % 2 == 1  # every other round, so words never crowd the breath
    for phase in ex.pattern.phases:
        length = phase.seconds * ex.pace
        if ex.uses_tone:
            # The tone marks each change; the words come only in the first round, to say
            # which tone is which, then the tone alone keeps the rhythm.
            cues.append((at, "tone", "", phase.name, number))
            if number == 0:
                cues.append((at + TONE_SECONDS, "phase", phase.cue, phase.name, number))
        else:
            cues.append((at, "phase", phase.cue, phase.name, number))
        if phase.mantra and mantra_round:
            after = at + speech_seconds(phase.cue)
            text = next(mantras, "")
            if text and after + speech_seconds(text) <= at + length:
                cues.append((after, "mantra", text, phase.name, number))
        elif ex.count and phase.count:
            cues.extend(
                (at + n * ex.pace, "count", NUMBERS[n], phase.name, number)
                for n in range(1, min(int(phase.seconds), len(NUMBERS)))
            )
        at += length
    return cues


def timeline(ex: Exercise) -> list[Cue]:
    """Every cue of the exercise, in time order, with offsets from its start."""
    pattern = ex.pattern
    mantras = iter(ex.mantras)
    raw: list[_Raw] = [(0.0, "intro", pattern.intro, "intro", 0)]
    at = speech_seconds(pattern.intro) + 1.0
    cycle = sum(p.seconds for p in pattern.phases) * ex.pace
    for number in range(ex.total_rounds):
        raw.extend(_round_cues(ex, number, at, mantras))
        at += cycle
    raw.append((at, "closing", pattern.closing, "closing", ex.total_rounds))
    ends = [r[0] for r in raw[1:]] + [at + speech_seconds(pattern.closing)]
    return [
        Cue(round(a, 3), kind, text, number, phase, round(max(0.0, end - a), 3))
        for (a, kind, text, phase, number), end in zip(raw, ends, strict=True)
    ]


def timeline_data(ex: Exercise, cues: Sequence[Cue]) -> dict[str, object]:
    """The exercise as plain data, for the JSON interfaces."""
    return {
        "pattern": ex.pattern.id,
        "title": ex.pattern.title,
        "rounds": ex.total_rounds,
        "pace": ex.pace,
        "seconds": round(cues[-1].at + cues[-1].budget, 3),
        "cues": [asdict(c) for c in cues],
    }
