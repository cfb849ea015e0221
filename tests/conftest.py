"""Shared fixtures: the shipped scripts, compiled once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def dialog() -> Dialog:
    return Dialog.from_paths([DIALOGS])


@pytest.fixture
def conversation(dialog: Dialog) -> Conversation:
    return Conversation(dialog, random.Random(7))


def labelled(name: str) -> list[tuple[str, str]]:
    """(category, utterance) rows of a labelled set in tests/data."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            category, text = line.split("\t", 1)
            rows.append((category, text))
    return rows
