"""What recognisers produce, and the narrow interface the loop needs from one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Word:
    """One recognised word with its confidence and audio times (seconds from stream start)."""

    word: str
    conf: float
    start: float
    end: float


@dataclass(frozen=True)
class Transcript:
    """A partial or final recognition result."""

    text: str
    final: bool
    words: tuple[Word, ...] = ()
    audio_end: float = 0.0
    """Seconds of audio the recogniser had heard when this was produced."""


class Recognizer(Protocol):
    """Streaming speech recognition: 16 kHz mono int16 bytes in, transcripts out."""

    def accept(self, pcm: bytes) -> Transcript | None:
        """Feed audio; a final Transcript at an endpoint, a partial one when it changed."""
        ...

    def reset(self) -> None:
        """Forget audio heard so far (after the assistant spoke)."""
        ...


@runtime_checkable
class Retunable(Protocol):
    """A recogniser limited to a list of phrases, which can be given a new list."""

    def listen_for(self, phrases: tuple[str, ...]) -> None:
        """Recognise only these phrases from now on."""
        ...
