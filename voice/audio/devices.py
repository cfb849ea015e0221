"""The only module that imports sounddevice: microphone chunks in, interruptible playback out."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sounddevice as sd

from voice.audio.formats import HEARD, SPOKEN
from voice.errors import EngineError

_LOGGER = logging.getLogger(__name__)

MIC_RATE = HEARD.rate
"""Vosk models expect 16 kHz mono."""
CHUNK_SECONDS = 0.1


class AudioDeviceError(EngineError):
    """No usable microphone or speaker; the message says what to do."""


@dataclass(frozen=True)
class AudioChunk:
    """16-bit mono PCM from the microphone, with when it was captured."""

    pcm: bytes
    rate: int
    captured: float
    """time.monotonic() when the chunk arrived."""

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate


def rescan_devices() -> None:
    """Make PortAudio list the devices again; it lists them once, when first loaded.

    This restarts PortAudio, so every open stream is closed: call it with none open.
    """
    sd._terminate()
    sd._initialize()


def list_devices() -> list[str]:
    """One line per device: index, name, inputs and outputs."""
    try:
        devices = list(sd.query_devices())
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot list audio devices: {exc}") from exc
    lines = []
    for index, dev in enumerate(devices):
        ins, outs = dev["max_input_channels"], dev["max_output_channels"]
        lines.append(f"{index:3d}  {dev['name']}  (in: {ins}, out: {outs})")
    return lines


def find_device(name: str | None, kind: str) -> int | None:
    """The index of the first device whose name contains `name`; None for the default."""
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    try:
        devices = list(sd.query_devices())
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot list audio devices: {exc}") from exc
    if name is None:
        if not any(dev[channels] > 0 for dev in devices):
            raise AudioDeviceError(_missing(kind))
        return None
    for index, dev in enumerate(devices):
        if name.lower() in str(dev["name"]).lower() and dev[channels] > 0:
            return index
    raise AudioDeviceError(
        f"no {kind} device matches '{name}'. Run 'goodenough devices' to see the names."
    )


def _missing(kind: str) -> str:
    what = "microphone" if kind == "input" else "speaker"
    return (
        f"no {what} found. Plug one in (or check 'arecord -l' / 'aplay -l'), then run "
        f"'goodenough devices' and pick one with --{'mic' if kind == 'input' else 'speaker'}."
    )


class Mic:
    """Captures 16 kHz mono chunks into a queue; reopens with backoff if the device goes."""

    def __init__(self, device: str | None = None) -> None:
        self.device = device
        self.chunks: queue.Queue[AudioChunk] = queue.Queue(maxsize=600)
        self._stream: sd.RawInputStream | None = None
        self.failed = threading.Event()
        self._delivering = threading.Event()

    def _callback(self, data: bytes, frames: int, _time: object, status: sd.CallbackFlags) -> None:
        self._delivering.set()
        if status.input_overflow:
            _LOGGER.debug("microphone overflow")
        try:
            self.chunks.put_nowait(AudioChunk(bytes(data), MIC_RATE, time.monotonic()))
        except queue.Full:
            _LOGGER.warning("audio queue full; dropping a chunk")

    def open(self) -> None:
        """Start capturing; AudioDeviceError with advice when no microphone can be opened."""
        index = find_device(self.device, "input")
        try:
            self._stream = sd.RawInputStream(
                samplerate=MIC_RATE,
                blocksize=int(MIC_RATE * CHUNK_SECONDS),
                device=index,
                channels=1,
                dtype="int16",
                callback=self._callback,
                finished_callback=self.failed.set,
            )
            self.failed.clear()
            self._delivering.clear()
            self._stream.start()
        except sd.PortAudioError as exc:
            raise AudioDeviceError(
                f"cannot open the microphone: {exc}. {_missing('input')}"
            ) from exc
        # Like the speaker, a fresh stream can take a second or more to deliver its first
        # audio; wait, so that "listening" means it.
        if not self._delivering.wait(5.0):
            _LOGGER.warning("the microphone is slow to start")

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close(ignore_errors=True)

    @property
    def active(self) -> bool:
        return self._stream is not None and self._stream.active and not self.failed.is_set()


class ResilientMic:
    """A Mic that survives being unplugged: logs it, retries with backoff, carries on.

    PortAudio lists devices once, so a microphone plugged back in under a new name or number
    is only found after a rescan. Every `RESCAN_EVERY` failed attempts, `rescan` (if given) is
    called to do that; it must close the other streams first (see `rescan_devices`).
    """

    RESCAN_EVERY = 3

    def __init__(
        self,
        mic: Mic,
        max_backoff: float = 10.0,
        rescan: Callable[[], None] | None = None,
    ) -> None:
        self.mic = mic
        self.max_backoff = max_backoff
        self.rescan = rescan
        self._backoff = 0.5
        self._retry_at = 0.0
        self._failures = 0

    def read(self, timeout: float) -> AudioChunk | None:
        """The next chunk, or None when none came within `timeout` seconds."""
        if not self.mic.active:
            self._recover()
        try:
            return self.mic.chunks.get(timeout=timeout)
        except queue.Empty:
            return None

    def _recover(self) -> None:
        now = time.monotonic()
        if now < self._retry_at:
            time.sleep(min(0.2, self._retry_at - now))
            return
        self.mic.close()
        try:
            self.mic.open()
        except AudioDeviceError as exc:
            _LOGGER.warning("microphone unavailable (%s); retrying in %.2f s", exc, self._backoff)
            self._retry_at = now + self._backoff
            self._backoff = min(self.max_backoff, self._backoff * 2)
            self._failures += 1
            if self.rescan is not None and self._failures % self.RESCAN_EVERY == 0:
                self.mic.close()
                self.rescan()
            return
        _LOGGER.info("microphone is back")
        self._backoff = 0.5
        self._failures = 0


class Speaker:
    """An always-open output stream: `play()` starts a sound at the next block, `stop()` cuts it.

    Keeping the stream open avoids paying the device's open time on every reply, and the
    callback knows exactly when the first frame of a sound was handed to the device.
    """

    def __init__(
        self, device: str | None = None, rate: int = SPOKEN.rate, block: int = 512
    ) -> None:
        self.rate = rate
        self.device = device
        self._block = block
        self._lock = threading.Lock()
        self._data: np.ndarray | None = None
        self._pos = 0
        self._done = threading.Event()
        self._done.set()
        self._stream: sd.OutputStream | None = None
        self.started_at: float | None = None
        """time.monotonic() when the current sound's first frame went to the device."""
        self._ready = threading.Event()
        self._calls = 0
        self.silenced_at: float | None = None
        """time.monotonic() when the device first got silence after `stop()` cut a sound."""
        self._cut = False
        self._gone = threading.Event()

    def open(self) -> None:
        """Open the device; AudioDeviceError with advice when it cannot be opened."""
        index = find_device(self.device, "output")  # afresh: a rescan can renumber devices
        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                device=index,
                blocksize=self._block,
                callback=self._callback,
                finished_callback=self._lost,
                latency="low",
            )
            self._ready.clear()
            self._gone.clear()
            self._calls = 0
            self._stream.start()
        except sd.PortAudioError as exc:
            raise AudioDeviceError(f"cannot open the speaker: {exc}. {_missing('output')}") from exc

        # A fresh stream can take a second or more to start pulling audio (seen with
        # PulseAudio); wait for it here so the first reply is not late.
        if not self._ready.wait(5.0):
            _LOGGER.warning("the speaker is slow to start")

    def close(self) -> None:
        stream, self._stream = self._stream, None
        self.stop()
        if stream is not None:
            stream.close(ignore_errors=True)

    def _lost(self) -> None:
        """The stream ended: closed by us, or the device went away. Nothing is playing now."""
        if self._stream is not None:
            self._gone.set()
            _LOGGER.warning("the speaker stopped; it will be reopened for the next sound")
        self.stop()

    def _callback(self, out: np.ndarray, frames: int, _t: object, _s: sd.CallbackFlags) -> None:
        if not self._ready.is_set():
            self._calls += 1
            if self._calls > 8:  # past the prefill: the device is pulling audio in real time
                self._ready.set()
        with self._lock:
            data = self._data
            if data is None:
                out.fill(0.0)
                if self._cut:
                    self._cut, self.silenced_at = False, time.monotonic()
                return
            if self.started_at is None:
                self.started_at = time.monotonic()
            chunk = data[self._pos : self._pos + frames]
            self._pos += frames
            if self._pos >= len(data):
                self._data = None
                self._done.set()
        out[: len(chunk), 0] = chunk
        out[len(chunk) :, 0] = 0.0

    @property
    def speaking(self) -> bool:
        return not self._done.is_set()

    def play(self, samples: np.ndarray, volume: float = 1.0) -> None:
        """Start playing float32 mono samples (at `rate`) in [-1, 1]; returns at once.

        If the speaker has gone away it is reopened first; if that fails too, the sound is
        dropped with a warning, so the caller carries on listening rather than waiting on a
        sound that will never play.
        """
        if self._stream is None or self._gone.is_set():
            try:
                self.close()
                self.open()
            except AudioDeviceError as exc:
                self.close()
                _LOGGER.warning("%s", exc)
                return
        data = np.clip(samples * volume, -1.0, 1.0).astype(np.float32)
        with self._lock:
            self._data, self._pos, self.started_at = data, 0, None
            self._done.clear()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current sound ends or is stopped; True if it did."""
        return self._done.wait(timeout)

    def stop(self) -> None:
        """Cut off whatever is playing, from the next block on."""
        with self._lock:
            self._cut = self._data is not None
            self._data = None
            self._done.set()


def tone(
    seconds: float, rate: int = SPOKEN.rate, hz: float = 432.0, level: float = 0.25
) -> np.ndarray:
    """A soft sine tone with gentle fade in and out, for breathing phase changes."""
    t = np.arange(int(seconds * rate)) / rate
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / min(0.05, seconds / 4))
    return (level * np.sin(2 * np.pi * hz * t) * fade).astype(np.float32)
