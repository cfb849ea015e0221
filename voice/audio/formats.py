"""The two audio formats the program uses, defined once: what it hears and what it says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioFormat:
    """Signed 16-bit samples: how many a second, in how many channels."""

    rate: int
    channels: int = 1
    width: int = 2
    """Bytes per sample."""

    def seconds(self, size: int) -> float:
        """How long `size` bytes of this audio last."""
        return size / (self.rate * self.channels * self.width)


HEARD = AudioFormat(16000)
"""The microphone's chunks, as the speech recogniser takes them."""
SPOKEN = AudioFormat(22050)
"""espeak-ng's speech and the breathing tones, as the speaker plays them."""
