"""Plays a breathing timeline against absolute deadlines; voice commands steer it."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, replace
from typing import Protocol

from voice.breathing.timeline import PACE_LIMITS, PACE_STEP, TONE_SECONDS, Cue, Exercise, timeline

_LOGGER = logging.getLogger(__name__)


class Clock(Protocol):
    """Monotonic time and waiting; the real one sleeps, the test one jumps."""

    def now(self) -> float: ...

    def wait_until(self, deadline: float, wake: threading.Event) -> bool:
        """Wait until the deadline or until `wake` is set; True if woken early."""
        ...


class Voice(Protocol):
    """Where cues go: speech cut off after `budget` seconds, and soft tones."""

    def say(self, text: str, budget: float) -> object: ...

    def tone(self, seconds: float) -> None: ...


class MonotonicClock:
    """The real clock."""

    def now(self) -> float:
        return time.monotonic()

    def wait_until(self, deadline: float, wake: threading.Event) -> bool:
        return wake.wait(max(0.0, deadline - time.monotonic()))


STOP_LINE = "Okay, we'll stop there. Well done."
CONTROLS = ("stop", "pause", "slower", "faster", "again")
BREATHING_WORDS = frozenset({"slower", "faster", "again"})
"""Heard during an exercise (with the stop phrases) and passed to it as controls."""


@dataclass(frozen=True)
class Played:
    """A cue as it was actually started: for logs and for measuring drift."""

    cue: Cue
    scheduled: float
    started: float


class BreathingPlayer:
    """Runs one exercise; `control()` may be called from any thread while it runs."""

    def __init__(self, exercise: Exercise, voice: Voice, clock: Clock | None = None) -> None:
        self.exercise = exercise
        self.voice = voice
        self.clock = clock or MonotonicClock()
        self.played: list[Played] = []
        self.stopped = False
        self._controls: queue.Queue[str] = queue.Queue()
        self._wake = threading.Event()

    def control(self, command: str) -> None:
        """Ask the running exercise to stop, pause, go slower or faster, or start again."""
        if command in CONTROLS:
            self._controls.put(command)
            self._wake.set()

    def cues(self) -> list[Cue]:
        """The full timeline for the current settings."""
        return timeline(self.exercise)

    def run(self) -> list[Played]:
        """Play until the closing line, or until stopped. Returns what was played."""
        start = self.clock.now()
        pending = self.cues()
        while pending:
            cue = pending[0]
            deadline = start + cue.at
            if self.clock.wait_until(deadline, self._wake):
                self._wake.clear()
                start, pending = self._steer(start, pending)
                continue
            pending.pop(0)
            self._play(cue, deadline)
        return self.played

    def _play(self, cue: Cue, deadline: float) -> None:
        self.played.append(Played(cue, deadline, self.clock.now()))
        if cue.kind == "tone":
            self.voice.tone(min(TONE_SECONDS, cue.budget))
        elif cue.text:
            self.voice.say(cue.text, cue.budget)

    def _steer(self, start: float, pending: list[Cue]) -> tuple[float, list[Cue]]:
        """Apply queued controls; returns the new start time and remaining cues."""
        while not self._controls.empty():
            command = self._controls.get_nowait()
            now = self.clock.now()
            if command in ("stop", "pause"):
                self.stopped = True
                self.voice.say(STOP_LINE, 3.0)
                return start, []
            if command == "again":
                return now, self.cues()
            factor = PACE_STEP if command == "slower" else 1 / PACE_STEP
            pace = min(max(self.exercise.pace * factor, PACE_LIMITS[0]), PACE_LIMITS[1])
            factor = pace / self.exercise.pace
            self.exercise = replace(self.exercise, pace=pace)
            pending = _stretch(pending, now - start, factor)
        return start, pending


def _stretch(cues: list[Cue], elapsed: float, factor: float) -> list[Cue]:
    """Scale what is left of the schedule around the present moment."""
    return [
        replace(
            c,
            at=round(elapsed + max(0.0, c.at - elapsed) * factor, 3),
            budget=round(c.budget * factor, 3),
        )
        for c in cues
    ]
