"""Numbers and config files are checked where they come in: flags and the config file share
one table of ranges; a bad value ends with exit 2 and a message, never a traceback."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voice.settings import ConfigError, Settings, load_config

from .conftest import ROOT
from .test_cli import run

pytestmark = pytest.mark.usefixtures("dialog")
"""Loading the scripts once in this process first leaves the trained model in the shared
cache, so the programs started below do not each train it (slow) on a fresh machine."""


def refused(result: subprocess.CompletedProcess[bytes], *expected: str) -> str:
    """The error text of a run that must have stopped at its input with exit 2."""
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err and result.stdout == b""
    for text in expected:
        assert text in err, err
    return err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["say", "hi", "--volume", "nan"], ["argument --volume:", "from 0 to 1", "'nan'"]),
        (["say", "hi", "--volume", "7.5"], ["argument --volume:", "from 0 to 1"]),
        (["say", "hi", "--rate", "0"], ["argument --rate:", "from 80 to 450 words a minute"]),
        (["run", "--follow-up", "inf"], ["argument --follow-up:", "from 0 to 120 seconds"]),
        (["breathe", "--pace", "inf"], ["argument --pace:", "from 0.5 to 2"]),
        (["breathe", "--json", "--pace", "nan"], ["argument --pace:", "'nan'"]),
        (["breathe", "--json", "--pace", "-1"], ["argument --pace:", "from 0.5 to 2"]),
        (["breathe", "--json", "--rounds", "1000000000"], ["argument --rounds:", "1 to 100"]),
        (["breathe", "--json", "--rounds", "0"], ["argument --rounds:", "from 1 to 100"]),
        (["breathe", "--json", "--rounds", "-1"], ["argument --rounds:", "from 1 to 100"]),
        (["breathe", "--json", "--rounds", "2.5"], ["argument --rounds:", "whole number"]),
        (["models", "download", "--timeout", "inf"], ["argument --timeout:", "seconds"]),
        (["eval", "--folds", "1"], ["argument --folds:", "from 2 to 10"]),
    ],
)
def test_flags_outside_their_range_are_refused(args: list[str], named: list[str]) -> None:
    refused(run(args), *named)


def finite_json(text: bytes) -> dict[str, object]:
    def no_constants(name: str) -> object:
        raise AssertionError(f"{name} in the JSON output")

    data: dict[str, object] = json.loads(text, parse_constant=no_constants)
    return data


@pytest.mark.parametrize(
    ("pace", "rounds", "volume", "rate"), [("0.5", "1", "0", "80"), ("2", "100", "1", "450")]
)
def test_both_ends_of_each_range_are_accepted(
    pace: str, rounds: str, volume: str, rate: str
) -> None:
    flags = ["--pace", pace, "--rounds", rounds, "--volume", volume, "--rate", rate]
    result = run(["breathe", "--json", *flags])
    assert result.returncode == 0, result.stderr
    data = finite_json(result.stdout)
    assert (data["pace"], data["rounds"]) == (float(pace), int(rounds))
    cues = data["cues"]
    assert isinstance(cues, list)
    times = [c["at"] for c in cues]
    assert times == sorted(times) and times[0] == 0.0
    assert all(c["budget"] >= 0 for c in cues)


def write_config(tmp_path: Path, text: str | bytes) -> Path:
    config = tmp_path / "config.yaml"
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("volume: .nan\n", "volume: the volume must be a number from 0 to 1"),
        ("volume: 1.5\n", "volume: the volume must be a number from 0 to 1"),
        ("rate_wpm: 79\n", "rate_wpm: the speaking rate must be a whole number from 80 to 450"),
        ("rate_wpm: 451\n", "rate_wpm: the speaking rate must be a whole number from 80 to 450"),
        ("follow_up_seconds: .inf\n", "follow_up_seconds: the follow-up time must be"),
        (
            "follow_up_seconds: -1\n",
            "follow_up_seconds: the follow-up time must be a number from 0 to 120 seconds; got -1",
        ),
        ("conversation_minutes: 0\n", "conversation_minutes: the conversation length must be"),
        (
            "conversation_minutes: 61\n",
            "conversation_minutes: the conversation length must be a number from 1 to 60 minutes; "
            "got 61",
        ),
        ("endpoint_silence_seconds: -.inf\n", "endpoint_silence_seconds: the silence"),
        ("wake_phrase: '  '\n", "wake_phrase: the wake phrase must have at least one word"),
    ],
)
def test_config_numbers_are_checked_against_the_same_ranges(
    tmp_path: Path, text: str, expected: str
) -> None:
    config = write_config(tmp_path, text)
    refused(run(["--config", str(config), "classify"], b"hello\n"), f"{config}: {expected}")


def test_flag_and_config_file_give_the_same_range(tmp_path: Path) -> None:
    from_flag = refused(run(["say", "hi", "--rate", "1000"]))
    config = write_config(tmp_path, "rate_wpm: 1000\n")
    from_file = refused(run(["--config", str(config), "classify"]))
    wording = "the speaking rate must be a whole number from 80 to 450 words a minute"
    assert wording in from_flag and wording in from_file


def test_config_values_at_the_ends_of_the_ranges_load(tmp_path: Path) -> None:
    low = "volume: 0\nrate_wpm: 80\nfollow_up_seconds: 0\nconversation_minutes: 1\n"
    high = "volume: 1.0\nrate_wpm: 450\nfollow_up_seconds: 120\nconversation_minutes: 60\n"
    loaded = [load_config(write_config(tmp_path, text), Settings()) for text in (low, high)]
    assert [
        (
            s.speech.volume,
            s.speech.rate_wpm,
            s.listening.follow_up_seconds,
            s.talk.conversation_minutes,
        )
        for s in loaded
    ] == [
        (0, 80, 0, 1),
        (1.0, 450, 120, 60),
    ]


def test_a_config_file_named_but_missing_or_a_folder_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    refused(run(["--config", str(missing), "classify"], b"hi\n"), f"{missing}: no such config file")
    refused(run(["--config", str(tmp_path), "classify"], b"hi\n"), f"{tmp_path}: is a folder")
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(missing, Settings(), required=True)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"volume: 0.5\nwake_phrase: caf\xe9\n", "not UTF-8 text"),
        (b"1: 2\n", "setting names must be words, not 1"),
        (b"volume: 0.5\nnull: 3\n", "setting names must be words, not None"),
    ],
)
def test_unreadable_config_files_are_explained(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    config = write_config(tmp_path, content)
    refused(run(["--config", str(config), "classify"], b"hi\n"), f"{config}: {expected}")


def test_folders_in_the_config_that_name_a_file_are_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "models"
    a_file.write_text("not a folder\n", encoding="utf-8")
    for key in ("models_dir", "cache_dir"):
        config = write_config(tmp_path, f"{key}: {a_file}\n")
        result = run(["--config", str(config), "models", "list"])
        refused(result, f"{config}: {key}: {a_file} is a file, not a folder")


def test_the_usual_config_file_may_be_absent_but_not_a_folder(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}

    def classify() -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "voice", "classify"],
            input=b"hello\n",
            capture_output=True,
            cwd=ROOT,
            env=env,
            timeout=60,
            check=False,
        )

    absent = classify()
    assert absent.returncode == 0 and absent.stdout.count(b"\n") == 1, absent.stderr
    (tmp_path / "goodenough" / "config.yaml").mkdir(parents=True)
    refused(classify(), "is a folder, not a config file")


def test_a_blank_wake_phrase_is_refused_before_anything_opens(tmp_path: Path) -> None:
    env = {**os.environ, "GOODENOUGH_MODEL": str(tmp_path / "no-model")}
    for phrase in ("", "   "):
        result = subprocess.run(
            [sys.executable, "-m", "voice", "run", "--wake-phrase", phrase],
            capture_output=True,
            cwd=ROOT,
            env=env,
            timeout=60,
            check=False,
        )
        err = refused(result, "argument --wake-phrase: the wake phrase must have at least one word")
        assert "usage: goodenough run" in err and "Vosk" not in err  # the parser stopped it


def test_limits_hold_their_own_values() -> None:
    from voice.limits import LIMITS

    for limit in LIMITS.values():
        assert limit.check(limit.low) == limit.low and limit.check(limit.high) == limit.high
        for bad in (math.nan, math.inf, -math.inf, limit.low - 1, limit.high + 1, True):
            with pytest.raises(ValueError, match=limit.what):
                limit.check(bad)


@pytest.mark.parametrize(
    "args",
    [
        ["breathe", "--json", "--pace=--"],
        ["breathe", "--json", "--rounds=--"],
        ["--country=--", "classify"],
        ["--dialogs=--", "classify"],
        ["run", "--wake-phrase=--"],
    ],
)
def test_a_flag_given_only_a_double_dash_is_refused(args: list[str]) -> None:
    flag = next(a for a in args if a.endswith("=--")).removesuffix("=--")
    refused(run(args, b"hi\n"), f"argument {flag}: expected a value")


def test_the_model_comes_from_the_flag_then_the_environment_then_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voice.cli.main import _parser
    from voice.settings import from_command_line

    config = write_config(tmp_path, f"model: {tmp_path / 'from-config'}\n")

    def chosen(*flags: str) -> tuple[Path | None, str]:
        args = _parser().parse_args(["--config", str(config), "run", *flags])
        listening = from_command_line(args).listening
        return listening.model, listening.model_named_by

    monkeypatch.delenv("GOODENOUGH_MODEL", raising=False)
    assert chosen() == (tmp_path / "from-config", "the config file's model")
    monkeypatch.setenv("GOODENOUGH_MODEL", str(tmp_path / "from-env"))
    assert chosen() == (tmp_path / "from-env", "GOODENOUGH_MODEL")
    assert chosen("--model", str(tmp_path / "flag")) == (tmp_path / "flag", "--model")
