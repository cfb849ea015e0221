"""The only module that imports pyttsx3: text to PCM, cached in memory and on disk."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import tempfile
import threading
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyttsx3

_LOGGER = logging.getLogger(__name__)

RATE_LIMITS = (90, 240)
"""Words per minute: slower than 90 drags, faster than 240 is hard to follow."""
RATE_STEP = 20
PREFERRED_VOICES = ("gmw/en-us", "en-us", "gmw/en", "en")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER = re.compile(r"\b\d[\d-]{1,}\d\b")


def speakable(text: str) -> str:
    """Text as it should be said: phone numbers digit by digit, in their groups, and no
    control characters (espeak-ng would read some as commands)."""

    def digits(match: re.Match[str]) -> str:
        return ", ".join(" ".join(group) for group in match.group(0).split("-"))

    return _NUMBER.sub(digits, _CONTROL.sub(" ", text))


class SpeechError(Exception):
    """Speech synthesis is not available; the message says what to install."""


class Synthesizer:
    """espeak-ng through pyttsx3, one utterance at a time, into float32 samples."""

    def __init__(self, voice: str | None, rate_wpm: int, cache_dir: Path | None) -> None:
        self._lock = threading.Lock()
        try:
            self._engine = pyttsx3.init("espeak")
        except (RuntimeError, OSError, ImportError) as exc:
            raise SpeechError(
                f"cannot start espeak-ng speech ({exc}). Install it: sudo apt-get install espeak-ng"
            ) from exc
        self.voice = self._pick_voice(voice)
        self.rate_wpm = rate_wpm
        self.sample_rate = 22050
        self._memory: dict[str, np.ndarray] = {}
        self._cache_dir = cache_dir
        self._closing = threading.Event()

    def _pick_voice(self, wanted: str | None) -> str:
        voices = self._engine.getProperty("voices")
        names = [wanted] if wanted else list(PREFERRED_VOICES)
        for name in names:
            for v in voices:
                if name and (name == v.id or name.lower() in str(v.name).lower()):
                    return str(v.id)
        if wanted:
            raise SpeechError(f"no voice matches '{wanted}'; try en-us or en-gb")
        return str(self._engine.getProperty("voice"))

    def set_rate(self, rate_wpm: int) -> int:
        """Change the speaking rate within sane bounds; returns the rate now in use."""
        self.rate_wpm = max(RATE_LIMITS[0], min(RATE_LIMITS[1], rate_wpm))
        return self.rate_wpm

    def _key(self, text: str) -> str:
        raw = f"{self.voice}|{self.rate_wpm}|{text}".encode()
        return hashlib.sha256(raw).hexdigest()[:32]

    def cached(self, text: str) -> bool:
        """True when `text` at the current voice and rate is ready in memory."""
        return self._key(text) in self._memory

    def pcm(self, text: str) -> np.ndarray:
        """Samples for `text` at the current voice and rate: memory, then disk, then espeak."""
        key = self._key(text)
        found = self._memory.get(key)
        if found is None:
            found = self._from_disk(key)
            if found is None:
                found = self._synthesise(text, key)
            self._memory[key] = found
        return found

    def warm(self, texts: Iterable[str]) -> threading.Thread:
        """Synthesise in the background so replies start without waiting."""
        todo = list(dict.fromkeys(texts))

        def run() -> None:
            for text in todo:
                if self._closing.is_set():
                    return
                try:
                    self.pcm(text)
                except SpeechError as exc:
                    _LOGGER.warning("could not prepare speech: %s", exc)
                    return

        thread = threading.Thread(target=run, name="tts-warm", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop warming and wait for the utterance in progress: espeak-ng finishes it on its
        own thread, and must not find its folder gone when the program exits."""
        self._closing.set()
        with self._lock:
            pass

    def _from_disk(self, key: str) -> np.ndarray | None:
        if self._cache_dir is None:
            return None
        path = self._cache_dir / f"{key}.wav"
        try:
            return _read_wav(path)
        except (OSError, wave.Error, EOFError, ValueError):
            return None

    def _synthesise(self, text: str, key: str) -> np.ndarray:
        # pyttsx3 2.99 writes the file before appending espeak's last block of samples:
        # usually only trailing silence is lost, but now and then the file comes out empty.
        # One retry has always been enough here.
        for attempt in (1, 2):
            with self._lock, tempfile.TemporaryDirectory(prefix="goodenough-tts-") as tmp:
                path = Path(tmp) / "speech.wav"
                self._engine.setProperty("voice", self.voice)
                # The rate goes in as espeak-ng's embedded speed command (ctrl-A, value, "S"):
                # pyttsx3 2.99's "rate" property sometimes takes effect one utterance late,
                # which would put speech at the wrong rate into the cache.
                spoken = f"\x01{self.rate_wpm}S{speakable(text)}"
                # pyttsx3 prints "Audio saved to ..." on stdout; keep it out of ours.
                with contextlib.redirect_stdout(io.StringIO()):
                    self._engine.save_to_file(spoken, str(path))
                    self._engine.runAndWait()
                try:
                    samples = _read_wav(path)
                except (OSError, wave.Error, EOFError) as exc:
                    _LOGGER.debug("synthesis attempt %d of %r failed: %s", attempt, text, exc)
                    continue
                self._store(key, path)
                return samples
        raise SpeechError(f"espeak-ng produced no audio for {text[:40]!r}")

    def _store(self, key: str, path: Path) -> None:
        if self._cache_dir is None:
            return
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            target = self._cache_dir / f"{key}.wav"
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(path.read_bytes())
            partial.replace(target)  # atomic: a reader never sees half a file
        except OSError as exc:
            _LOGGER.debug("speech cache not written: %s", exc)


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1 or wav.getframerate() != 22050:
            raise ValueError(f"{path}: not 16-bit mono 22050 Hz")
        frames = wav.readframes(wav.getnframes())
    if not frames:
        raise EOFError(f"{path}: no audio")
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
