"""Real espeak-ng synthesis through pyttsx3, and the speech cache."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from .audio_env import unavailable

pytestmark = pytest.mark.audio


@pytest.fixture
def synth_class() -> type:
    try:
        from voice.tts import Synthesizer
    except ImportError as exc:
        unavailable(f"pyttsx3 is not installed: {exc}")
        raise
    return Synthesizer


def test_synthesis_gives_speech_and_keeps_stdout_clean(
    synth_class: type, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    synth = synth_class(None, 150, tmp_path)
    samples = synth.pcm("Good enough is enough.")
    seconds = len(samples) / synth.sample_rate
    assert 0.8 < seconds < 4.0
    assert np.abs(samples).max() > 0.1
    assert capfd.readouterr().out == ""


def test_disk_cache_is_keyed_by_text_voice_and_rate(synth_class: type, tmp_path: Path) -> None:
    first = synth_class(None, 150, tmp_path)
    samples = first.pcm("Rest is not a luxury.")
    assert len(list(tmp_path.glob("*.wav"))) == 1
    second = synth_class(None, 150, tmp_path)
    assert np.array_equal(second.pcm("Rest is not a luxury."), samples)
    assert len(list(tmp_path.glob("*.wav"))) == 1  # read from disk, not written again
    second.set_rate(second.rate_wpm + 60)
    faster = second.pcm("Rest is not a luxury.")
    assert len(faster) < len(samples) * 0.9
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_each_utterance_comes_at_the_rate_asked_for(synth_class: type) -> None:
    synth = synth_class(None, 150, None)
    for index in range(6):
        text = f"Rest is not a luxury, number {index}."
        normal = len(synth.pcm(text))
        synth.set_rate(210)
        fast = len(synth.pcm(text + " "))
        synth.set_rate(150)
        again = len(synth.pcm(text + "  "))
        assert fast < 0.85 * normal, (index, normal, fast)
        assert 0.9 * normal < again < 1.1 * normal, (index, normal, again)


def test_rate_stays_within_bounds(synth_class: type, tmp_path: Path) -> None:
    synth = synth_class(None, 150, tmp_path)
    assert synth.set_rate(10) == 90
    assert synth.set_rate(1000) == 240


def test_phone_numbers_are_read_digit_by_digit() -> None:
    from voice.tts import speakable

    assert speakable("Call 1-833-852-6262 or 988.") == "Call 1, 8 3 3, 8 5 2, 6 2 6 2 or 9 8 8."
    assert speakable("\x01300Shello\tthere") == " 300Shello there"


def test_close_stops_warming_after_the_utterance_in_progress(synth_class: type) -> None:
    synth = synth_class(None, 150, None)
    texts = [f"Line number {index} of a long warm-up." for index in range(200)]
    thread = synth.warm(texts)
    while not synth.cached(texts[0]):
        time.sleep(0.005)
    synth.close()
    thread.join(5)
    assert not thread.is_alive()
    assert not all(synth.cached(text) for text in texts)
