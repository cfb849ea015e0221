"""Devices that go away mid-run. A microphone: logged, retried with growing waits, picked up
again. A speaker: nothing waits on it while it is gone, and the next sound reopens it.

The microphone first with a stand-in Mic that fails to reopen a few times (exact backoff);
then both for real: the sound server behind the devices goes away and comes back.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .audio_env import VirtualAudio, loud_spans, start_server, stop_server

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sounddevice") is None, reason="needs sounddevice"
)


class FlakyMic:
    def __init__(self, failures: int) -> None:
        from voice.audio.devices import AudioChunk

        self.failures = failures
        self.active = False
        self.opens = 0
        self.chunks: queue.Queue[AudioChunk] = queue.Queue()
        self.chunk = AudioChunk(b"\0\0" * 1600, 16000, 0.0)

    def open(self) -> None:
        from voice.audio.devices import AudioDeviceError

        self.opens += 1
        if self.opens <= self.failures:
            raise AudioDeviceError("no microphone found")
        self.active = True
        self.chunks.put(self.chunk)

    def close(self) -> None:
        self.active = False


def test_unplugged_microphone_is_retried_with_backoff(caplog: pytest.LogCaptureFixture) -> None:
    from voice.audio.devices import ResilientMic

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


def test_devices_are_looked_for_again_while_the_microphone_stays_away() -> None:
    from voice.audio.devices import ResilientMic

    rescans = []
    mic = FlakyMic(failures=7)
    source = ResilientMic(mic, max_backoff=0.01, rescan=lambda: rescans.append(mic.opens))  # type: ignore[arg-type]
    source._backoff = 0.01
    deadline = time.monotonic() + 5
    while source.read(0.01) is None and time.monotonic() < deadline:
        pass
    assert mic.opens == 8
    assert rescans == [3, 6]  # after every third failed attempt


class Outage:
    """A sound server of the test's own, so the shared one stays up: it can go and come back."""

    def __init__(self) -> None:
        self.server = start_server()

    def begin(self) -> None:
        stop_server(self.server)

    def end(self) -> VirtualAudio:
        self.server = start_server()
        return self.server


@pytest.fixture
def outage(virtual_audio: VirtualAudio) -> Iterator[Outage]:
    made = Outage()
    yield made
    stop_server(made.server)
    os.environ["XDG_RUNTIME_DIR"] = str(virtual_audio.runtime)  # back to the shared server
    from voice.audio.devices import rescan_devices

    rescan_devices()  # so this process lists the shared server's devices, not the gone one's


@pytest.mark.audio
def test_real_microphone_that_goes_away_comes_back(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    from voice.audio.devices import Mic, ResilientMic, Speaker, rescan_devices, tone

    caplog.set_level(logging.INFO)

    def chunks_within(source: ResilientMic, seconds: float) -> int:
        count, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            count += source.read(0.1) is not None
        return count

    speaker = Speaker(None)
    speaker.open()
    rescans = []

    def rescan() -> None:  # as `goodenough run` does it: speaker closed, devices listed
        rescans.append(time.monotonic())
        speaker.close()
        rescan_devices()

    source = ResilientMic(Mic(None), max_backoff=1.0, rescan=rescan)
    source.mic.open()
    assert chunks_within(source, 1.0) >= 5
    outage.begin()  # the microphone is gone
    assert chunks_within(source, 2.5) <= 2  # at most what was already queued
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert rescans, "devices were not looked for again"
    outage.end()  # and back
    assert chunks_within(source, 4.0) >= 10
    assert any("microphone is back" in r.getMessage() for r in caplog.records)
    speaker.play(tone(0.5))  # the speaker reopens after the rescan
    assert speaker.wait(5.0) and speaker.started_at is not None
    speaker.close()
    source.mic.close()


@pytest.mark.audio
def test_real_speaker_that_goes_away_is_reopened(
    outage: Outage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from voice.audio.devices import Speaker, tone

    speaker = Speaker(None)
    speaker.open()
    speaker.play(tone(5.0))
    time.sleep(0.5)
    outage.begin()  # gone in the middle of a sound
    assert speaker.wait(2.0), "still 'speaking' to a speaker that is gone"
    assert any("speaker stopped" in r.getMessage() for r in caplog.records)
    speaker.play(tone(1.0))  # nowhere to play: dropped at once, with a warning
    assert not speaker.speaking
    recording = tmp_path / "back.raw"
    recorder = outage.end().record_speaker(recording)
    time.sleep(0.3)
    speaker.play(tone(1.0))
    assert speaker.wait(5.0)
    time.sleep(0.3)
    recorder.terminate()
    recorder.wait()
    speaker.close()
    spans = loud_spans(recording)
    assert spans and 0.8 < spans[0][1] - spans[0][0] < 1.3, spans
