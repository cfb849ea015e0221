"""What one check of `goodenough doctor` found: the report's line, or the fix that blocks
`run`. Kept apart so the checks of each part can live in their own module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it went, and the detail or the fix."""

    name: str
    status: Status
    detail: str


class Blocked(Exception):
    """A check found something that stops `run`; the message is the fix."""
