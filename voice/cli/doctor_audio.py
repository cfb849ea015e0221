"""The doctor's checks of the audio side: PortAudio, espeak-ng, the speech model, microphone
and speaker. The engines are reached only through the modules that own them."""

from __future__ import annotations

import math
import queue
import shutil
import subprocess
import time
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from voice.checks import Blocked, Check
from voice.modelstore import KNOWN_SHA256
from voice.settings import Settings

if TYPE_CHECKING:
    from voice.audio.devices import AudioChunk

LISTEN_SECONDS = 0.5
"""How much of the microphone's sound the level check measures."""


def _audio() -> ModuleType:
    """voice.audio.devices, or Blocked with the fix when PortAudio itself is missing."""
    try:
        from voice.audio import devices as audio
    except OSError as exc:  # sounddevice raises this when libportaudio cannot be loaded
        raise Blocked(
            f"PortAudio is missing ({exc}); install it: sudo apt-get install libportaudio2"
        ) from exc
    return audio


def check_portaudio() -> Check:
    devices = _audio().list_devices()
    if not devices:
        return Check("portaudio", "warn", "loaded, but it lists no audio devices")
    return Check("portaudio", "ok", f"loaded; {len(devices)} audio devices")


def check_voice(settings: Settings) -> Check:
    """A short word through the same voice `run` uses."""
    from voice.audio.synthesizer import Synthesizer

    synth = Synthesizer(settings.speech.voice, settings.speech.rate_wpm, None)
    try:
        samples = synth.pcm("ready", keep=False)
    finally:
        synth.close()
    seconds = len(samples) / synth.sample_rate
    return Check("espeak-ng", "ok", f"{_espeak_version()}voice {synth.voice}, {seconds:.1f} s")


def _espeak_version() -> str:
    program = shutil.which("espeak-ng")
    if program is None:
        return ""
    try:
        shown = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    words = shown.stdout.split()
    return f"{words[words.index('text-to-speech:') + 1]}, " if "text-to-speech:" in words else ""


def check_model(settings: Settings) -> Check:
    """Found where `run` looks, and loads; how its checksum was (or was not) checked."""
    from voice.audio.recognizer import find_model, load_model

    listening = settings.listening
    path = find_model(listening.model, listening.model_named_by, listening.models_dir)
    load_model(path, settings.listening.endpoint_silence_seconds)
    downloaded = path.parent.resolve() == settings.listening.models_dir.resolve()
    if downloaded and path.name in KNOWN_SHA256:
        note = "pinned SHA-256 checked when downloaded (the archive is not kept)"
    else:
        note = "no checksum on record for it (not a pinned download)"
    return Check("speech model", "ok", f"{path} ({path.name}); loads; {note}")


def check_mic(name: str | None) -> Check:
    """Opens, and a short listen: pure digital silence usually means muted or the wrong input."""
    mic = _audio().Mic(name)
    try:
        mic.open()
        pcm = _listen(mic.chunks, LISTEN_SECONDS)
    finally:
        mic.close()
    which = f"'{name}'" if name else "default input"
    if not pcm:
        return Check("microphone", "warn", f"{which} opened, but no sound came from it")
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    rms = float(np.sqrt(np.mean(samples**2)))
    if rms == 0.0:
        return Check(
            "microphone",
            "warn",
            f"{which} opened, but it hears pure silence: unmute it (alsamixer) "
            "or pick another with --mic (see goodenough devices)",
        )
    level = 20 * math.log10(rms)
    return Check("microphone", "ok", f"{which} opened; level {level:.0f} dBFS")


def _listen(chunks: queue.Queue[AudioChunk], seconds: float) -> bytes:
    """About `seconds` of captured audio (less if the device stalls)."""
    heard: list[bytes] = []
    got = 0.0
    deadline = time.monotonic() + seconds + 1.5
    while got < seconds and time.monotonic() < deadline:
        try:
            chunk = chunks.get(timeout=0.2)
        except queue.Empty:
            continue
        heard.append(chunk.pcm)
        got += chunk.seconds
    return b"".join(heard)


def check_speaker(name: str | None) -> Check:
    speaker = _audio().Speaker(name)
    try:
        speaker.open()
    finally:
        speaker.close()
    return Check("speaker", "ok", f"{f'{name!r}' if name else 'default output'} opened")
