"""How the real program ends when its reader goes away, the disk is full, Ctrl-C is pressed,
a download has nowhere to go, or there are no audio devices: quietly, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_cli import run

pytestmark = pytest.mark.usefixtures("dialog")
"""Loading the scripts once in this process first leaves the trained model in the shared
cache, so the programs started below do not each train it (slow) on a fresh machine."""

VOICE = [sys.executable, "-m", "voice"]


def as_in_a_terminal() -> None:
    """SIGPIPE unblocked, as a shell has it: once a test has imported sounddevice, PortAudio
    has blocked it in the test process, and children inherit that."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPIPE})


def test_a_reader_that_leaves_early_ends_it_as_it_ends_cat(tmp_path: Path) -> None:
    lines = tmp_path / "big.txt"
    lines.write_text("i yelled at my kids\n" * 200_000, encoding="utf-8")  # > a pipe's buffer

    def pipeline(command: str) -> subprocess.CompletedProcess[str]:
        script = f"set -o pipefail; {command} < {lines} | head -1"
        return subprocess.run(
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
            preexec_fn=as_in_a_terminal,
        )

    ours = pipeline(" ".join(VOICE) + " classify")
    cat = pipeline("cat")
    assert ours.stderr == "" and ours.stdout.startswith('{"text": "i yelled at my kids"')
    assert ours.stdout.count("\n") == 1
    assert cat.returncode == 141  # 128 + SIGPIPE, as the shell reports it
    assert ours.returncode == cat.returncode


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("args", "stdin"), [(["classify"], b"hello\nhi\n"), (["breathe", "--json"], b"")]
)
def test_a_full_disk_ends_with_one_line(args: list[str], stdin: bytes) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [*VOICE, *args],
            input=stdin,
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.decode() == "goodenough: cannot write: No space left on device\n"


@pytest.mark.parametrize(
    ("args", "lines"), [(["classify"], 1500), (["chat", "--json"], 1), (["classify"], 1)]
)
def test_ctrl_c_ends_the_json_commands_with_130(args: list[str], lines: int) -> None:
    """With 1500 lines waiting it is stopped mid-work; with one, while it waits for more."""
    process = subprocess.Popen(
        [*VOICE, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdin and process.stdout
    process.stdin.write(b"i feel so guilty about work\n" * lines)
    process.stdin.flush()
    assert process.stdout.readline().startswith(b"{")  # loaded and answering
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err, err


def without_write_permission() -> list[str]:
    """A command prefix under which a folder's missing write bit holds, even for root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv to drop the override of file permissions")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


def test_download_into_a_read_only_models_folder_is_explained(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(f"models_dir: {models}\n", encoding="utf-8")
    models.chmod(0o555)
    try:
        result = subprocess.run(
            [*without_write_permission(), *VOICE, "--config", str(config), "models", "download"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    finally:
        models.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert f"goodenough: cannot write to the models folder {models}: " in result.stderr
    assert "Traceback" not in result.stderr
    assert list(models.iterdir()) == []


@pytest.mark.parametrize("url", ["not a url", "", "http://", "example.com/model.zip", "ftp:x"])
def test_download_from_something_that_is_not_an_address_is_refused(url: str) -> None:
    result = run(["models", "download", "tiny", "--sha256", "0" * 64, "--url", url])
    err = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in err
    assert f"argument --url: '{url}' is not a download address" in err


def has_sound_cards() -> bool:
    cards = Path("/proc/asound/cards")
    return cards.exists() and "no soundcards" not in cards.read_text(encoding="utf-8")


@pytest.mark.skipif(has_sound_cards(), reason="this machine has sound cards to list")
def test_no_audio_devices_is_said_in_words(tmp_path: Path) -> None:
    pytest.importorskip("sounddevice", reason="needs the audio extra")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    env["PULSE_SERVER"] = f"unix:{tmp_path / 'no-server'}"  # nor a sound server to reach
    result = subprocess.run(
        [*VOICE, "devices"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no audio devices found (is a speaker or microphone connected?)\n"
