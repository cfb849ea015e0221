"""Dialog figures as JSON: script load+validate time, classify throughput and latency.

Run: .venv/bin/python benchmarks/dialog.py   (pin to one core: taskset -c 0 ...)
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation
from voice.settings import default_cache_dir

ROOT = Path(__file__).resolve().parent.parent


def utterances() -> list[str]:
    rows = []
    for name in ("utterances.tsv", "heldout.tsv"):
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                rows.append(line.split("\t", 1)[1])
    return rows


def load_times(runs: int = 15) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        Dialog.from_paths([ROOT / "dialogs"], default_cache_dir())
        times.append(time.perf_counter() - start)
    return times


def classify_latencies(dialog: Dialog, texts: list[str], rounds: int = 20) -> list[float]:
    latencies = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            Conversation(dialog).respond(text)
            latencies.append(time.perf_counter() - start)
    return latencies


def main() -> None:
    loads = load_times()
    dialog = Dialog.from_paths([ROOT / "dialogs"], default_cache_dir())
    texts = utterances()
    classify_latencies(dialog, texts, rounds=1)  # warm caches, as a running device would be
    lat = sorted(classify_latencies(dialog, texts))
    print(
        json.dumps(
            {
                "utterances": len(texts),
                "load_validate_ms_cold": round(loads[0] * 1000, 2),
                "load_validate_ms_median": round(statistics.median(loads) * 1000, 2),
                "load_validate_ms_max": round(max(loads) * 1000, 2),
                "classify_per_second": round(len(lat) / sum(lat)),
                "classify_ms_median": round(statistics.median(lat) * 1000, 4),
                "classify_ms_p99": round(lat[int(len(lat) * 0.99)] * 1000, 4),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
