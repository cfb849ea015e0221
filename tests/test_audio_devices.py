"""Real sounddevice I/O through the private PulseAudio server's virtual devices."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from .audio_env import VirtualAudio, loud_spans, utterance, wav_seconds

pytestmark = pytest.mark.audio


def test_devices_are_listed_and_bad_names_explained(virtual_audio: VirtualAudio) -> None:
    from voice.audio.devices import AudioDeviceError, find_device, list_devices

    assert any("pulse" in line or "default" in line for line in list_devices())
    with pytest.raises(AudioDeviceError, match="goodenough devices"):
        find_device("no-such-microphone", "input")


def test_speaker_plays_and_stops_at_once(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    from voice.audio.devices import Speaker, tone

    speaker = Speaker(None)
    speaker.open()
    recording = tmp_path / "out.raw"
    recorder = virtual_audio.record_speaker(recording)
    try:
        time.sleep(0.5)
        speaker.play(tone(3.0), volume=1.0)
        time.sleep(1.0)
        assert speaker.speaking and speaker.started_at is not None
        cut = time.monotonic()
        speaker.stop()
        time.sleep(0.1)
        assert speaker.silenced_at is not None and speaker.silenced_at - cut < 0.1
        time.sleep(1.0)
    finally:
        recorder.terminate()
        recorder.wait()
        speaker.close()
    spans = loud_spans(recording)
    assert spans, "nothing reached the virtual speaker"
    loudest = max(spans, key=lambda s: s[1] - s[0])
    # Three seconds of tone, cut after one: the recorded sound lasts about one second.
    assert 0.7 < loudest[1] - loudest[0] < 1.6, spans


def test_microphone_hears_the_virtual_mic(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    from voice.audio.devices import MIC_RATE, Mic

    wav = utterance("I yelled at my kids this morning", tmp_path)
    mic = Mic(None)
    mic.open()
    try:
        time.sleep(0.3)
        while not mic.chunks.empty():
            mic.chunks.get_nowait()
        player = virtual_audio.speak_into_mic(wav)
        player.wait(timeout=10)
        time.sleep(0.3)
        chunks = []
        while not mic.chunks.empty():
            chunks.append(mic.chunks.get_nowait())
    finally:
        mic.close()
    assert all(c.rate == MIC_RATE for c in chunks)
    heard = np.frombuffer(b"".join(c.pcm for c in chunks), dtype="<i2")
    assert len(heard) / MIC_RATE > wav_seconds(wav) * 0.8
    assert np.abs(heard).max() > 3000, "the utterance did not come through the microphone"


def test_microphone_is_delivering_when_open_returns(virtual_audio: VirtualAudio) -> None:
    from voice.audio.devices import Mic

    mic = Mic(None)
    mic.open()
    try:
        first = mic.chunks.get(timeout=0.3)  # a fresh stream alone can take over a second
        assert first.pcm
    finally:
        mic.close()
