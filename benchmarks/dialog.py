"""Understanding figures as JSON: per-utterance latency of a full reply (crisis check and
router), and a cold `goodenough classify` process: time to its first answer, peak memory.

Run on one core: taskset -c 0 .venv/bin/python benchmarks/dialog.py
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.evaluate import read_rows
from voice.settings import default_cache_dir

ROOT = Path(__file__).resolve().parent.parent
SETS = ("set_a.tsv", "set_b.tsv", "early.tsv")


def utterances() -> list[str]:
    return [row.text for name in SETS for row in read_rows(ROOT / "tests/data/eval" / name)]


def latencies(dialog: Dialog, texts: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            Conversation(dialog).respond(text)
            out.append(time.perf_counter() - start)
    return out


def cold_start() -> tuple[float, float]:
    """Seconds until a fresh classify process answers one line (cache warm), and its peak
    RSS in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "voice", "classify"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("i yelled at the kids this morning\n")
    child.stdin.flush()
    child.stdout.readline()
    seconds = time.perf_counter() - start
    child.stdin.close()
    child.wait()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def main() -> None:
    dialog = Dialog.from_paths([ROOT / "dialogs"], default_cache_dir())
    texts = utterances()
    latencies(dialog, texts[:50], rounds=1)  # warm up, as a running device would be
    lat = sorted(latencies(dialog, texts, rounds=3))
    starts = [cold_start() for _ in range(5)]
    print(
        json.dumps(
            {
                "utterances": len(texts),
                "classify_ms_median": round(statistics.median(lat) * 1000, 2),
                "classify_ms_p99": round(lat[int(len(lat) * 0.99)] * 1000, 2),
                "startup_s": round(statistics.median(s for s, _ in starts), 3),
                "peak_rss_mb": round(max(m for _, m in starts), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
