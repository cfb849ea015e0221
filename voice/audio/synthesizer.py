"""The only module that imports pyttsx3: text to PCM, cached in memory and on disk."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import wave
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyttsx3

from voice.audio.formats import SPOKEN
from voice.errors import EngineError
from voice.limits import LIMITS

_LOGGER = logging.getLogger(__name__)

RATE_LIMITS = (int(LIMITS["rate_wpm"].low), int(LIMITS["rate_wpm"].high))
"""'slower' and 'faster' stay within the range the --rate flag allows."""
"""Words per minute: slower than 90 drags, faster than 240 is hard to follow."""
RATE_STEP = 20
PREFERRED_VOICES = ("gmw/en-us", "en-us", "gmw/en", "en")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER = re.compile(r"\b\d[\d-]{1,}\d\b")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
SAMPLE_RATE = SPOKEN.rate
"""espeak-ng's output rate, which pyttsx3 also writes into its files (Hz)."""
MAX_CHUNK_CHARS = 300
"""The longest piece handed to espeak-ng in one call (characters)."""
MAX_SPEECH_CHARS = 3000
"""The most text spoken for one reply; anything longer is cut at a sentence (characters)."""
_WAIT_SECONDS = 30.0
_MIN_SECONDS_PER_CHAR = 0.01
"""Even at the fastest rate a character takes longer than this: shorter audio is broken."""


def speakable(text: str) -> str:
    """Text as it should be said: phone numbers digit by digit, in their groups, and no
    control characters (espeak-ng would read some as commands)."""

    def digits(match: re.Match[str]) -> str:
        return ", ".join(" ".join(group) for group in match.group(0).split("-"))

    return _NUMBER.sub(digits, _CONTROL.sub(" ", text))


def speech_chunks(text: str) -> list[str]:
    """Speakable text in sentence-sized pieces of at most MAX_CHUNK_CHARS, the whole at most
    MAX_SPEECH_CHARS: espeak-ng has crashed on very long single inputs."""
    text = " ".join(speakable(text).split())[:MAX_SPEECH_CHARS]
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        rest = sentence
        while len(rest) > MAX_CHUNK_CHARS:
            cut = rest.rfind(" ", 0, MAX_CHUNK_CHARS)
            cut = cut if cut > 0 else MAX_CHUNK_CHARS
            chunks.append(rest[:cut])
            rest = rest[cut:].strip()
        if rest.strip(" ,"):
            chunks.append(rest)
    return chunks


def _plausible(samples: np.ndarray, text: str) -> bool:
    """Audio long enough for the text, and not silent."""
    if len(samples) < _MIN_SECONDS_PER_CHAR * SAMPLE_RATE * len(text):
        return False
    return bool(np.max(np.abs(samples)) > 0.01)


RECENT_LINES = 32
"""Lines not prepared ahead that stay in memory (about 0.4 MB for five seconds of speech)."""


class SpeechError(EngineError):
    """Speech synthesis is not available; the message says what to install."""


class SpeechClosed(SpeechError):
    """Asked for speech after close(): the program is shutting down."""


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
        self.sample_rate = SAMPLE_RATE
        self._memory: dict[str, np.ndarray] = {}
        """Lines prepared ahead (the scripts': a fixed set), kept for the life of the program."""
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        """Other lines lately said (some carry her own words), the oldest forgotten first."""
        self._cache_dir = cache_dir
        self._closing = threading.Event()
        self._done: threading.Event | None = None
        self._scratch = Path(tempfile.mkdtemp(prefix="goodenough-tts-"))
        self._count = itertools.count()
        weakref.finalize(self, shutil.rmtree, self._scratch, True)  # when dropped, or at exit
        self._engine.connect("finished-utterance", self._on_finished)

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
        key = self._key(text)
        return key in self._memory or key in self._recent

    def pcm(self, text: str, keep: bool = True) -> np.ndarray:
        """Samples for `text` at the current voice and rate: memory, then disk, then espeak.
        With keep=False nothing is remembered (for text that is not a script line)."""
        key = self._key(text)
        found = self._memory.get(key)
        if found is None:
            found = self._recent.get(key)
        if found is None:
            found = self._from_disk(key)
            if found is None:
                found = self._synthesise(text)
        if keep and key not in self._memory:
            self._recent[key] = found
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_LINES:
                self._recent.popitem(last=False)
        return found

    def prepare(self, text: str) -> np.ndarray:
        """Synthesise now, keep in memory and on disk. Writing only while preparing means the
        cache's file times show when the program started, never when a line was spoken."""
        key = self._key(text)
        samples = self.pcm(text, keep=False)
        self._memory[key] = samples
        self._recent.pop(key, None)
        if self._cache_dir is not None and not (self._cache_dir / f"{key}.wav").exists():
            self._store(key, samples)
        return samples

    def warm(self, texts: Iterable[str]) -> threading.Thread:
        """Synthesise in the background so replies start without waiting."""
        todo = list(dict.fromkeys(texts))

        def run() -> None:
            for text in todo:
                if self._closing.is_set():
                    return
                try:
                    self.prepare(text)
                except SpeechClosed:
                    return
                except SpeechError as exc:
                    _LOGGER.warning("could not prepare speech: %s", exc)
                    return

        thread = threading.Thread(target=run, name="tts-warm", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop warming and wait for the utterance in progress: espeak-ng finishes it on its
        own thread, and must not find its folder gone when the program exits. No utterance
        starts after this (a thread already waiting for its turn gets SpeechClosed)."""
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

    def _on_finished(self, name: str | None, completed: bool) -> None:
        """pyttsx3's end-of-utterance event, from espeak-ng's own thread."""
        done = self._done
        if completed and done is not None:
            done.set()

    def _synthesise(self, text: str) -> np.ndarray:
        """Sentence by sentence, so no single espeak-ng call is long; silence between."""
        parts = [self._chunk(chunk) for chunk in speech_chunks(text)]
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(parts)

    def _chunk(self, text: str) -> np.ndarray:
        """One short piece: pyttsx3 twice, then the espeak-ng program with the same voice."""
        for attempt in (1, 2):
            samples = self._via_pyttsx3(text)
            if _plausible(samples, text):
                return samples
            _LOGGER.debug("synthesis attempt %d gave %d samples", attempt, len(samples))
        samples = self._via_program(text)
        if _plausible(samples, text):
            _LOGGER.warning("speech came from the espeak-ng program after pyttsx3 failed")
            return samples
        raise SpeechError(
            "espeak-ng produced no audio. Check it works: espeak-ng 'hello'; "
            "reinstall with: sudo apt-get install --reinstall espeak-ng"
        )

    def _via_pyttsx3(self, text: str) -> np.ndarray:
        # pyttsx3 2.99 runs espeak-ng on espeak's own thread and runAndWait() can return
        # before the utterance ends, so reading the file then found it missing, empty or
        # short. We wait for the finished-utterance event instead.
        # Each utterance gets its own file in a folder that lives as long as this object:
        # espeak-ng may still be saving an earlier one after we stopped waiting for it, and
        # must never find its folder gone.
        with self._lock:
            if self._closing.is_set():
                raise SpeechClosed("speech has been closed; nothing more is synthesised")
            path = self._scratch / f"speech-{next(self._count)}.wav"
            self._done = done = threading.Event()
            self._engine.setProperty("voice", self.voice)
            # The rate goes in as espeak-ng's embedded speed command (ctrl-A, value, "S"):
            # pyttsx3's "rate" property sometimes takes effect one utterance late.
            spoken = f"\x01{self.rate_wpm}S{text}"
            # pyttsx3 prints "Audio saved to ..." on stdout; keep it out of ours.
            with contextlib.redirect_stdout(io.StringIO()):
                self._engine.save_to_file(spoken, str(path))
                self._engine.runAndWait()
                finished = done.wait(_WAIT_SECONDS)
            self._done = None
            if not finished:
                return np.zeros(0, dtype=np.float32)
            try:
                return _read_wav(path)
            except (OSError, wave.Error, EOFError, ValueError):
                return np.zeros(0, dtype=np.float32)
            finally:
                path.unlink(missing_ok=True)

    def _via_program(self, text: str) -> np.ndarray:
        """The same espeak-ng voice through its own program, in a separate process."""
        with tempfile.TemporaryDirectory(prefix="goodenough-tts-") as tmp:
            path = Path(tmp) / "speech.wav"
            command = ["espeak-ng", "-v", self.voice, "-s", str(self.rate_wpm), "-w", str(path)]
            try:
                subprocess.run(
                    [*command, "--", text], check=True, capture_output=True, timeout=_WAIT_SECONDS
                )
                return _read_wav(path)
            except (OSError, subprocess.SubprocessError, wave.Error, EOFError, ValueError) as exc:
                _LOGGER.debug("espeak-ng program failed: %s", exc)
                return np.zeros(0, dtype=np.float32)

    def _store(self, key: str, samples: np.ndarray) -> None:
        if self._cache_dir is None:
            return
        target = self._cache_dir / f"{key}.wav"
        partial = target.with_suffix(f".{os.getpid()}.part")
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            _write_wav(partial, samples)
            partial.replace(target)  # atomic: a reader never sees half a file
        except OSError as exc:
            # A read-only or full cache only costs speed: speech goes on without it.
            _LOGGER.debug("speech cache not written: %s", exc)
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    pcm16 = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    # The file is opened here, not by wave: when opening fails (a read-only or full cache),
    # wave's half-made writer would print a traceback from its finaliser.
    with path.open("wb") as raw, wave.open(raw, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm16.tobytes())


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: not 16-bit mono")
        if wav.getframerate() != SAMPLE_RATE:
            raise ValueError(f"{path}: not {SAMPLE_RATE} Hz")
        frames = wav.readframes(wav.getnframes())
    if not frames:
        raise EOFError(f"{path}: no audio")
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
