"""Soak run: the real voice loop for N minutes on the private PulseAudio server's virtual
devices, with a scripted recogniser standing in for Vosk. A line is said a few seconds after
each answer ends: feelings, commands, a breathing request (one stopped with "stop" after a
few seconds, one left to run), and a crisis line followed by "i'm safe, i was just venting".
Every few minutes the sound server behind both devices goes away for a few seconds and comes
back, in the middle of whatever is playing; the loop must find its devices again by itself.

Run: .venv/bin/python benchmarks/soak.py --minutes 30 [--drop-every 180] [--outage 5]
Prints one JSON object (the log goes to stderr):
- minutes: how long the loop ran;
- turns: lines said to the listening recogniser;
- turns_answered: of those, the ones the loop answered out loud (a sound's first frame reached
  the speaker after the line was heard);
- barge_ins: "stop"s heard while it was speaking that cut it short;
- drops: times the sound server went away and came back;
- drop_recovery_s_max: the longest wait, after the server was back, for the microphone to be
  reopened (null when it never was, or there were no drops);
- errors: exceptions that ended any thread of this process, and the program's log records
  at ERROR or above;
- warnings: the program's log records at WARNING (expected around the drops);
- rss_mb_start, fds_start, threads_start: resident memory (MB), open file descriptors and
  operating-system threads of this process, all from /proc/self, after warm-up (the speech
  cache rendered, then the first round of lines or the first quarter of the run), taken as
  a spoken answer starts: microphone and speaker streams open, no breathing exercise running;
- rss_mb_end, fds_end, threads_end: the same at the last answer before the time was up;
- rss_mb_max: the highest resident memory sampled (every 10 s) after warm-up;
- rss_mb_per_hour: the slope of a straight line fitted to those samples.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.audio_env import VirtualAudio, start_server, stop_server  # noqa: E402
from tests.scripted import FRESH, ScriptedRecognizer  # noqa: E402
from voice.dialog.dialog import Dialog  # noqa: E402
from voice.settings import Settings, default_cache_dir  # noqa: E402

if TYPE_CHECKING:
    from voice.app import Session

_LOGGER = logging.getLogger("soak")
GAP = (1.5, 4.0)
"""Seconds of quiet between the end of an answer and her next line."""
ANSWER_SECONDS = 5.0
"""How long after her line the first frame of an answer may come."""
RECOVERY_SECONDS = 300.0
"""The longest wait for the microphone to come back after a drop."""
SAMPLE_SECONDS = 10.0

ORDINARY = (
    "i yelled at my kids this morning and i feel so guilty",
    "i am so overwhelmed, there is too much to do",
    "i feel like such a failure as a mom",
    "everyone else seems to have it together",
    "i feel ashamed of how i spoke to my partner",
    "i am so tired i can barely think",
    "i forgot my daughter's school play",
    "i haven't had a minute to myself all week",
    "i snapped at my mother on the phone",
    "the house is a mess and i can't keep up",
    "i feel like i'm not doing enough",
)
"""Her everyday lines, taken in turn wherever a round has an ordinary slot."""


@dataclass(frozen=True)
class Line:
    """One thing she says; "stop" follows `stop_after` seconds into the answer, if given.
    An exercise is guided on a thread of its own."""

    text: str
    stop_after: float | None = None
    exercise: bool = False


SLOT = ""
ROUND = (
    Line(SLOT),
    Line("repeat"),
    Line(SLOT),
    Line("another"),
    Line("thanks"),
    Line(SLOT, stop_after=1.0),
    Line("help me breathe", stop_after=5.0, exercise=True),
    Line(SLOT),
    Line("i want to kill myself"),
    Line("i'm safe, i was just venting"),
    Line(SLOT),
    Line("give me a mantra"),
    Line("another"),
    Line("box breathing", exercise=True),
    Line(SLOT),
    Line("goodbye"),
)
"""One round of a conversation; rounds repeat with the next ordinary lines."""


def lines() -> Iterator[Line]:
    """Round after round, each ordinary slot filled with the next of ORDINARY."""
    ordinary = itertools.cycle(ORDINARY)
    while True:
        for line in ROUND:
            yield Line(next(ordinary), line.stop_after) if line.text == SLOT else line


@dataclass(frozen=True)
class Usage:
    rss_mb: float
    fds: int
    threads: int


Sample = tuple[float, Usage]
"""Usage and the monotonic time it was taken."""


def usage() -> Usage:
    """This process's resident memory, open file descriptors and threads, from /proc/self."""
    status = {}
    for row in Path("/proc/self/status").read_text().splitlines():
        key, _, value = row.partition(":")
        status[key] = value.split()
    rss_mb = int(status["VmRSS"][0]) / 1024
    return Usage(round(rss_mb, 1), len(os.listdir("/proc/self/fd")), int(status["Threads"][0]))


class LogCount(logging.Handler):
    """Counts the program's warnings and errors, and exceptions in any thread; notes when
    the microphone is reopened."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.errors = 0
        self.warnings = 0
        self.mic_back = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("voice"):
            return
        if record.levelno >= logging.ERROR:
            self.errors += 1
        elif record.levelno >= logging.WARNING:
            self.warnings += 1
        elif record.getMessage() == "microphone is back":
            self.mic_back.set()

    def thread_died(self, args: threading.ExceptHookArgs) -> None:
        self.errors += 1
        threading.__excepthook__(args)


class Sampler:
    """Samples Usage every SAMPLE_SECONDS on its own thread, and logs each sample."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            used = usage()
            self.samples.append((time.monotonic(), used))
            _LOGGER.info("usage: %.1f MB, %d fds, %d threads", used.rss_mb, used.fds, used.threads)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def since(self, start: float) -> list[Sample]:
        return [(at, used) for at, used in self.samples if at >= start]


@dataclass
class Rig:
    """The running program and what drives it."""

    audio: VirtualAudio
    session: Session
    main: ScriptedRecognizer
    barge: ScriptedRecognizer
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive() and not self.stop.is_set()

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(10)
        self.session.close()
        stop_server(self.audio)


def open_rig(audio: VirtualAudio, dialog: Dialog, settings: Settings) -> Rig:
    """The engines as `goodenough run` builds them, with scripted recognisers for Vosk."""
    from voice.app import assemble

    main, barge = ScriptedRecognizer([]), ScriptedRecognizer([])
    session = assemble(settings, dialog, main, barge)
    if session.warming is not None:
        session.warming.join()
    rig = Rig(audio, session, main, barge)
    rig.thread = threading.Thread(target=session.loop.run, args=(rig.stop,), name="voice-loop")
    rig.thread.start()
    return rig


def schedule(recognizer: ScriptedRecognizer, delay: float, text: str) -> float:
    """Have the recogniser hear `text` in `delay` seconds; returns that monotonic time."""
    at = recognizer.clock() - recognizer.start + delay
    recognizer.script.append((at, text))
    return recognizer.start + at


def until(condition: Callable[[], bool], seconds: float, poll: float = 0.02) -> bool:
    """Wait for `condition` for at most `seconds`; True if it came true."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


@dataclass(frozen=True)
class Plan:
    """Seconds to run, between drops and of each outage; the seed of the pauses."""

    seconds: float
    drop_every: float
    outage: float
    seed: int


@dataclass
class Tally:
    turns: int = 0
    answered: int = 0
    drops: int = 0
    recoveries: list[float | None] = field(default_factory=list)


class Driver:
    """She: says each line once the loop has gone quiet; pulls the plug now and then."""

    def __init__(self, rig: Rig, logs: LogCount, plan: Plan) -> None:
        self.rig = rig
        self.logs = logs
        self.plan = plan
        self.pace = random.Random(plan.seed)
        self.begun = time.monotonic()
        self.ends = self.begun + plan.seconds
        self.next_drop = self.begun + plan.drop_every / 2
        self.tally = Tally()
        self.addressing = True
        """Say the wake phrase: at the start, after goodbye, a drop or an unanswered line."""

    def quiet(self) -> bool:
        """Wait for the loop to be quiet, pulling the plug whenever a drop is due (so it goes
        in the middle of an answer or an exercise); False once time is up or the loop died."""
        while time.monotonic() < self.ends and self.rig.running():
            if time.monotonic() >= self.next_drop:
                self.drop()
                self.next_drop += self.plan.drop_every
            elif not self.rig.session.loop.busy():
                return True
            else:
                time.sleep(0.05)
        return False

    def turn(self, line: Line) -> bool:
        """Say `line` a few seconds from now; answered (True) when a sound starts after it."""
        wake = self.rig.session.loop.listening.wake_phrase
        text = f"{wake} {line.text}" if self.addressing else line.text
        heard = len(self.rig.main.heard)
        self.tally.turns += 1
        said_at = schedule(self.rig.main, self.pace.uniform(*GAP), text)
        answered = until(
            lambda: len(self.rig.main.heard) > heard, said_at - time.monotonic() + FRESH + 0.5
        )
        answered = answered and until(lambda: self._spoken_since(said_at), ANSWER_SECONDS)
        self.tally.answered += answered
        if not answered:
            _LOGGER.warning("no answer to: %s", text)
        if answered and line.stop_after is not None:
            schedule(self.rig.barge, line.stop_after, "stop")
        self.addressing = not answered or line.text == "goodbye"
        return answered

    def _spoken_since(self, said_at: float) -> bool:
        started = self.rig.session.speech.first_frame_at
        return started is not None and started >= said_at

    def drop(self) -> None:
        """The sound server goes away for a few seconds; then wait for the microphone."""
        self.tally.drops += 1
        _LOGGER.info("drop %d: the sound server goes away", self.tally.drops)
        self.logs.mic_back.clear()
        stop_server(self.rig.audio)
        time.sleep(self.plan.outage)
        self.rig.audio = start_server(rescan=False)
        back = time.monotonic()
        if until(self.logs.mic_back.is_set, RECOVERY_SECONDS, poll=0.05):
            self.tally.recoveries.append(time.monotonic() - back)
        else:
            _LOGGER.warning("the microphone did not come back within %.0f s", RECOVERY_SECONDS)
            self.tally.recoveries.append(None)
        self.addressing = True


def drive(driver: Driver) -> tuple[Sample, Sample]:
    """Lines until the time is up. Returns usage (and when) at the end of warm-up and at the
    last answer, each taken just as a spoken answer (not an exercise) started: both audio
    streams open, no exercise thread."""
    warm_by = driver.begun + driver.plan.seconds / 4
    warm: Sample | None = None
    last: Sample | None = None
    for number, line in enumerate(lines()):
        if not driver.quiet():
            break
        if not driver.turn(line) or line.exercise:
            continue
        last = (time.monotonic(), usage())
        if warm is None and (last[0] >= warm_by or number >= len(ROUND)):
            warm = last
    now = (time.monotonic(), usage())
    return warm or now, last or now


def figures(driver: Driver, warm: Sample, last: Sample, sampler: Sampler) -> dict[str, object]:
    tally, start, end = driver.tally, warm[1], last[1]
    after = sampler.since(warm[0]) or [last]
    recovered = [r for r in tally.recoveries if r is not None]
    never = len(recovered) < len(tally.recoveries)
    return {
        "minutes": round((time.monotonic() - driver.rig.main.start) / 60, 2),
        "turns": tally.turns,
        "turns_answered": tally.answered,
        "barge_ins": len(driver.rig.session.loop.barge_ins),
        "drops": tally.drops,
        "drop_recovery_s_max": None if never or not recovered else round(max(recovered), 1),
        "errors": driver.logs.errors,
        "warnings": driver.logs.warnings,
        "rss_mb_start": start.rss_mb,
        "rss_mb_end": end.rss_mb,
        "rss_mb_max": max(used.rss_mb for _, used in after),
        "rss_mb_per_hour": slope_per_hour(after),
        "fds_start": start.fds,
        "fds_end": end.fds,
        "threads_start": start.threads,
        "threads_end": end.threads,
    }


def slope_per_hour(samples: list[Sample]) -> float | None:
    if len(samples) < 3:
        return None
    fit = statistics.linear_regression([at for at, _ in samples], [u.rss_mb for _, u in samples])
    return round(fit.slope * 3600, 2)


def soak(rig: Rig, logs: LogCount, args: argparse.Namespace) -> dict[str, object]:
    plan = Plan(args.minutes * 60, args.drop_every, args.outage, args.seed)
    driver = Driver(rig, logs, plan)
    sampler = Sampler()
    try:
        warm, last = drive(driver)
    finally:
        sampler.close()
    return figures(driver, warm, last, sampler)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--drop-every", type=float, default=180.0, help="seconds; first at half")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the server is away")
    parser.add_argument("--rate", type=int, default=260, help="speaking rate, words a minute")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    logs = LogCount()
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger().addHandler(logs)
    threading.excepthook = logs.thread_died
    dialog = Dialog.from_paths([ROOT / "dialogs"], default_cache_dir())
    audio = start_server()  # before sounddevice is imported: PortAudio lists devices once
    with TemporaryDirectory() as tmp:
        settings = Settings(cache_dir=Path(tmp)).with_values(
            {"rate_wpm": args.rate, "log_transcripts": True, "timings": True}
        )
        try:
            rig = open_rig(audio, dialog, settings)
        except BaseException:
            stop_server(audio)
            raise
        try:
            result = soak(rig, logs, args)
        finally:
            rig.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
