"""A private PulseAudio server with a virtual microphone and speaker, for real audio tests.

PortAudio lists devices once, when sounddevice is first imported; tests import the audio
modules inside the test functions, and a server started after that import makes PortAudio
list the devices again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REQUIRED = ("pulseaudio", "pactl", "paplay", "parec", "espeak-ng", "sox")
SPEAKER_RATE = 22050
SERVER_LOG = "server.log"


def unavailable(reason: str) -> None:
    """Skip on a machine without the audio stack; in CI, fail instead."""
    if os.environ.get("GOODENOUGH_REQUIRE_AUDIO") or os.environ.get("CI"):
        pytest.fail(f"audio tests must run here but cannot: {reason}")
    pytest.skip(reason)


@dataclass
class VirtualAudio:
    """The running server: feed the mic, record the speaker."""

    runtime: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime)}

    def speak_into_mic(self, wav: Path) -> subprocess.Popen[bytes]:
        """Play a WAV into the virtual microphone (returns at once)."""
        return subprocess.Popen(["paplay", "-d", "micfeed", str(wav)], env=self.env())

    def record_speaker(self, path: Path) -> subprocess.Popen[bytes]:
        """Record what the program plays, as raw 16-bit mono 22050 Hz, until terminated."""
        return subprocess.Popen(
            [
                "parec",
                "-d",
                "speaker.monitor",
                f"--rate={SPEAKER_RATE}",
                "--channels=1",
                "--format=s16le",
                "--latency-msec=20",
                str(path),
            ],
            env=self.env(),
        )


def start_server(rescan: bool = True, runtime: Path | None = None) -> VirtualAudio:
    """Start the server and make it the default. With rescan=False PortAudio is left alone:
    for a server brought back under a program that is still running, which must find the
    devices again itself (restarting PortAudio under its open streams is not safe).

    `runtime` starts it again in the folder of one that died, so its users need no change.
    Shared memory is off: PulseAudio 16 aborts on a memfd block it did not register
    (its issue 824), which killed the server in the middle of the suite; blocks are then
    copied over the socket, plenty for two virtual devices. The CPU limiter is off too, so a
    busy shared machine cannot get the server to stop itself."""
    missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
    if missing:
        unavailable(f"missing {', '.join(missing)} (scripts/setup.sh --test installs them)")
    if runtime is None:
        runtime = Path(tempfile.mkdtemp(prefix="goodenough-pulse-"))
    else:  # whatever is left of the one that died must not block the new one
        subprocess.run(
            ["pulseaudio", "--kill"],
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
            check=False,
            capture_output=True,
        )
        time.sleep(0.5)
        (runtime / "pulse" / "pid").unlink(missing_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    os.environ.pop("PULSE_SERVER", None)
    subprocess.run(
        [
            "pulseaudio",
            "-D",
            "-n",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--no-cpu-limit",
            "--disable-shm=yes",
            f"--log-target=file:{runtime / SERVER_LOG}",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=speaker",
            "--load=module-null-sink sink_name=micfeed rate=16000 channels=1",
            "--load=module-remap-source master=micfeed.monitor source_name=virtmic",
        ],
        check=False,
        capture_output=True,
        timeout=30,
    )
    for _ in range(50):
        if subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode == 0:
            break
        time.sleep(0.1)
    else:
        unavailable("the private PulseAudio server did not start")
    subprocess.run(["pactl", "set-default-source", "virtmic"], check=True)
    subprocess.run(["pactl", "set-default-sink", "speaker"], check=True)
    # sounddevice loaded before the server existed saw no devices
    if rescan and "sounddevice" in sys.modules:
        from voice.audio.devices import rescan_devices

        rescan_devices()
    return VirtualAudio(runtime)


def server_alive(audio: VirtualAudio) -> bool:
    """Whether the server still answers."""
    answer = subprocess.run(["pactl", "info"], env=audio.env(), capture_output=True, check=False)
    return answer.returncode == 0


def last_words(audio: VirtualAudio, lines: int = 15) -> str:
    """The end of the server's own log: why it stopped, when it did."""
    log = audio.runtime / SERVER_LOG
    if not log.exists():
        return "(the server left no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop_server(audio: VirtualAudio) -> None:
    subprocess.run(["pulseaudio", "--kill"], env=audio.env(), check=False, capture_output=True)
    shutil.rmtree(audio.runtime, ignore_errors=True)


def utterance(text: str, folder: Path, lead: float = 0.3, tail: float = 1.5) -> Path:
    """espeak-ng speaking `text`, as 16 kHz mono WAV with silence around it."""
    raw, out = folder / f"{abs(hash(text))}-raw.wav", folder / f"{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), text], check=True)
    subprocess.run(
        [
            "sox",
            str(raw),
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(out),
            "pad",
            str(lead),
            str(tail),
        ],
        check=True,
    )
    return out


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def loud_spans(
    raw: Path, rate: int = SPEAKER_RATE, block: float = 0.02, gap: float = 0.4
) -> list[tuple[float, float]]:
    """(start, end) seconds of sound in a raw s16le recording; pauses under `gap` join."""
    samples = np.frombuffer(raw.read_bytes(), dtype="<i2").astype(np.float32)
    size = int(rate * block)
    step = size / rate  # a block's true length: `block` rounded to whole samples
    levels = [np.abs(samples[i : i + size]).mean() for i in range(0, len(samples), size)]
    spans: list[tuple[float, float]] = []
    start = None
    for index, level in enumerate(levels):
        if level > 200 and start is None:
            start = index
        elif level <= 200 and start is not None:
            spans.append((start * step, index * step))
            start = None
    if start is not None:
        spans.append((start * step, len(levels) * step))
    joined: list[tuple[float, float]] = []
    for span in spans:
        if joined and span[0] - joined[-1][1] < gap:
            joined[-1] = (joined[-1][0], span[1])
        else:
            joined.append(span)
    return joined


def onsets(raw: Path) -> list[float]:
    """Seconds at which sounds start in a raw recording of the speaker."""
    return [start for start, _ in loud_spans(raw, block=0.005, gap=0.12)]


def recording_stretch(audio: VirtualAudio, folder: Path, clicks: int = 12) -> float:
    """How the speaker recording's timing compares with the audio played into it.

    A sample-exact click track (one click every 2 s) is played with paplay and recorded the
    way the program's output is; the fitted slope of recorded onsets against the track's own
    times is the recording path's stretch (1.0 on an ideal device). It measures the virtual
    device, not the program, so figures can be corrected by it.
    """
    track, recording = folder / "clicks.wav", folder / "clicks.raw"
    click = 0.4 * 32767 * np.sin(2 * np.pi * 440 * np.arange(SPEAKER_RATE // 5) / SPEAKER_RATE)
    samples = np.zeros(SPEAKER_RATE * (2 * clicks + 1), dtype="<i2")
    for index in range(clicks):
        start = SPEAKER_RATE * (1 + 2 * index)
        samples[start : start + len(click)] = click.astype("<i2")
    with wave.open(str(track), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SPEAKER_RATE)
        out.writeframes(samples.tobytes())
    recorder = audio.record_speaker(recording)
    time.sleep(0.5)
    subprocess.run(["paplay", "-d", "speaker", str(track)], env=audio.env(), check=True)
    time.sleep(0.5)
    recorder.terminate()
    recorder.wait()
    heard = onsets(recording)
    if len(heard) != clicks:
        raise RuntimeError(f"expected {clicks} clicks in the recording, found {len(heard)}")
    slope = np.polyfit([1 + 2 * i for i in range(clicks)], heard, 1)[0]
    return float(slope)


def onset_errors(raw: Path, scheduled: list[float], stretch: float = 1.0) -> list[float]:
    """Seconds each scheduled onset was early (-) or late (+) in a recording, aligned on the
    first one, with recorded times divided by the recording path's `stretch`. Each schedule
    time is matched to the nearest detected onset."""
    heard = [start / stretch for start in onsets(raw)]
    if not heard:
        return []
    offset = heard[0] - scheduled[0]
    errors = []
    for at in scheduled:
        nearest = min(heard, key=lambda o: abs(o - offset - at))
        errors.append(nearest - offset - at)
    return errors


def tone_onsets(
    raw: Path, hz: float = 432.0, rate: int = SPEAKER_RATE, share: float = 0.7
) -> list[float]:
    """Seconds at which a steady sine near `hz` starts in a raw recording of the speaker.

    In 40 ms windows every 10 ms, the share of the window's energy within 20 Hz of `hz`: a
    pure tone puts most of its energy there, speech spreads it over many harmonics."""
    samples = np.frombuffer(raw.read_bytes(), dtype="<i2").astype(np.float32)
    size, hop = int(rate * 0.04), int(rate * 0.01)
    freqs = np.fft.rfftfreq(size, 1 / rate)
    near = np.abs(freqs - hz) <= 20
    window = np.hanning(size)
    found, inside = [], False
    for start in range(0, len(samples) - size, hop):
        piece = samples[start : start + size]
        power = np.abs(np.fft.rfft(piece * window)) ** 2
        loud = float(np.sqrt(np.mean(piece**2))) > 200.0
        tonal = loud and power[near].sum() / power.sum() > share
        if tonal and not inside:
            found.append(start / rate)
        inside = tonal
    return found
