"""The audio commands: flags, and handlers that build the real engines. Engines are imported
only here, when a command needs them, so the text commands run without them."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from voice.breathing.timeline import Exercise, timeline, timeline_data
from voice.dialog.dialog import Dialog
from voice.errors import EngineError
from voice.limits import LIMITS, Parser, has_words, in_range
from voice.settings import Settings, from_command_line, settings_help

_LOGGER = logging.getLogger(__name__)
Sub = argparse._SubParsersAction


def add_commands(sub: Sub[Parser]) -> None:
    """Register run, say, devices, models and breathe."""
    run = sub.add_parser(
        "run",
        help="listen in the kitchen and talk back",
        description=(
            "Listen for the wake phrase, then answer what she says. Speech model: --model, "
            "else GOODENOUGH_MODEL, else the config file's model, else any model in the "
            "models folder (goodenough models download)."
        ),
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _voice_flags(run)
    run.add_argument("--model", type=Path, help="Vosk model folder")
    run.add_argument("--mic", help="microphone name (substring; see 'devices')")
    run.add_argument("--wake-phrase", type=has_words("the wake phrase"), help="default: hey friend")
    run.add_argument("--no-wake", action="store_true", help="answer everything")
    run.add_argument(
        "--follow-up",
        type=in_range("follow_up_seconds"),
        help=f"seconds to listen without the wake phrase, {_span('follow_up_seconds')}",
    )
    run.add_argument("--log-transcripts", action="store_true", help="log what was heard")
    run.add_argument("--timings", action="store_true", help="log per-turn latency")
    say = sub.add_parser("say", help="speak one line (checks the speaker and voice)")
    say.add_argument("text")
    _voice_flags(say)
    sub.add_parser("devices", help="list audio devices")
    service = sub.add_parser(
        "service",
        help="run at boot as a systemd user service",
        description=(
            "install: write, enable and start a systemd user unit that runs 'goodenough run' "
            "at boot (with --config if given), restarted if it dies or hangs; uninstall; "
            "status; print (the unit, to standard output)."
        ),
    )
    service.add_argument("service_command", choices=("install", "uninstall", "status", "print"))
    models = sub.add_parser("models", help="download or list speech models")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    download = models_sub.add_parser(
        "download", help="download a Vosk model (default: small English)"
    )
    download.add_argument("name", nargs="?")
    download.add_argument("--url", type=_web_address, help="download from this address instead")
    download.add_argument("--sha256", help="expected checksum (needed for unlisted models)")
    download.add_argument(
        "--timeout",
        type=in_range("timeout"),
        default=30.0,
        help=f"seconds without data, {_span('timeout')}",
    )
    models_sub.add_parser("list", help="show installed models")
    breathe = sub.add_parser("breathe", help="a guided breathing exercise")
    breathe.add_argument("pattern_name", nargs="?", metavar="PATTERN")
    breathe.add_argument("--pattern", help="box, four_seven_eight, sigh or coherent")
    breathe.add_argument("--rounds", type=in_range("rounds"), help=_span("rounds"))
    breathe.add_argument(
        "--pace", type=in_range("pace"), default=1.0, help=f"1.2 is 20%% slower, {_span('pace')}"
    )
    breathe.add_argument("--tone", action=argparse.BooleanOptionalAction, default=None)
    breathe.add_argument("--list", action="store_true", help="list patterns")
    breathe.add_argument("--json", action="store_true", help="print the timeline; play nothing")
    _voice_flags(breathe)


def _voice_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--speaker", help="speaker name (substring; see 'devices')")
    parser.add_argument("--voice", help="espeak-ng voice, e.g. en-us")
    parser.add_argument(
        "--rate", type=in_range("rate_wpm"), help=f"words a minute, {_span('rate_wpm')}"
    )
    parser.add_argument("--volume", type=in_range("volume"), help=_span("volume"))


def _span(key: str) -> str:
    """'80 to 450', for a flag's help."""
    limit = LIMITS[key]
    return f"{limit.low:g} to {limit.high:g}"


def _web_address(text: str) -> str:
    from voice.modelstore import DownloadError, check_url

    try:
        return check_url(text)
    except DownloadError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_command(args: argparse.Namespace, settings: Settings, dialog: Dialog) -> int:
    """Run one audio command; engine problems become one clear line and exit code 1."""
    handlers: dict[str, Callable[[argparse.Namespace, Settings, Dialog], int]] = {
        "run": _run,
        "say": _say,
        "devices": _devices,
        "models": _models,
        "breathe": _breathe,
        "service": _service,
    }
    try:
        return handlers[args.command](args, settings, dialog)
    except EngineError as exc:
        print(f"goodenough: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _service(args: argparse.Namespace, _settings: Settings, _dialog: Dialog) -> int:
    from voice import service

    try:
        if args.service_command == "print":
            print(service.unit_text(args.config), end="")
        elif args.service_command == "status":
            for key, value in service.status().items():
                print(f"{key}: {value}")
        elif args.service_command == "install":
            print("\n".join(service.install(args.config)))
        else:
            print("\n".join(service.uninstall()))
    except (service.ServiceError, OSError) as exc:
        print(f"goodenough: {exc}", file=sys.stderr)
        return 1
    return 0


def _devices(_args: argparse.Namespace, _settings: Settings, _dialog: Dialog) -> int:
    from voice.audio.devices import list_devices

    print(
        "\n".join(list_devices())
        or "no audio devices found (is a speaker or microphone connected?)"
    )
    return 0


def _say(args: argparse.Namespace, settings: Settings, _dialog: Dialog) -> int:
    from voice import app

    speech = app.speech_out(settings)
    try:
        speech.say(args.text)
        speech.speaker.wait()
    finally:
        speech.close()
    return 0


def _models(args: argparse.Namespace, settings: Settings, _dialog: Dialog) -> int:
    from voice import modelstore

    if args.models_command == "list":
        found = modelstore.installed(settings.listening.models_dir)
        folder = settings.listening.models_dir
        print(
            "\n".join(str(p) for p in found)
            or f"no models in {folder}; get one with: goodenough models download"
        )
        return 0
    job = replace(modelstore.plan(args.name, args.url, args.sha256), timeout=args.timeout)
    print(f"downloading {job.name} from {job.url}", file=sys.stderr)
    bar = _ProgressBar()
    try:
        path = modelstore.download(job, settings.listening.models_dir, bar.update)
    finally:
        bar.close()  # before any message, so none is printed after a half-drawn bar
    print(f"installed {path}")
    return 0


class _ProgressBar:
    """A download's progress on stderr, drawn only once bytes arrive."""

    def __init__(self) -> None:
        self._bar: Any = None

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(unit="B", unit_scale=True, file=sys.stderr, leave=False)
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _breathe(args: argparse.Namespace, settings: Settings, dialog: Dialog) -> int:
    patterns = dialog.scripts.patterns
    if args.list:
        for pattern in patterns.values():
            print(f"{pattern.id:20} {pattern.title} ({pattern.rounds} rounds)")
        return 0
    name = args.pattern or args.pattern_name or "box"
    if name not in patterns:
        print(f"goodenough: no pattern '{name}'; try: {', '.join(patterns)}", file=sys.stderr)
        return 2
    tone = settings.breathing.tone if args.tone is None else args.tone
    exercise = Exercise(
        patterns[name],
        dialog.mantras(),
        args.rounds,
        args.pace,
        settings.breathing.count,
        tone,
    )
    if args.json:
        print(json.dumps(timeline_data(exercise, timeline(exercise))))
        return 0
    from voice import app
    from voice.breathing.player import BreathingPlayer

    speech = app.speech_out(settings)
    try:
        speech.synth.warm(c.text for c in timeline(exercise) if c.text).join()
        player = BreathingPlayer(exercise, speech)
        signal.signal(signal.SIGINT, lambda *_: player.control("stop"))
        player.run()
        speech.speaker.wait(5)
    finally:
        speech.close()
    return 0


def _run(args: argparse.Namespace, settings: Settings, dialog: Dialog) -> int:
    from voice.app import open_session
    from voice.notify import Notifier
    from voice.reload import Reloader

    session = open_session(settings, dialog)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _LOGGER.info("listening; say '%s' and what's on your mind", settings.listening.wake_phrase)
    reloader = Reloader(lambda: from_command_line(args), settings, session.loop, session.speech)
    signal.signal(signal.SIGHUP, lambda *_: reloader.request())
    systemd = Notifier()
    systemd.send("READY=1")

    def alive() -> None:
        systemd.ping()
        reloader.apply()

    try:
        session.loop.run(stop, alive)
    finally:
        systemd.send("STOPPING=1")
        session.close()
    return 0
