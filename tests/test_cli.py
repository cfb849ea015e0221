"""The stable machine interfaces and the lint command, through the real entry point."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml

from voice.settings import Settings, load_config

from .conftest import DIALOGS, ROOT
from .conftest import in_process as run  # the real entry point, in this process

KEYS = {"text", "category", "command", "intent", "response_id", "reply", "breathing"}


def records(stdout: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.decode().splitlines()]


def test_chat_json_is_one_conversation() -> None:
    result = run(["chat", "--json"], b"i yelled at my kids\nsay that again\nhelp me breathe\n")
    assert result.returncode == 0, result.stderr
    first, again, breathe = records(result.stdout)
    assert set(first) == KEYS
    assert (first["category"], first["intent"], first["command"]) == ("guilt", "yelled", None)
    assert again["reply"] == first["reply"] and again["command"] == "repeat"
    assert breathe["category"] == "breathing"
    timeline = breathe["breathing"]
    assert isinstance(timeline, dict) and timeline["pattern"] == "sigh"
    assert len(timeline["cues"]) > 10


def test_classify_is_stateless() -> None:
    result = run(["classify"], b"i yelled at my kids\nsay that again\n")
    _first, second = records(result.stdout)
    assert second["command"] == "repeat"
    assert second["response_id"] == "nothing_yet"  # a fresh conversation has said nothing


def test_junk_empty_and_huge_lines_get_replies() -> None:
    # Junk only: no real word ("garbage" used to be here, and the model may fairly read a
    # real word as something she meant).
    junk = b"\n\x00\xff\xfe\x80grbxq\n" + b"a" * 10_000 + b"\n" + "\u2603 \u00e9\n".encode()
    result = run(["classify"], junk)
    assert result.returncode == 0 and not result.stderr, result.stderr
    replies = records(result.stdout)
    assert len(replies) == 4
    assert all(r["reply"] and r["category"] == "unknown" for r in replies)


def test_lint_ok_and_errors(tmp_path: Path) -> None:
    ok = run(["lint", str(DIALOGS)])
    assert ok.returncode == 0 and b"ok:" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("responses:\n  x:\n    category: guilt\n    say: []\n", encoding="utf-8")
    result = run(["lint", str(bad)])
    assert result.returncode == 1
    assert f"{bad}:4: responses.x.say: must be a non-empty list" in result.stderr.decode()


def test_refuses_to_start_on_invalid_scripts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "intents:\n  a:\n    examples: [hi there]\n    reply: nowhere\n", encoding="utf-8"
    )
    result = run(["--dialogs", str(bad), "classify"], b"hello\n")
    assert result.returncode == 2 and result.stdout == b""
    assert f"{bad}:4: intents.a.reply: refers to 'nowhere'" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("wake_phrase: hello\nvolumme: 2\n", encoding="utf-8")
    result = run(["--config", str(config), "classify"], b"hello\n")
    assert result.returncode == 2
    assert "unknown setting(s) volumme" in result.stderr.decode()


def test_interactive_chat_until_goodbye() -> None:
    result = run(["chat"], b"i feel so guilty\nsomething i did\ngoodbye\nnever read\n")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert out.count("good enough>") == 3


def test_config_values_of_the_wrong_kind_are_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    for text, expected in [
        ("follow_up_seconds: soon\n", "follow_up_seconds: must be int or float, not 'soon'"),
        ("wake: 1\n", "wake: must be bool, not 1"),
        ("rate_wpm: true\n", "rate_wpm: must be int, not True"),
        ("model: [a, b]\n", "model: must be a path"),
        ("- just a list\n", "must be a mapping"),
    ]:
        config.write_text(text, encoding="utf-8")
        result = run(["--config", str(config), "classify"], b"hello\n")
        assert result.returncode == 2, text
        assert f"{config}: {expected}" in result.stderr.decode(), result.stderr


def test_every_setting_is_checked_in_config_files() -> None:
    assert load_config(Path("/nonexistent/config.yaml"), Settings()) == Settings()
    with_all = Settings().flat()
    for name in ("dialogs",):
        with_all[name] = [str(p) for p in with_all[name]]
    for name in ("models_dir", "cache_dir"):
        with_all[name] = str(with_all[name])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(yaml.safe_dump(with_all), encoding="utf-8")
        assert load_config(path, Settings()) == Settings()


def test_every_setting_and_variable_is_in_run_help_and_the_readme() -> None:
    from voice.settings import DESCRIPTIONS, ENVIRONMENT, SETTING_NAMES, describe

    assert tuple(DESCRIPTIONS) == SETTING_NAMES
    shown = run(["run", "--help"]).stdout.decode()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*SETTING_NAMES, *ENVIRONMENT]:
        assert f"  {name} " in shown, name
        assert f"| `{name}` |" in readme, name
    for name in SETTING_NAMES:
        assert f"| {describe(name)} |" in readme, name
