"""`goodenough doctor`: one line per part of a set-up, each ok or a fix in plain words."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from voice import service
from voice.checks import Blocked, Check
from voice.limits import Parser
from voice.settings import Settings

_LOGGER = logging.getLogger(__name__)

PACKAGES = ("vosk", "sounddevice", "pyttsx3", "onnxruntime", "tokenizers", "scikit-learn")
"""Distributions `run` needs (numpy and PyYAML are in use already when this runs)."""
INSTALL = "install them: scripts/setup.sh (or: pip install -e '.[audio]')"


def add_command(sub: argparse._SubParsersAction[Parser]) -> None:
    """Register `doctor` and its flags (the ones `run` takes to pick its model and devices)."""
    doctor = sub.add_parser("doctor", help="check the whole set-up, one line per part")
    doctor.add_argument("--model", type=Path, help="Vosk model folder")
    doctor.add_argument("--mic", help="microphone name (substring; see 'devices')")
    doctor.add_argument("--speaker", help="speaker name (substring; see 'devices')")
    doctor.add_argument("--voice", help="espeak-ng voice, e.g. en-us")
    doctor.add_argument("--json", action="store_true", help="print the results as a JSON list")


def main(args: argparse.Namespace, settings: Settings) -> int:
    """Run every check, print the report; 1 when anything would stop `run`, else 0."""
    results = run_checks(settings)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=1))
    else:
        print("\n".join(line(r) for r in results))
    return 1 if any(r.status == "fail" for r in results) else 0


def line(result: Check) -> str:
    """`ok    speech model   /path (name)`."""
    shown = "FAIL" if result.status == "fail" else result.status
    return f"{shown:6}{result.name:15}{result.detail}"


def run_checks(settings: Settings) -> list[Check]:
    """Every check in turn; the scripts are only trained when the cache can keep the result."""
    from voice.cli import doctor_audio as audio

    cache = attempt("cache folder", lambda: check_cache(settings.cache_dir))
    steps: list[tuple[str, Callable[[], Check]]] = [
        ("python", check_python),
        ("packages", check_packages),
        ("portaudio", audio.check_portaudio),
        ("espeak-ng", lambda: audio.check_voice(settings)),
        ("speech model", lambda: audio.check_model(settings)),
        ("understanding", check_understanding),
        ("microphone", lambda: audio.check_mic(settings.listening.mic)),
        ("speaker", lambda: audio.check_speaker(settings.speech.speaker)),
        ("scripts", lambda: check_scripts(settings, train=cache.status == "ok")),
    ]
    results = [attempt(name, step) for name, step in steps]
    return [*results, cache, attempt("service", check_service)]


def attempt(name: str, step: Callable[[], Check]) -> Check:
    """The check's result; whatever it raises becomes a failed line instead of a traceback,
    so one broken part never hides the report on the others."""
    try:
        return step()
    except ModuleNotFoundError as exc:
        return Check(name, "fail", f"the Python package {exc.name} is missing; {INSTALL}")
    except Exception as exc:  # each engine raises its own kinds; all of them are a finding
        _LOGGER.debug("check %s failed", name, exc_info=True)
        return Check(name, "fail", str(exc) or type(exc).__name__)


def check_python() -> Check:
    """The version is shown, not judged: the package will not install on an older one."""
    version = ".".join(str(n) for n in sys.version_info[:3])
    return Check("python", "ok", f"{version} ({sys.executable})")


def check_packages() -> Check:
    found, missing = [], []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        raise Blocked(f"missing {', '.join(missing)}; {INSTALL}")
    return Check("packages", "ok", ", ".join(found))


def check_understanding() -> Check:
    from voice.dialog.encoder import MODEL, Encoder

    Encoder(None)  # with no kept copy, both files are hashed before the model loads
    return Check(
        "understanding",
        "ok",
        f"{MODEL.package} {MODEL.version}: model and tokenizer checksums match",
    )


def check_scripts(settings: Settings, train: bool) -> Check:
    """The lint: scripts, helplines and, when the cache can keep it, the trained model."""
    from voice.cli.text_commands import progress_bar
    from voice.dialog.dialog import Dialog
    from voice.dialog.loader import ScriptError, load_scripts

    paths = list(settings.talk.dialogs)
    try:
        if not train:
            scripts = load_scripts(paths)
            return Check(
                "scripts",
                "ok",
                f"{len(scripts.sources)} files read; not trained, as the cache folder "
                "cannot keep the result (see below)",
            )
        dialog = Dialog.from_paths(paths, settings.cache_dir, progress_bar())
    except ScriptError as exc:
        raise Blocked(
            f"{len(exc.problems)} problem(s), the first: {exc.problems[0]}; "
            "see them all with: goodenough lint"
        ) from exc
    if settings.talk.country not in dialog.helplines:
        raise Blocked(
            f"no helplines for country '{settings.talk.country}'; "
            f"use one of {', '.join(dialog.helplines)}"
        )
    scripts = dialog.scripts
    return Check(
        "scripts",
        "ok",
        f"{len(scripts.sources)} files, {len(scripts.intents)} intents, "
        f"helplines for {settings.talk.country}",
    )


def check_cache(folder: Path) -> Check:
    """Writable, or a warning: `run` still works, but redoes its speech and its understanding
    model at every start (minutes on a Raspberry Pi)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        why = (
            f"{blocker} is a file, not a folder; move it away"
            if not blocker.is_dir()
            else f"cannot write there ({exc.strerror or exc}); make it writable for {_user()}"
        )
        return Check(
            "cache folder",
            "warn",
            f"{folder}: {why}, or set cache_dir in the config file to a folder you can write "
            "(without one, every start retrains and re-renders speech)",
        )
    return Check("cache folder", "ok", f"{folder} (writable)")


def _user() -> str:
    try:
        return os.getlogin()
    except OSError:
        return "the user the program runs as"


def check_service() -> Check:
    """The systemd user unit: never blocking, since `run` can be started by hand."""
    hint = "not installed; start it by hand with: goodenough run"
    try:
        props = service.properties(timeout=5)
    except service.ServiceError as exc:
        return Check("service", "warn", f"{hint} ({exc})")
    return _service_state(props, hint)


def _service_state(props: dict[str, str], hint: str) -> Check:
    if props.get("LoadState", "not-found") == "not-found":
        return Check("service", "warn", hint)
    state = f"{props.get('ActiveState', '?')} ({props.get('SubState', '?')})"
    started = props.get("ExecMainStartTimestamp") or "never"
    detail = f"{state}; last started {started}; restarted {props.get('NRestarts', '0')} times"
    if props.get("ActiveState") == "active":
        return Check("service", "ok", detail)
    return Check(
        "service",
        "warn",
        f"{detail}; see why: journalctl --user -u {service.NAME}; "
        f"start it: systemctl --user start {service.NAME}",
    )
