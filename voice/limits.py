"""What the command line and the config file may say: one table of allowed ranges for every
number, argparse types that check against it, and a parser that refuses empty values."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """An inclusive range for one setting, and how to name it in a message."""

    what: str
    low: float
    high: float
    unit: str = ""
    whole: bool = False
    """Only whole numbers (rounds, words a minute)."""

    def allowed(self) -> str:
        """'a whole number from 1 to 100', with the unit when there is one."""
        kind = "a whole number" if self.whole else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {self.low:g} to {self.high:g}{unit}"

    def problem(self, shown: str) -> str:
        return f"{self.what} must be {self.allowed()}; got {shown}"

    def check(self, value: float) -> float:
        """`value` itself when it is within the range; ValueError (naming it) otherwise."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(self.problem(repr(value)))
        finite = isinstance(value, int) or math.isfinite(value)
        if not finite or not self.low <= value <= self.high or (self.whole and value % 1):
            raise ValueError(self.problem(repr(value)))
        return value

    def parse(self, text: str) -> float:
        """The number written in `text`, checked; ValueError (naming it) otherwise."""
        try:
            value: float = int(text) if self.whole else float(text)
        except ValueError:
            raise ValueError(self.problem(repr(text))) from None
        try:
            return self.check(value)
        except ValueError:
            raise ValueError(self.problem(repr(text))) from None


LIMITS: dict[str, Limit] = {
    "volume": Limit("the volume", 0.0, 1.0, "(0 is silent, 1 is full)"),
    "rate_wpm": Limit("the speaking rate", 80, 450, "words a minute", whole=True),
    "follow_up_seconds": Limit("the follow-up time", 0, 120, "seconds"),
    "endpoint_silence_seconds": Limit("the silence that ends an utterance", 0.1, 5, "seconds"),
    "conversation_minutes": Limit("the conversation length", 1, 60, "minutes"),
    "pace": Limit("the breathing pace", 0.5, 2.0, "(1.2 is 20% slower)"),
    "rounds": Limit("the number of breathing rounds", 1, 100, whole=True),
    "folds": Limit("the number of folds", 2, 10, whole=True),
    "timeout": Limit("the download timeout", 1, 3600, "seconds"),
}
"""Keyed by the Settings field (config file and flag alike) or, for flag-only numbers, by the
flag's name. The config file and the flags both check against this table."""


def in_range(key: str) -> Callable[[str], float]:
    """An argparse `type` for a number from the table: exit 2 with the range when outside."""
    limit = LIMITS[key]

    def parse(text: str) -> float:
        try:
            return limit.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = key  # argparse names the type in some of its own messages
    return parse


def has_words(what: str) -> Callable[[str], str]:
    """An argparse `type` for text that must hold at least one word (a wake phrase)."""

    def parse(text: str) -> str:
        if not text.split():
            raise argparse.ArgumentTypeError(f"{what} must have at least one word")
        return text

    return parse


MAY_BE_EMPTY = frozenset({"files", "paths"})
"""Arguments that are rightly an empty list when none are given."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that refuses `--flag=--`: Python 3.11's argparse drops the `--` and
    stores an empty list, which no type function ever sees."""

    def parse_known_args(  # type: ignore[override]  # typeshed's overloads; one form is used
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extra = super().parse_known_args(args, namespace)
        for name, value in vars(parsed).items():
            empty = value == [] and name not in MAY_BE_EMPTY
            if empty or (isinstance(value, list) and [] in value):
                self.error(f"argument --{name.replace('_', '-')}: expected a value")
        return parsed, extra
