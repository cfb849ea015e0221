"""A microphone unplugged mid-run: logged, retried with growing waits, picked up again.

Unplugging hardware cannot happen here, so a stand-in Mic fails to reopen a few times.
"""

from __future__ import annotations

import importlib.util
import logging
import queue
import time

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sounddevice") is None, reason="needs sounddevice"
)


class FlakyMic:
    def __init__(self, failures: int) -> None:
        from voice.audio import AudioChunk

        self.failures = failures
        self.active = False
        self.opens = 0
        self.chunks: queue.Queue[AudioChunk] = queue.Queue()
        self.chunk = AudioChunk(b"\0\0" * 1600, 16000, 0.0)

    def open(self) -> None:
        from voice.audio import AudioDeviceError

        self.opens += 1
        if self.opens <= self.failures:
            raise AudioDeviceError("no microphone found")
        self.active = True
        self.chunks.put(self.chunk)

    def close(self) -> None:
        self.active = False


def test_unplugged_microphone_is_retried_with_backoff(caplog: pytest.LogCaptureFixture) -> None:
    from voice.audio import ResilientMic

    caplog.set_level(logging.INFO)
    mic = FlakyMic(failures=3)
    source = ResilientMic(mic, max_backoff=0.2)  # type: ignore[arg-type]
    source._backoff = 0.05
    got = None
    deadline = time.monotonic() + 5
    while got is None and time.monotonic() < deadline:
        got = source.read(0.01)
    assert got is mic.chunk
    assert mic.opens == 4
    warnings = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(warnings) == 3
    assert "0.05 s" in warnings[0] and "0.10 s" in warnings[1] and "0.20 s" in warnings[2]
    assert any("back" in r.getMessage() for r in caplog.records)
