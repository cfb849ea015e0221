"""The text front door: interactive chat, the JSON line interfaces, and script linting."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from voice.breathing.timeline import Exercise, timeline, timeline_data
from voice.dialog import safety
from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation, Reply
from voice.dialog.loader import ScriptError

MAX_LINE_BYTES = 65536
"""A line longer than this is understood from its first part; the rest is only read for
crisis words, a piece at a time, so a line of any length needs little memory."""
_OVERLAP = 512
"""Bytes each piece shares with the one before, so no phrase falls between two pieces."""
_MAX_EXCERPTS = 3


def stdin_lines(stream: IO[bytes], notes: IO[str] = sys.stderr) -> Iterator[str]:
    """Lines of any bytes at all, decoded leniently; never raises on bad input. A line over
    MAX_LINE_BYTES keeps its first part plus any crisis words found in the rest, and a note
    saying so goes to `notes`."""
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES):
        number += 1
        text = _decode(raw)
        if len(raw) < MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield text
            continue
        dropped, excerpts = _read_rest(stream, raw[-_OVERLAP:])
        print(
            f"goodenough: line {number} is {dropped + len(raw):,} bytes long; it is understood "
            f"from its first {MAX_LINE_BYTES:,} bytes (the crisis check read all of it)",
            file=notes,
        )
        yield " ".join([text, *excerpts])


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _read_rest(stream: IO[bytes], tail: bytes) -> tuple[int, list[str]]:
    """Read the rest of an overlong line: how many bytes, and the crisis excerpts in it."""
    dropped, excerpts = 0, list[str]()
    while piece := stream.readline(MAX_LINE_BYTES):
        dropped += len(piece)
        excerpt = safety.crisis_excerpt(_decode(tail + piece))
        if excerpt and len(excerpts) < _MAX_EXCERPTS:
            excerpts.append(excerpt)
        tail = piece[-_OVERLAP:]
        if piece.endswith(b"\n"):
            break
    return dropped, excerpts


def reply_record(dialog: Dialog, said: str, reply: Reply) -> dict[str, object]:
    """The JSON object for one turn; a breathing reply carries its whole timeline."""
    record: dict[str, object] = dict(reply.as_dict(said))
    record["breathing"] = None
    if reply.breathing:
        exercise = Exercise(dialog.scripts.patterns[reply.breathing], dialog.mantras())
        record["breathing"] = timeline_data(exercise, timeline(exercise))
    return record


def json_lines(
    dialog: Dialog, lines: Iterable[str], out: IO[str], stateless: bool, country: str = "US"
) -> None:
    """One JSON object per input line; conversations end at goodbye (or every line)."""
    conversation = Conversation(dialog, country=country)
    for line in lines:
        if stateless or conversation.ended:
            conversation = Conversation(dialog, country=country)
        record = reply_record(dialog, line, conversation.respond(line))
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def interactive(
    dialog: Dialog, speak: Callable[[Reply], None] | None = None, country: str = "US"
) -> None:
    """A prompt, a reply, until goodbye or end of input."""
    conversation = Conversation(dialog, country=country)
    print("Good Enough is listening. Type what's on your mind (Ctrl-D to leave).")
    while True:
        try:
            said = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        reply = conversation.respond(said)
        print(f"good enough> {reply.text}")
        if speak is not None:
            speak(reply)
        if reply.command == "goodbye":
            return


def lint(paths: list[Path], cache_dir: Path | None) -> int:
    """Check scripts and helplines and train the model; print every problem; 0 when all is
    well."""
    try:
        dialog = Dialog.from_paths(paths, cache_dir, progress_bar())
        scripts = dialog.scripts
    except ScriptError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"ok: {len(scripts.sources)} files, {len(scripts.intents)} intents, "
        f"{len(scripts.responses)} responses, {len(scripts.steps)} steps, "
        f"{len(scripts.patterns)} breathing patterns, {len(scripts.lines)} more phrasings, "
        f"helplines for {', '.join(dialog.helplines)}"
    )
    return 0


def progress_bar() -> Callable[[int, int], None]:
    """Progress on stderr for training that takes more than a moment."""
    shown = [False]

    def update(done: int, total: int) -> None:
        if total > 256 or shown[0]:
            shown[0] = True
            end = "\n" if done >= total else "\r"
            print(f"learning the phrasings: {done}/{total}", end=end, file=sys.stderr, flush=True)

    return update
