"""Helpers for tests that run the voice side on the private PulseAudio server's virtual
devices: an in-process rig, and `goodenough` as a separate process with its log read live."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from voice.dialog.dialog import Dialog
from voice.settings import default_cache_dir

from .audio_env import VirtualAudio, loud_spans
from .conftest import DIALOGS, ROOT


class Rig:
    """Real mic, speaker and speech; recognisers supplied by the test."""

    def __init__(self, audio: VirtualAudio, dialog: Dialog, folder: Path) -> None:
        from voice.audio.devices import Mic, ResilientMic, Speaker
        from voice.audio.speech import SpeechOut
        from voice.audio.synthesizer import Synthesizer

        self.speaker = Speaker(None)
        self.speaker.open()
        self.speech = SpeechOut(Synthesizer(None, 160, folder / "cache"), self.speaker, 0.9)
        self.mic = Mic(None)
        self.mic.open()
        self.source = ResilientMic(self.mic)
        self.dialog = dialog
        self.recording = folder / "speaker.raw"
        self.recorder = audio.record_speaker(self.recording)
        time.sleep(0.5)
        self.recording_started = time.monotonic() - 0.5

    def run(self, loop: object, seconds: float) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop,))  # type: ignore[attr-defined]
        thread.start()
        time.sleep(seconds)
        stop.set()
        thread.join(5)

    def close(self) -> list[tuple[float, float]]:
        self.mic.close()
        self.speaker.close()
        self.recorder.terminate()
        self.recorder.wait()
        return loud_spans(self.recording)


def _warm_understanding(cache: Path) -> None:
    """The trained model from the shared cache, so each process does not train it again
    (the speech cache under `cache` stays empty, as on a fresh install)."""
    shared = default_cache_dir() / "understanding"
    Dialog.from_paths([DIALOGS], default_cache_dir())
    (cache / "goodenough").mkdir(parents=True, exist_ok=True)
    link = cache / "goodenough" / "understanding"
    if not link.exists():
        link.symlink_to(shared, target_is_directory=True)


def goodenough(
    args: list[str],
    audio: VirtualAudio,
    tmp_path: Path,
    stdin: bool = False,
    prefix: tuple[str, ...] = (),
    **env: str,
) -> subprocess.Popen[str]:
    """`goodenough ARGS` on the virtual devices with its own config and speech cache;
    `prefix` runs it under another command (which must end by exec'ing its arguments)."""
    _warm_understanding(tmp_path / "cache")
    full_env = {
        **audio.env(),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **env,
    }
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "voice", *args],
        cwd=ROOT,
        env=full_env,
        text=True,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


class Log:
    """A running program's log lines, read as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        stream = proc.stderr
        assert stream is not None
        self._reader = threading.Thread(
            target=lambda: self.lines.extend(iter(stream.readline, "")), daemon=True
        )
        self._reader.start()

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def wait_for(self, text: str, seconds: float, pause: float = 0.1) -> None:
        """Until a line holds `text`; fails if the program ends or time runs out first."""
        deadline = time.monotonic() + seconds
        while not self.has(text):
            assert self.proc.poll() is None and time.monotonic() < deadline, self.text
            time.sleep(pause)

    def close(self) -> None:
        self._reader.join(5)
