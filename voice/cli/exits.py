"""How the program ends when its output goes away, the disk fills, or Ctrl-C is pressed:
one line at most, the status a shell user expects, never a traceback."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import sys
from collections.abc import Callable

_LOGGER = logging.getLogger(__name__)

INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a program stopped with Ctrl-C."""
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}
"""Failures of a write to an open file; Python names no file for them (often the output)."""


def guarded(body: Callable[[], int]) -> int:
    """Run the command; its output is flushed inside, so a failed write is caught here too."""
    try:
        status = body()
        sys.stdout.flush()
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        return _reader_went_away()
    except OSError as exc:
        _LOGGER.debug("stopped by an operating system error", exc_info=True)
        _quiet_if_broken()
        _say(_describe(exc))
        return 1
    return status


def _reader_went_away() -> int:
    """End as `cat` does when the reader of its output has gone: killed by SIGPIPE, quietly.
    Where that signal does not exist, the status a shell would show for it."""
    _silence_stdout()
    sigpipe = getattr(signal, "SIGPIPE", None)
    if sigpipe is None:
        return 1
    signal.signal(sigpipe, signal.SIG_DFL)
    os.kill(os.getpid(), sigpipe)
    return 128 + sigpipe  # reached only if the signal was somehow not delivered


def _quiet_if_broken() -> None:
    """If standard output still cannot take what waits in it (a full disk, say), point it at
    /dev/null so the interpreter's own last flush does not print a second complaint."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()


def _silence_stdout() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass  # stdout is not a real file (a test's capture); nothing will flush it at exit


def _describe(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"{exc.filename}: {reason}"
    if exc.errno in _WRITE_ERRNOS:
        return f"cannot write: {reason}"
    return reason


def _say(message: str) -> None:
    with contextlib.suppress(OSError):  # stderr gone too: the status is all that is left
        print(f"goodenough: {message}", file=sys.stderr)
