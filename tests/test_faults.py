"""Faults a kitchen appliance must live through, on the virtual audio devices: a speech cache
that cannot be written (read-only or full), the speech model's folder deleted while running,
and synthesis failing for one line.

Read-only and full folders are made in a private mount namespace (`unshare -m`, as root), so
nothing outside the test sees them."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from voice.audio.synthesizer import SpeechError
from voice.settings import default_cache_dir

from .audio_env import VirtualAudio, loud_spans, unavailable, utterance
from .running import Log, Rig, goodenough
from .scripted import ScriptedRecognizer

pytestmark = pytest.mark.audio

READ_ONLY = """
set -e
mount --bind "$SPEECH" "$SPEECH" && mount -o remount,bind,ro "$SPEECH"
mount --bind "$UNDERSTANDING" "$UNDERSTANDING" && mount -o remount,bind,ro "$UNDERSTANDING"
exec "$@"
"""
"""The speech cache and the trained model's folder, both read-only inside the namespace."""

FULL = """
set -e
mount -t tmpfs -o size=256k tmpfs "$SPEECH"
ln -s "$UNDERSTANDING" "$SPEECH/understanding"
head -c 250k /dev/zero > "$SPEECH/filler" 2>/dev/null || true
exec "$@"
"""
"""The speech cache on a tiny file system that is already full."""


def _namespaces_work() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
            check=False,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def _answers_while(
    script: str, audio: VirtualAudio, model: Path, tmp_path: Path
) -> tuple[Log, list[tuple[float, float]]]:
    """Run `goodenough run` under `script`, say one sentence, and return its log and what the
    speaker played after the sentence."""
    if os.geteuid() != 0 or not _namespaces_work():
        unavailable("needs root and mount namespaces (unshare -m) to make the folder")
    speech = tmp_path / "cache" / "goodenough"
    wav = utterance("I feel so guilty about yelling at my kids", tmp_path, tail=2.5)
    recording = tmp_path / "out.raw"
    recorder = audio.record_speaker(recording)
    proc = goodenough(
        ["run", "--no-wake", "--model", str(model), "--log-transcripts"],
        audio,
        tmp_path,
        prefix=("unshare", "-m", "sh", "-c", script, "faults"),
        SPEECH=str(speech),
        UNDERSTANDING=str(default_cache_dir() / "understanding"),
    )
    logged = Log(proc)
    try:
        logged.wait_for("listening", 90)
        audio.speak_into_mic(wav).wait(15)
        logged.wait_for("reply (", 30, pause=0.05)
        time.sleep(3.0)
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    finally:
        proc.kill()
        proc.wait()
        logged.close()
        recorder.terminate()
        recorder.wait()
    assert proc.returncode == 0, logged.text
    assert "Traceback" not in logged.text
    return logged, loud_spans(recording)


def test_a_read_only_cache_still_speaks(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    _, spans = _answers_while(READ_ONLY, virtual_audio, korean_model, tmp_path)
    assert spans, "nothing was spoken"
    assert not list((tmp_path / "cache" / "goodenough").glob("*.wav")), "the cache was written"


def test_a_full_cache_still_speaks(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    _, spans = _answers_while(FULL, virtual_audio, korean_model, tmp_path)
    assert spans, "nothing was spoken"


def test_the_model_folder_deleted_while_running(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    # Links to the model's files, not copies (it is large): deleting the folder takes them
    # all away from the program just the same.
    shutil.copytree(korean_model, model, copy_function=os.symlink)
    wav = utterance("I feel so guilty about yelling at my kids", tmp_path, tail=2.5)
    proc = goodenough(
        ["run", "--no-wake", "--model", str(model), "--log-transcripts"], virtual_audio, tmp_path
    )
    logged = Log(proc)
    try:
        logged.wait_for("listening", 90)
        shutil.rmtree(model)
        virtual_audio.speak_into_mic(wav).wait(15)
        logged.wait_for("reply (", 30, pause=0.05)  # heard and answered on the loaded model
        doctor = goodenough(["doctor", "--model", str(model)], virtual_audio, tmp_path)
        out, _ = doctor.communicate(timeout=120)
        assert proc.poll() is None, logged.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        proc.kill()
        proc.wait()
        logged.close()
    assert doctor.returncode != 0
    assert str(model) in out and "goodenough models download" in out, out
    assert "Traceback" not in logged.text


def test_synthesis_failing_for_one_line_skips_only_that_reply(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    synth = rig.speech.synth
    real = synth._synthesise
    asked: list[str] = []

    def fails_once(text: str) -> object:
        asked.append(text)
        if len(asked) == 1:
            raise SpeechError("espeak-ng produced no audio")
        return real(text)

    synth._synthesise = fails_once  # type: ignore[method-assign]
    main = ScriptedRecognizer(
        [(0.5, "i yelled at my kids this morning"), (5.0, "give me a mantra")]
    )
    barge = ScriptedRecognizer([])
    loop = VoiceLoop(
        rig.dialog, rig.source, main, barge, rig.speech, Settings().with_values({"wake": False})
    )
    started = main.start = barge.start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="voice.audio.speech"):
        rig.run(loop, 9.0)
    assert len(main.heard) == 2, main.missed
    # A turn is kept once its reply is heard: the first had none, the second was spoken.
    assert [turn.category for turn in loop.turns] == ["mantra"]
    assert "a reply could not be spoken and was skipped" in caplog.text
    spans = rig.close()
    offset = started - rig.recording_started
    sound = [a - offset for a, b in spans if b - a > 0.2]
    assert sound and all(a > 5.0 for a in sound), sound  # only the second reply was heard
