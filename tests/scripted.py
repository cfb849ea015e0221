"""A recogniser that 'hears' given transcripts at given times: a stand-in for Vosk where the
only real model (Korean) cannot hear English, used with real audio devices."""

from __future__ import annotations

import time
from collections.abc import Callable

from voice.transcript import Transcript

FRESH = 0.5
"""Seconds an utterance stays hearable: speech that happened while the recogniser was not
being fed (the assistant was talking) is never heard, as with a real half-duplex loop."""


class ScriptedRecognizer:
    """Emits each (seconds after start, text) as a final transcript once that time comes."""

    def __init__(
        self, script: list[tuple[float, str]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.script = sorted(script)
        self.clock = clock
        self.start = clock()
        self.heard: list[tuple[float, str]] = []
        self.missed: list[tuple[float, str]] = []

    def accept(self, pcm: bytes) -> Transcript | None:
        now = self.clock() - self.start
        while self.script and self.script[0][0] <= now:
            at, text = self.script.pop(0)
            if now - at > FRESH:
                self.missed.append((at, text))
                continue
            self.heard.append((now, text))
            return Transcript(text, final=True, audio_end=now)
        return None

    def reset(self) -> None:
        """Nothing buffered to forget."""
