"""The one error family: problems a person can fix, each message saying how. The command
line catches them at its edge and prints the message; anything else is a bug."""

from __future__ import annotations


class GoodEnoughError(Exception):
    """Something in the set-up or the input stops a command; the message is the fix."""


class EngineError(GoodEnoughError):
    """A speech model, audio device, voice or download cannot be used (exit status 1)."""
