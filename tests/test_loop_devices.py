"""The voice loop end to end on real (virtual) audio devices.

English speech cannot be recognised by the only model available here, so the wake phrase,
follow-up window and barge-in run with a scripted recogniser; the real Vosk engine drives
`goodenough run` as a separate process in the last tests.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from .audio_env import VirtualAudio, loud_spans, utterance
from .conftest import DIALOGS
from .running import Log, Rig, goodenough
from .scripted import ScriptedRecognizer

pytestmark = pytest.mark.audio


def test_wake_phrase_follow_up_and_barge_in(rig: Rig) -> None:
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    main = ScriptedRecognizer(
        [
            (0.5, "what is the weather like"),  # no wake phrase: ignored
            (1.5, "hey friend i yelled at my kids this morning"),  # answered
            (5.0, "give me a mantra"),  # in the follow-up window
            (14.0, "i feel so guilty"),  # window closed: ignored
        ]
    )
    barge = ScriptedRecognizer([(3.0, "stop")])  # while the reply plays
    loop = VoiceLoop(
        rig.dialog,
        rig.source,
        main,
        barge,
        rig.speech,
        Settings().with_values({"follow_up_seconds": 3.0}),
    )
    rig.speech.synth.warm(t for r in rig.dialog.scripts.responses.values() for t in r.say).join()
    started = main.start = barge.start = time.monotonic()
    rig.run(loop, 16.0)

    assert [t for _, t in main.heard] == [t for _, t in sorted(main.heard)]
    assert len(main.heard) == 4, main.missed
    assert [turn.category for turn in loop.turns] == ["guilt", "mantra"]
    assert len(loop.barge_ins) == 1
    barge_in = loop.barge_ins[0]
    assert rig.speaker.silenced_at is not None
    assert rig.speaker.silenced_at - barge_in.heard_at < 0.3
    for turn in loop.turns:
        assert turn.first_frame is not None and turn.first_frame - turn.transcript < 0.5

    spans = rig.close()
    offset = started - rig.recording_started
    sound = [(a - offset, b - offset) for a, b in spans if b - a > 0.2]
    assert sound, "nothing was heard from the speaker"
    assert 1.4 < sound[0][0] < 2.5, sound  # spoke after the wake utterance
    assert 2.8 < sound[0][1] < 3.8, sound  # cut off by "stop"
    assert any(4.9 < a < 6.0 for a, _ in sound), sound  # answered in the follow-up window
    assert all(a < 12.0 for a, _ in sound), sound  # nothing after the window closed


def test_own_voice_does_not_barge_in(rig: Rig) -> None:
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    main = ScriptedRecognizer([])
    barge = ScriptedRecognizer([(0.6, "enough"), (3.5, "stop")])
    loop = VoiceLoop(rig.dialog, rig.source, main, barge, rig.speech, Settings())
    text = "Enough. Good enough is enough. You are doing so well, and you can rest now, my friend."
    rig.speech.synth.pcm(text)
    barge.start = main.start = time.monotonic()
    loop._say(text)
    rig.run(loop, 5.0)
    assert [b.word for b in loop.barge_ins] == ["stop"]


def test_run_with_real_vosk_answers_spoken_words(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    wav = utterance("I feel so guilty about yelling at my kids", tmp_path, tail=2.5)
    recording = tmp_path / "out.raw"
    recorder = virtual_audio.record_speaker(recording)
    proc = goodenough(
        ["run", "--no-wake", "--model", str(korean_model), "--timings", "--log-transcripts"],
        virtual_audio,
        tmp_path,
    )
    logged = Log(proc)
    try:
        logged.wait_for("listening", 60, pause=0.2)
        time.sleep(1.0)
        virtual_audio.speak_into_mic(wav).wait(15)
        logged.wait_for("timings", 30, pause=0.2)
        time.sleep(2.0)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(15)
        logged.close()
        recorder.terminate()
        recorder.wait()
    log = logged.text
    assert proc.returncode == 0, log
    assert "Traceback" not in log
    assert "heard:" in log and "->first frame" in log
    found = re.search(r"speech end->endpoint (\d+) ms", log)
    assert found, log  # her last word's end, from Vosk's word times
    # The endpoint silence, or the stall fallback, plus the slack of word times from a model
    # that does not know English and of a busy machine: bounded, not exact (the loop
    # benchmark measures it).
    assert 0 < int(found.group(1)) < 6000
    assert loud_spans(recording), "the program did not speak"


def test_sigterm_mid_sentence_ends_within_two_seconds(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    wav = utterance("I feel so guilty about yelling at my kids", tmp_path, tail=2.5)
    proc = goodenough(
        ["run", "--no-wake", "--model", str(korean_model), "--log-transcripts"],
        virtual_audio,
        tmp_path,
    )
    logged = Log(proc)
    try:
        logged.wait_for("listening", 60)
        virtual_audio.speak_into_mic(wav).wait(15)
        logged.wait_for("reply (", 30, pause=0.05)
        time.sleep(0.5)  # every reply takes seconds to say: this is mid-sentence
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        took = time.monotonic() - asked
    finally:
        proc.kill()
        proc.wait()
        logged.close()
    assert took < 2.0, took
    assert proc.returncode == 0 and "Traceback" not in logged.text


def test_run_explains_a_missing_model(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    proc = goodenough(["run"], virtual_audio, tmp_path, GOODENOUGH_MODEL=str(tmp_path / "none"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "not a Vosk model folder" in err and "goodenough models download" in err
    assert "Traceback" not in err


def test_run_explains_a_missing_microphone(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    proc = goodenough(
        ["run", "--model", str(korean_model), "--mic", "no-such-mic"], virtual_audio, tmp_path
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "no input device matches 'no-such-mic'" in err and "goodenough devices" in err
    assert "Traceback" not in err


def test_run_refuses_to_start_when_the_crisis_replies_cannot_be_rendered(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    # Synthesis broken on purpose: the crisis replies cannot be made ready before listening
    # starts, so it must not start at all.
    # Both ways of driving espeak-ng give silence in that process (sitecustomize runs first).
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "sitecustomize.py").write_text(
        "import numpy, voice.audio.synthesizer as tts\n"
        "def silent(self, text):\n"
        "    return numpy.zeros(0, numpy.int16)\n"
        "tts.Synthesizer._via_pyttsx3 = silent\n"
        "tts.Synthesizer._via_program = silent\n",
        encoding="utf-8",
    )
    proc = goodenough(
        ["run", "--model", str(korean_model)], virtual_audio, tmp_path, PYTHONPATH=str(broken)
    )
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "crisis replies could not be rendered, so it will not start" in err
    assert "espeak-ng" in err and "Traceback" not in err


def test_run_tells_systemd_it_is_ready_pings_its_watchdog_and_stops_quickly(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    import socket

    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(60)
        proc = goodenough(
            ["run", "--model", str(korean_model)],
            virtual_audio,
            tmp_path,
            NOTIFY_SOCKET=address,
            WATCHDOG_USEC="1000000",
        )
        try:
            assert server.recv(100) == b"READY=1"
            server.settimeout(2)
            assert [server.recv(100) for _ in range(3)] == [b"WATCHDOG=1"] * 3
            asked = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            assert time.monotonic() - asked < 2.0
            assert proc.returncode == 0
            assert server.recv(100) == b"STOPPING=1"
        finally:
            proc.kill()
            proc.communicate()


def test_sighup_reloads_the_scripts_and_the_config_and_a_broken_edit_changes_nothing(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    import shutil
    import socket

    scripts = tmp_path / "dialogs"
    shutil.copytree(DIALOGS, scripts)
    practices = scripts / "practices.yaml"
    good = practices.read_text(encoding="utf-8")
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(60)
        proc = goodenough(
            ["--dialogs", str(scripts), "run", "--model", str(korean_model)],
            virtual_audio,
            tmp_path,
            NOTIFY_SOCKET=address,
        )
        logged = Log(proc)
        try:
            assert server.recv(100) == b"READY=1"
            practices.write_text(good + "\nresponses:\n  broken: [\n", encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            logged.wait_for("the ones already loaded keep running", 60)
            assert logged.has(f"{practices}:"), logged.text
            assert proc.poll() is None
            practices.write_text(good.replace("Good enough is enough", "Enough is plenty"))
            proc.send_signal(signal.SIGHUP)
            logged.wait_for("scripts reloaded", 60)
            config = tmp_path / "config" / "goodenough" / "config.yaml"
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text("country: GB\nvolume: 0.5\nmic: another\n", encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            logged.wait_for("settings now in use: volume, country", 60)
            logged.wait_for("used only after a restart: mic", 10)
            config.write_text("volume: 7\n", encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            logged.wait_for("the settings already in use stay", 60)
            assert logged.has(f"{config}: volume"), logged.text
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            proc.kill()
            proc.wait()
            logged.close()
    assert "Traceback" not in logged.text


def test_say_speaks_one_line(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    recording = tmp_path / "out.raw"
    recorder = virtual_audio.record_speaker(recording)
    proc = goodenough(["say", "Good enough is enough."], virtual_audio, tmp_path)
    out, err = proc.communicate(timeout=60)
    time.sleep(0.3)
    recorder.terminate()
    recorder.wait()
    assert proc.returncode == 0, err
    assert out == ""
    spans = loud_spans(recording)
    assert spans and 0.8 < spans[-1][1] - spans[0][0] < 4.0, spans
    assert os.path.isdir(tmp_path / "cache" / "goodenough")


def test_fresh_processes_speak_the_whole_crisis_reply(
    virtual_audio: VirtualAudio, tmp_path: Path
) -> None:
    # Each with an empty speech cache, as on a fresh install: the reply that must never
    # fail is heard from its first word to its last, every time.
    from voice.audio.synthesizer import Synthesizer
    from voice.dialog.crisis import crisis_reply, load_helplines

    text = crisis_reply("crisis_self", load_helplines()["US"])
    synth = Synthesizer(None, 150, None)
    seconds = len(synth.pcm(text)) / synth.sample_rate
    # Twice here through the speaker (each run is slow); test_tts_real renders it in five.
    for attempt in range(2):
        folder = tmp_path / f"fresh{attempt}"
        folder.mkdir()
        recording = folder / "out.raw"
        recorder = virtual_audio.record_speaker(recording)
        proc = goodenough(["chat", "--speak"], virtual_audio, folder, stdin=True)
        out, err = proc.communicate("i want to kill myself\n", timeout=120)
        time.sleep(0.3)
        recorder.terminate()
        recorder.wait()
        assert proc.returncode == 0 and "988" in out, err
        spans = loud_spans(recording, gap=0.8)
        heard = spans[-1][1] - spans[0][0] if spans else 0.0
        assert heard > 0.85 * seconds, (attempt, heard, seconds, spans)


def test_chat_speak_says_each_reply(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    recording = tmp_path / "out.raw"
    recorder = virtual_audio.record_speaker(recording)
    proc = goodenough(["chat", "--speak"], virtual_audio, tmp_path, stdin=True)
    out, err = proc.communicate("give me a mantra\nthanks\n", timeout=60)
    time.sleep(1.0)  # what the server still holds reaches the recording on a busy machine
    recorder.terminate()
    recorder.wait()
    assert proc.returncode == 0, err
    replies = [
        line.split("good enough> ", 1)[1] for line in out.splitlines() if "good enough> " in line
    ]
    assert len(replies) == 2
    from voice.audio.synthesizer import Synthesizer

    synth = Synthesizer(None, 150, None)
    expected = sum(len(synth.pcm(text)) / synth.sample_rate for text in replies)
    spans = loud_spans(recording)
    heard = spans[-1][1] - spans[0][0]
    assert expected - 0.6 < heard < expected + 1.5, (expected, spans)  # both, each to the end


def test_devices_lists_the_virtual_ones(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    proc = goodenough(["devices"], virtual_audio, tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "pulse" in out or "default" in out, out


def test_voice_steers_a_breathing_exercise(rig: Rig) -> None:
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    main = ScriptedRecognizer([(0.5, "can we do box breathing")])
    barge = ScriptedRecognizer([(9.0, "slower"), (15.0, "stop")])
    loop = VoiceLoop(
        rig.dialog, rig.source, main, barge, rig.speech, Settings().with_values({"wake": False})
    )
    started = main.start = barge.start = time.monotonic()
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    try:
        time.sleep(5.0)
        player = loop.state.player
        assert player is not None, "the exercise did not start"
        assert player.exercise.pattern.id == "box"
        time.sleep(6.0)
        assert player.exercise.pace > 1.0  # "slower" reached the player
        time.sleep(9.0)
        assert player.stopped  # "stop" ended it long before its four rounds were done
        assert [b.word for b in loop.barge_ins] == ["stop"]
        assert loop.state.player is None
    finally:
        stop.set()
        thread.join(5)
    spans = rig.close()
    offset = started - rig.recording_started
    sound = [(a - offset, b - offset) for a, b in spans if b - a > 0.2]
    assert sound and sound[0][0] < 2.0, sound  # the exercise began at once
    assert all(a < 18.0 for a, _ in sound), sound  # and ended after "stop" and a closing line
