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
        from voice.audio.synthesizer import Synthesizer
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
    first.pcm("Something said once.")
    assert not list(tmp_path.glob("*.wav"))  # speaking leaves no trace on disk
    samples = first.prepare("Rest is not a luxury.")
    assert len(list(tmp_path.glob("*.wav"))) == 1
    second = synth_class(None, 150, tmp_path)
    assert np.array_equal(second.pcm("Rest is not a luxury."), samples)
    assert len(list(tmp_path.glob("*.wav"))) == 1  # read from disk, not written again
    second.set_rate(second.rate_wpm + 60)
    faster = second.prepare("Rest is not a luxury.")
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
    assert synth.set_rate(10) == 80  # the --rate range
    assert synth.set_rate(1000) == 450


def test_phone_numbers_are_read_digit_by_digit() -> None:
    from voice.audio.synthesizer import speakable

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


def test_nothing_new_is_synthesised_after_close(synth_class: type) -> None:
    from voice.audio.synthesizer import SpeechClosed

    synth = synth_class(None, 150, None)
    said = synth.pcm("Said before closing.")
    synth.close()
    assert len(synth.pcm("Said before closing.")) == len(said)  # from memory, no espeak-ng
    with pytest.raises(SpeechClosed):
        synth.pcm("A line nobody asked for before closing.")


_RENDER_ALL = """
import sys
from voice.dialog.crisis import all_replies, load_helplines
from voice.audio.synthesizer import Synthesizer
synth = Synthesizer(None, 150, None)
for lines in load_helplines().values():
    for text in all_replies(lines):
        seconds = len(synth.pcm(text)) / synth.sample_rate
        print(round(seconds / len(text.split()), 3))
"""


def test_every_crisis_reply_renders_whole_in_five_fresh_processes() -> None:
    # The failure this guards against showed up only in fresh processes, on long lines.
    import subprocess
    import sys

    for _ in range(5):
        result = subprocess.run(
            [sys.executable, "-c", _RENDER_ALL], capture_output=True, text=True, check=True
        )
        per_word = [float(x) for x in result.stdout.split()]
        assert len(per_word) == 48
        # Whole lines: at 150 words a minute a word takes about 0.4 s, digits included.
        assert min(per_word) > 0.25, per_word


def test_a_line_that_cannot_be_spoken_is_skipped_and_crisis_lines_still_play(
    synth_class: type,
) -> None:
    from voice.audio.speech import SpeechOut
    from voice.audio.synthesizer import SpeechError

    class Speaker:
        played: list[int] = []  # noqa: RUF012 - a test double's record

        def play(self, samples: np.ndarray, volume: float) -> None:
            self.played.append(len(samples))

    synth = synth_class(None, 150, None)
    speech = SpeechOut(synth, Speaker(), 0.9)  # type: ignore[arg-type]
    speech.keep_ready(["Call 988 now."])

    def broken(text: str, keep: bool = True) -> np.ndarray:
        raise SpeechError("broken on purpose")

    synth.pcm = broken
    assert speech.say("An ordinary line.") == 0.0
    assert speech.say("Call 988 now.") > 0.5
    assert len(Speaker.played) == 1


def test_lines_said_once_are_not_kept_forever(
    synth_class: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voice.audio.synthesizer

    monkeypatch.setattr(voice.audio.synthesizer, "RECENT_LINES", 2)
    synth = synth_class(None, 150, None)
    synth.prepare("Good enough is enough.")
    for thing in ("the permission slip", "the library book", "the costume"):
        synth.pcm(f"You forgot {thing}. That happens.")
    # The script line prepared ahead stays; of the lines carrying her words, the last two.
    assert synth.cached("Good enough is enough.")
    assert not synth.cached("You forgot the permission slip. That happens.")
    assert synth.cached("You forgot the costume. That happens.")
