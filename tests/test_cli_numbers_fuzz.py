"""Fuzz: every numeric flag, given odd values, either works or exits 2 naming the flag; never a
traceback, never a signal. The ranges here are written out from the documented limits."""

from __future__ import annotations

import contextlib
import io
import json
import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice.cli.main import _parser

from .conftest import in_process

pytestmark = pytest.mark.usefixtures("dialog")
"""Loading the scripts once in this process first leaves the trained model in the shared
cache, so the programs started below do not each train it (slow) on a fresh machine."""


@dataclass(frozen=True)
class NumberFlag:
    """A numeric flag, the command it belongs to, and the range it must accept."""

    command: tuple[str, ...]
    flag: str
    low: float
    high: float
    whole: bool = False
    runs_offline: bool = False
    """An accepted value may be run for real: the command opens no audio and no network."""
    real: bool = True
    """Also tried through the real program (once per flag; the other commands that share
    the flag share its parsing, which the in-process tests cover)."""

    @property
    def attribute(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    def accepts(self, text: str) -> bool:
        """What the documented range says about `text`, written as a user would read it."""
        try:
            value = int(text) if self.whole else float(text)
        except ValueError:
            return False
        return math.isfinite(value) and self.low <= value <= self.high


BREATHE = ("breathe", "--json")
FLAGS = [
    NumberFlag(BREATHE, "--pace", 0.5, 2.0, runs_offline=True),
    NumberFlag(BREATHE, "--rounds", 1, 100, whole=True, runs_offline=True),
    NumberFlag(BREATHE, "--volume", 0.0, 1.0, runs_offline=True),
    NumberFlag(BREATHE, "--rate", 80, 450, whole=True, runs_offline=True),
    NumberFlag(("say", "hello"), "--volume", 0.0, 1.0, real=False),
    NumberFlag(("say", "hello"), "--rate", 80, 450, whole=True, real=False),
    NumberFlag(("run",), "--follow-up", 0.0, 120.0),
    NumberFlag(("run",), "--volume", 0.0, 1.0, real=False),
    NumberFlag(("models", "download"), "--timeout", 1.0, 3600.0),
    NumberFlag(("eval",), "--folds", 2, 10, whole=True),
]
IDS = [f"{' '.join(f.command)} {f.flag}" for f in FLAGS]
ODD = ["nan", "inf", "-inf", "-1", "0", "1e18", "9" * 40, "1e309", "", "abc"]
"""Odd values every flag gets through the parser."""
REAL = ["nan", "1e309", "abc"]
"""Those each flag also gets through the real program (starting one takes half a second)."""
ODDER = ["NaN", "-Infinity", "-0", "-1e309", "1e-320", " 7 ", "0x10", "1,5", "2.5", "1_0"]
ODDER += ["9" * 5000, "\u0665", "\u0661\u0660", "\x00", "--", "-", "5e", "0.5.5", "1e309j"]
"""More, for the parser alone (quick enough to try them all)."""


def ends(spec: NumberFlag) -> list[str]:
    """At each end of the range and just past it."""
    if spec.whole:
        values = [spec.low, spec.high, spec.low - 1, spec.high + 1]
        return [str(int(v)) for v in values]
    step = 1e-3 * (spec.high - spec.low)
    return [repr(v) for v in (spec.low, spec.high, spec.low - step, spec.high + step)]


def parse(spec: NumberFlag, argv: list[str]) -> tuple[int, float | None, str]:
    """(exit status, parsed value, stderr) from the real parser, in this process."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            args = _parser().parse_args([*spec.command, *argv])
        except SystemExit as stop:
            return int(stop.code or 0), None, err.getvalue()
    return 0, getattr(args, spec.attribute), err.getvalue()


def check_parse(spec: NumberFlag, argv: list[str]) -> tuple[int, float | None]:
    """The property every value must have; returns what happened."""
    status, value, err = parse(spec, argv)
    if status == 0:
        assert value is not None and math.isfinite(value), (argv, value)
        assert spec.low <= value <= spec.high, (argv, value)
        assert not spec.whole or isinstance(value, int), (argv, value)
    else:
        assert status == 2, (argv, status, err)
        assert f"argument {spec.flag}:" in err, (argv, err)
        assert "Traceback" not in err
    return status, value


@pytest.mark.parametrize("spec", FLAGS, ids=IDS)
def test_the_parser_takes_exactly_the_documented_range(spec: NumberFlag) -> None:
    for text in [*ODD, *ODDER, *ends(spec)]:
        status, value = check_parse(spec, [f"{spec.flag}={text}"])
        assert (status == 0) == spec.accepts(text), (spec.flag, text, status)
        if status == 0:
            assert value == (int(text) if spec.whole else float(text))
        check_parse(spec, [spec.flag, text])  # a value that looks like a flag is refused too


TEXT = st.one_of(
    st.text(max_size=40),
    st.floats().map(repr),
    st.floats(-1e4, 1e4).map(str),
    st.integers().map(str),
    st.integers(-200, 5000).map(str),
)


@given(spec=st.sampled_from(FLAGS), text=TEXT)
@settings(max_examples=400, deadline=None)
def test_any_text_for_a_number_is_taken_in_range_or_refused(spec: NumberFlag, text: str) -> None:
    status, _value = check_parse(spec, [f"{spec.flag}={text}"])
    assert (status == 0) == spec.accepts(text), (spec.flag, text)


def run_real(spec: NumberFlag, text: str) -> str | None:
    """Run the program's entry point with one value; what went wrong, or None."""
    argv = [*spec.command, f"{spec.flag}={text}"]
    done = in_process(argv)
    err = done.stderr.decode(errors="replace")
    said = f"{' '.join(argv)!r} -> {done.returncode}: {err[-300:]!r}"
    expected = 0 if spec.accepts(text) else 2
    if done.returncode != expected or "Traceback" in err:
        return said
    if expected == 2 and f"argument {spec.flag}:" not in err:
        return said
    if expected == 0:
        data = json.loads(done.stdout, parse_constant=lambda name: math.nan)
        if not all(math.isfinite(c["at"]) and c["at"] >= 0 for c in data["cues"]):
            return f"{said}: times that are not finite or are negative"
    return None


def test_the_real_program_with_odd_numbers() -> None:
    """Through the real CLI: a few odd values and both ends of the range for the commands
    that can run here; for the ones that would open audio or the network, the values that
    must be refused before that."""
    cases = [
        (spec, text)
        for spec in FLAGS
        if spec.real
        for text in [*REAL, *ends(spec)[:2]]
        if spec.runs_offline or not spec.accepts(text)
    ]
    problems = [p for p in (run_real(*case) for case in cases) if p]
    assert problems == []
