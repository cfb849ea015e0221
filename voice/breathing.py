"""Breathing patterns as timelines of cues, and a clock-driven player that never drifts."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from .dialog.schema import Pattern

_LOGGER = logging.getLogger(__name__)

NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
WORDS_PER_SECOND = 2.5
"""A calm speaking pace, used to estimate how long a line takes to say."""
PACE_STEP = 1.2
"""'slower' multiplies phase lengths by this; 'faster' divides by it."""
PACE_LIMITS = (0.6, 2.0)


def speech_seconds(text: str) -> float:
    """Roughly how long a line takes to say at a calm pace."""
    return len(text.split()) / WORDS_PER_SECOND + 0.3


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


def _round_cues(pattern: Pattern, number: int, start: float, pace: float,
                mantras: Iterator[str], count: bool, tone: bool) -> list[tuple[float, str, str, str]]:
    cues: list[tuple[float, str, str, str]] = []
    at = start
    mantra_round = number % 2 == 1
    for phase in pattern.phases:
        length = phase.seconds * pace
        if tone:
            cues.append((at, "tone", "", phase.name))
        cues.append((at, "phase", phase.cue, phase.name))
        if phase.mantra and mantra_round:
            after = at + speech_seconds(phase.cue)
            text = next(mantras, "")
            if text and after + speech_seconds(text) <= at + length:
                cues.append((after, "mantra", text, phase.name))
        elif count and phase.count:
            whole = int(phase.seconds)
            cues.extend((at + n * pace, "count", NUMBERS[n], phase.name)
                        for n in range(1, min(whole, len(NUMBERS))))
        at += length
    return cues


def timeline(pattern: Pattern, mantras: Sequence[str] = (), rounds: int | None = None,
             pace: float = 1.0, count: bool = True, tone: bool | None = None,
             first_round: int = 0, with_intro: bool = True) -> list[Cue]:
    """Every cue of the exercise, in time order, with absolute offsets."""
    total_rounds = rounds or pattern.rounds
    use_tone = pattern.tone if tone is None else tone
    pool = iter(mantras)
    raw: list[tuple[float, str, str, str, int]] = []
    at = 0.0
    if with_intro:
        raw.append((0.0, "intro", pattern.intro, "intro", first_round))
        at = speech_seconds(pattern.intro) + 1.0
    cycle = sum(p.seconds for p in pattern.phases) * pace
    for number in range(first_round, total_rounds):
        for when, kind, text, phase in _round_cues(pattern, number, at, pace, pool, count, use_tone):
            raw.append((when, kind, text, phase, number))
        at += cycle
    raw.append((at, "closing", pattern.closing, "closing", total_rounds))
    ends = [r[0] for r in raw[1:]] + [raw[-1][0] + speech_seconds(pattern.closing)]
    return [Cue(round(a, 3), k, t, n, p, round(max(0.0, e - a), 3))
            for (a, k, t, p, n), e in zip(raw, ends)]


def timeline_data(pattern: Pattern, cues: Sequence[Cue]) -> dict[str, object]:
    """The exercise as plain data, for the JSON interfaces."""
    return {
        "pattern": pattern.id,
        "title": pattern.title,
        "rounds": max((c.round for c in cues), default=0),
        "seconds": cues[-1].at + cues[-1].budget if cues else 0.0,
        "cues": [asdict(c) for c in cues],
    }


class Clock(Protocol):
    """Monotonic time and waiting; the real one sleeps, the test one jumps."""

    def now(self) -> float: ...

    def wait_until(self, deadline: float, wake: threading.Event) -> bool:
        """Wait until the deadline or until `wake` is set; True if woken early."""
        ...


class Voice(Protocol):
    """Where cues go: speech cut off at `budget` seconds, and tones."""

    def say(self, text: str, budget: float) -> None: ...

    def tone(self, seconds: float) -> None: ...


class MonotonicClock:
    """The real clock."""

    def now(self) -> float:
        return time.monotonic()

    def wait_until(self, deadline: float, wake: threading.Event) -> bool:
        return wake.wait(max(0.0, deadline - time.monotonic()))


@dataclass
class Exercise:
    """Settings for one run of a pattern."""

    pattern: Pattern
    mantras: Sequence[str] = ()
    rounds: int | None = None
    pace: float = 1.0
    count: bool = True
    tone: bool | None = None
