"""`goodenough doctor` run as a real process: what it finds, the fixes it names, its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from .audio_env import VirtualAudio
from .conftest import ROOT
from .test_loop_devices import goodenough

NAMES = [
    "python",
    "packages",
    "portaudio",
    "espeak-ng",
    "speech model",
    "understanding",
    "microphone",
    "speaker",
    "scripts",
    "cache folder",
    "service",
]


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voice", "doctor", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def by_name(stdout: str) -> dict[str, dict[str, str]]:
    results = json.loads(stdout)
    assert [r["name"] for r in results] == NAMES
    for result in results:
        assert set(result) == {"name", "status", "detail"}
        assert result["status"] in {"ok", "warn", "fail"}
        assert result["detail"]
    return {r["name"]: r for r in results}


def test_a_folder_that_is_not_a_model_blocks_run(tmp_path: Path) -> None:
    (tmp_path / "not-a-model").mkdir()
    result = doctor("--model", str(tmp_path / "not-a-model"))
    assert result.returncode == 1, result.stderr
    line = next(x for x in result.stdout.splitlines() if "speech model" in x)
    assert line.startswith("FAIL  speech model")
    assert "not a Vosk model folder" in line
    assert "goodenough models download" in line


def test_json_lists_every_check_and_the_exit_code_follows_failures(tmp_path: Path) -> None:
    result = doctor("--json", "--model", str(tmp_path / "missing"))
    found = by_name(result.stdout)
    assert found["speech model"]["status"] == "fail"
    assert found["understanding"]["status"] == "ok"
    assert found["scripts"]["status"] == "ok"
    assert found["service"]["status"] in {"ok", "warn"}  # never blocks
    assert result.returncode == 1


def test_a_file_where_the_cache_folder_should_be_is_named_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "goodenough").write_text("not a folder")
    result = doctor("--json", XDG_CACHE_HOME=str(tmp_path))
    cache = by_name(result.stdout)["cache folder"]
    # `run` still works without its cache (only slower), so this warns rather than blocks.
    assert cache["status"] == "warn"
    assert "is a file, not a folder; move it away" in cache["detail"]
    assert "cache_dir" in cache["detail"]


def test_an_installed_service_shows_its_state_and_restarts(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "systemctl"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        "printf 'LoadState=loaded\\nActiveState=active\\nSubState=running\\n"
        "NRestarts=3\\nExecMainStartTimestamp=Tue 2026-11-24 07:00:01 UTC\\n'\n"
    )
    fake.chmod(0o755)
    result = doctor("--json", PATH=f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    service = by_name(result.stdout)["service"]
    assert service["status"] == "ok"
    assert "active (running)" in service["detail"]
    assert "restarted 3 times" in service["detail"]
    assert "2026-11-24 07:00:01" in service["detail"]


def _tone(path: Path, seconds: float = 30.0) -> Path:
    rate = 16000
    t = np.arange(int(seconds * rate)) / rate
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((0.2 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes())
    return path


@pytest.mark.audio
def test_virtual_devices_and_the_korean_model_pass(
    virtual_audio: VirtualAudio, korean_model: Path, tmp_path: Path
) -> None:
    feed = virtual_audio.speak_into_mic(_tone(tmp_path / "tone.wav"))
    try:
        time.sleep(0.5)
        started = time.monotonic()
        process = goodenough(
            ["doctor", "--json", "--model", str(korean_model)], virtual_audio, tmp_path
        )
        stdout, stderr = process.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        feed.terminate()
        feed.wait()
    found = by_name(stdout)
    for name in ("portaudio", "espeak-ng", "speech model", "microphone", "speaker", "scripts"):
        assert found[name]["status"] == "ok", (name, found[name], stderr)
    assert "dBFS" in found["microphone"]["detail"]
    assert "no checksum on record" in found["speech model"]["detail"]
    assert process.returncode == 0, stderr  # only warnings (the service) remain
    assert took < 15


@pytest.mark.audio
def test_a_silent_microphone_is_a_warning(virtual_audio: VirtualAudio, tmp_path: Path) -> None:
    process = goodenough(["doctor", "--json"], virtual_audio, tmp_path)
    stdout, stderr = process.communicate(timeout=60)
    mic = by_name(stdout)["microphone"]
    assert mic["status"] == "warn", (mic, stderr)
    assert "pure silence" in mic["detail"]
    assert by_name(stdout)["speaker"]["status"] == "ok"
