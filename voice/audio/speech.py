"""Speech out: synthesised replies and tones on the speaker, with rate and volume controls."""

from __future__ import annotations

import logging
import time

import numpy as np

from voice.audio.devices import Speaker, tone
from voice.audio.synthesizer import RATE_STEP, SpeechError, Synthesizer

_LOGGER = logging.getLogger(__name__)

VOLUME_STEP = 0.15
VOLUME_LIMITS = (0.2, 1.0)


class SpeechOut:
    """Says text through the speaker; knows what it is saying and since when."""

    def __init__(self, synth: Synthesizer, speaker: Speaker, volume: float) -> None:
        self.synth = synth
        self.speaker = speaker
        self.volume = volume
        self.text = ""
        self.duration = 0.0
        self.queued_at = 0.0
        self._ready: dict[str, np.ndarray] = {}

    def keep_ready(self, texts: list[str]) -> None:
        """Render these lines now and keep them for the life of the program, whatever the
        rate later: the crisis replies must never fail to be spoken. Raises SpeechError."""
        for text in texts:
            self._ready[text] = self.synth.prepare(text)

    @property
    def speaking(self) -> bool:
        return self.speaker.speaking

    def close(self) -> None:
        """Stop preparing speech and close the speaker."""
        self.synth.close()
        self.speaker.close()

    @property
    def first_frame_at(self) -> float | None:
        """When the current sound's first frame went to the device (monotonic seconds)."""
        return self.speaker.started_at

    def say(self, text: str, budget: float | None = None) -> float:
        """Start saying `text`; cut to `budget` seconds if given. Returns its length in seconds."""
        samples = self._samples(text)
        if samples is None:
            return 0.0
        if budget is not None:
            samples = _fit(samples, budget, self.synth.sample_rate)
        self.text, self.duration = text, len(samples) / self.synth.sample_rate
        self.queued_at = time.monotonic()
        if len(samples):
            self.speaker.play(samples, self.volume)
        return self.duration

    def _samples(self, text: str) -> np.ndarray | None:
        try:
            return self.synth.pcm(text)
        except SpeechError as exc:
            ready = self._ready.get(text)
            if ready is not None:
                return ready
            # One line that cannot be spoken must not end the conversation.
            _LOGGER.warning("a reply could not be spoken and was skipped: %s", exc)
            return None

    def tone(self, seconds: float) -> None:
        self.speaker.play(tone(seconds, self.synth.sample_rate), self.volume)

    def stop(self) -> None:
        self.speaker.stop()

    def adjust(self, command: str) -> None:
        """Apply slower, faster, louder or quieter for the rest of the session."""
        if command in ("slower", "faster"):
            rate = self.synth.rate_wpm + (-RATE_STEP if command == "slower" else RATE_STEP)
            _LOGGER.info("speaking rate now %d wpm", self.synth.set_rate(rate))
        elif command in ("louder", "quieter"):
            step = VOLUME_STEP if command == "louder" else -VOLUME_STEP
            self.volume = min(VOLUME_LIMITS[1], max(VOLUME_LIMITS[0], self.volume + step))
            _LOGGER.info("volume now %.2f", self.volume)


def _fit(samples: np.ndarray, budget: float, rate: int) -> np.ndarray:
    """Speech that fits its slot: cut with a short fade, or dropped if most would be lost."""
    limit = int(budget * rate)
    if len(samples) <= limit:
        return samples
    if limit < len(samples) * 0.6:
        return samples[:0]  # a cue missing half its words is worse than silence
    fade = min(limit, int(0.05 * rate))
    out = samples[:limit].copy()
    out[limit - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out
