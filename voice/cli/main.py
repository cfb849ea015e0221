"""Command line: turns flags and the config file into Settings, then runs one command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from voice.cli import doctor
from voice.cli.exits import guarded
from voice.limits import Parser, in_range
from voice.settings import ConfigError, Settings, from_command_line

if TYPE_CHECKING:
    from voice.dialog.dialog import Dialog

# Everything heavier is imported once a command runs, inside `guarded`, so even Ctrl-C
# pressed while the program is still loading ends quietly with status 130.

_LOGGER = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="goodenough",
        description=(
            "Good Enough: a calm voice companion for the kitchen. Say what is weighing on you; "
            "it answers with a mantra, a reframe or a breathing exercise. Nothing leaves the "
            "device."
        ),
        epilog=(
            "Start with: goodenough models download, then goodenough run. Every setting can "
            "also go in ~/.config/goodenough/config.yaml (see the README). Environment: "
            "GOODENOUGH_MODEL names a Vosk model folder (after --model, before the config "
            "file); XDG_CONFIG_HOME and XDG_CACHE_HOME move the config and cache folders."
        ),
    )
    parser.add_argument("--config", type=Path, help="config file (YAML)")
    parser.add_argument("--dialogs", type=Path, action="append", help="script folder or file")
    parser.add_argument("--debug", action="store_true", help="verbose logs")
    parser.add_argument(
        "--country", help="whose helpline numbers to give: US (default), CA, GB, IE, AU, NZ"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="talk in the terminal")
    chat.add_argument("--json", action="store_true", help="one JSON reply per stdin line")
    chat.add_argument("--speak", action="store_true", help="also speak each reply")
    sub.add_parser("classify", help="JSON reply per stdin line, each a fresh conversation")
    evaluate = sub.add_parser("eval", help="measure understanding on labelled utterances")
    evaluate.add_argument("files", nargs="*", type=Path, help="TSV: text, category, [command]")
    evaluate.add_argument(
        "--folds",
        type=in_range("folds"),
        metavar="2..10",
        help="also cross-validate on the scripts' own phrasings with this many folds",
    )
    lint = sub.add_parser("lint", help="check dialog scripts")
    lint.add_argument("paths", nargs="*", type=Path)
    _audio_commands(sub)
    doctor.add_command(sub)
    return parser


def _audio_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    from voice.cli import audio_commands  # the audio commands' flags live beside their handlers

    audio_commands.add_commands(sub)


def main(argv: list[str] | None = None) -> int:
    """Entry point for `goodenough` and `python -m voice`."""
    return guarded(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    from voice.cli.text_commands import progress_bar
    from voice.dialog.dialog import Dialog
    from voice.dialog.encoder import EncoderError
    from voice.dialog.loader import ScriptError

    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,  # the streams of this call, also when called again in one process
    )
    try:
        settings = from_command_line(args)
        if args.command == "doctor":
            return doctor.main(args, settings)
        if args.command == "lint":
            from voice.cli.text_commands import lint

            return lint(args.paths or list(settings.talk.dialogs), settings.cache_dir)
        dialog = Dialog.from_paths(list(settings.talk.dialogs), settings.cache_dir, progress_bar())
        if settings.talk.country not in dialog.helplines:
            known = ", ".join(dialog.helplines)
            raise ConfigError(
                f"country: no helplines for '{settings.talk.country}'; use one of {known}"
            )
    except (ConfigError, EncoderError) as exc:
        print(f"goodenough: {exc}", file=sys.stderr)
        return 2
    except ScriptError as exc:
        print(
            "goodenough: the dialog scripts have problems; fix them and start again:",
            file=sys.stderr,
        )
        print(str(exc), file=sys.stderr)
        return 2
    return _dispatch(args, settings, dialog)


def _dispatch(args: argparse.Namespace, settings: Settings, dialog: Dialog) -> int:
    from voice.cli import audio_commands, text_commands

    if args.command == "classify" or (args.command == "chat" and args.json):
        text_commands.json_lines(
            dialog,
            text_commands.stdin_lines(sys.stdin.buffer),
            sys.stdout,
            stateless=args.command == "classify",
            country=settings.talk.country,
        )
        return 0
    if args.command == "eval":
        from voice.dialog.router import VectorStore
        from voice.evaluate import cross_validate, run

        try:
            if args.files:
                print(run(dialog, args.files))
            if args.folds:
                store = VectorStore(dialog.encoder, settings.cache_dir / "understanding")
                print(json.dumps(cross_validate(dialog, store, args.folds)))
        except BrokenPipeError:
            raise  # the reader has gone: ended quietly by the caller, not reported as input
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            print(f"goodenough: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "chat":
        speak = None
        if args.speak:
            from voice.app import speaker_for_chat

            speak = speaker_for_chat(settings, dialog)
        text_commands.interactive(dialog, speak, settings.talk.country)
        return 0
    return audio_commands.run_command(args, settings, dialog)


if __name__ == "__main__":
    sys.exit(main())
