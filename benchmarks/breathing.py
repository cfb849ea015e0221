"""Breathing cue timing as JSON: a two-minute exercise played on the virtual speaker and
recorded, with a tone at every phase change; each cue's recorded onset is compared with its
schedule, and each tone's onset (found by its pitch) with the tone's.

Words are timed on a copy of the recording with the tones silenced, so a word that follows
its tone closely is not taken to start at the tone. The same run plays a sample-exact click
track through the same path and reports how its recorded spacing compares with the track's
own (`recording_path_rate`, 1.0 for an exact path), as a check on the measurement itself.

Run: .venv/bin/python benchmarks/breathing.py [PATTERN]   (default: coherent, ~2 minutes)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.audio_env import (  # noqa: E402
    SPEAKER_RATE,
    onset_errors,
    onsets,
    recording_stretch,
    start_server,
    stop_server,
    tone_onsets,
)
from voice.breathing.timeline import TONE_SECONDS, Cue, Exercise, timeline  # noqa: E402
from voice.dialog.dialog import Dialog  # noqa: E402
from voice.settings import default_cache_dir  # noqa: E402


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "coherent"
    dialog = Dialog.from_paths([ROOT / "dialogs"], default_cache_dir())
    exercise = Exercise(dialog.scripts.patterns[name], dialog.mantras(), tone=True)
    cues = timeline(exercise)
    audio = start_server()  # before sounddevice is imported: PortAudio lists devices once
    from voice.audio.devices import Speaker
    from voice.audio.speech import SpeechOut
    from voice.audio.synthesizer import Synthesizer
    from voice.breathing.player import BreathingPlayer

    try:
        with TemporaryDirectory() as tmp:
            speaker = Speaker(None)
            speaker.open()
            speech = SpeechOut(Synthesizer(None, 160, Path(tmp)), speaker, 0.9)
            speech.synth.warm(c.text for c in cues if c.text).join()
            recording = Path(tmp) / "breathing.raw"
            recorder = audio.record_speaker(recording)
            time.sleep(0.5)
            played = BreathingPlayer(exercise, speech).run()
            speaker.wait(5)
            time.sleep(0.3)
            recorder.terminate()
            recorder.wait()
            speaker.close()
            timed = sorted({c.at: c for c in cues if c.text}.values(), key=lambda c: c.at)
            path_rate = recording_stretch(audio, Path(tmp))
            errors = onset_errors(without_tones(recording), [c.at for c in timed])
            tones = tone_errors(recording, cues)
    finally:
        stop_server(audio)
    rounds = [c.round for c in timed]
    late = [p.started - p.scheduled for p in played]
    print(
        json.dumps(
            {
                "pattern": name,
                "seconds": cues[-1].at,
                "cues_measured": len(errors),
                "recording_path_rate": round(path_rate, 5),
                "onset_error_ms": summary(errors, rounds),
                "tones_measured": len(tones),
                "tone_onset_error_ms": spread(tones),
                "player_start_lateness_ms": {
                    "median": round(statistics.median(late) * 1000, 2),
                    "max": round(max(late) * 1000, 2),
                },
            },
            indent=2,
        )
    )


def tone_errors(recording: Path, cues: list[Cue]) -> list[float]:
    """Each tone cue's recorded tone onset minus its schedule, aligned on the first sound
    (the intro at 0 s); a tone that was not heard counts as a full second off."""
    start = onsets(recording)[0]
    heard = [t - start for t in tone_onsets(recording)]
    wanted = [c.at for c in cues if c.kind == "tone"]
    return [min((h - at for h in heard), key=abs, default=1.0) for at in wanted]


def without_tones(recording: Path) -> Path:
    """A copy of the recording with each tone (found by its pitch) silenced, so the words
    that follow a tone closely are not taken to start at the tone."""
    samples = np.frombuffer(recording.read_bytes(), dtype="<i2").copy()
    for start in tone_onsets(recording):
        first = int(start * SPEAKER_RATE)
        samples[first : first + int((TONE_SECONDS + 0.03) * SPEAKER_RATE)] = 0
    words = recording.with_name("words.raw")
    words.write_bytes(samples.tobytes())
    return words


def spread(errors: list[float]) -> dict[str, float]:
    """Median and max absolute error in milliseconds."""
    return {
        "median_abs": round(statistics.median(abs(e) for e in errors) * 1000, 1),
        "max_abs": round(max(abs(e) for e in errors) * 1000, 1),
    }


def summary(errors: list[float], rounds: list[int]) -> dict[str, float]:
    """Median and max absolute error, and drift: mean error of the last round minus the first."""

    def mean_of(round_: int) -> float:
        return statistics.mean(e for e, r in zip(errors, rounds, strict=True) if r == round_)

    return {
        "median_abs": round(statistics.median(abs(e) for e in errors) * 1000, 1),
        "max_abs": round(max(abs(e) for e in errors) * 1000, 1),
        "drift_first_to_last_round": round((mean_of(max(rounds)) - mean_of(0)) * 1000, 1),
    }


if __name__ == "__main__":
    main()
