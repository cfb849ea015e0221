"""The audio commands' flags and handlers; audio libraries are imported only when used."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .dialog.dialog import Dialog
from .dialog.engine import Reply
from .settings import Settings


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the audio commands."""


def speaker_for_chat(settings: Settings) -> Callable[[Reply], None]:
    """A function that speaks chat replies."""
    raise NotImplementedError


def run_command(args: argparse.Namespace, settings: Settings, dialog: Dialog) -> int:
    """Run one audio command."""
    raise NotImplementedError
