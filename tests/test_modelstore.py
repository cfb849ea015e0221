"""Model download against a local HTTP server: good, corrupt, truncated, missing and slow."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice.modelstore import Download, DownloadError, download, installed, plan

NAME = "vosk-model-tiny-test"


def model_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(f"{NAME}/am/final.mdl", b"acoustic model" * 1000)
        zf.writestr(f"{NAME}/conf/model.conf", "--endpoint.rule2.min-trailing-silence=0.5\n")
        zf.writestr(f"{NAME}/README", "test model\n")
    return buffer.getvalue()


GOOD = model_zip()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = GOOD
        if self.path == "/missing.zip":
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        if self.path == "/truncated.zip":
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        if self.path == "/notazip.zip":
            body = b"this is not a zip file at all" * 100
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path == "/slow.zip":
            self.wfile.write(body[:100])
            self.wfile.flush()
            time.sleep(3)
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def job(url: str, digest: str | None = None, timeout: float = 10.0) -> Download:
    return Download(NAME, url, digest or hashlib.sha256(GOOD).hexdigest(), timeout)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_download_installs_whole_model(server: str, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    path = download(job(f"{server}/good.zip"), tmp_path, lambda d, t: seen.append((d, t)))
    assert path == tmp_path / NAME
    assert (path / "am" / "final.mdl").is_file()
    assert installed(tmp_path) == [path]
    assert leftovers(tmp_path) == [NAME]
    assert seen[-1] == (len(GOOD), len(GOOD))
    with pytest.raises(DownloadError, match="already exists"):
        download(job(f"{server}/good.zip"), tmp_path, lambda d, t: None)


@pytest.mark.parametrize(
    ("path", "digest", "message"),
    [
        ("/good.zip", "0" * 64, "checksum mismatch"),
        ("/truncated.zip", None, "cut short|download failed"),
        ("/missing.zip", None, "answered 404"),
        ("/notazip.zip", None, "checksum mismatch"),
    ],
)
def test_bad_downloads_leave_nothing(
    server: str, tmp_path: Path, path: str, digest: str | None, message: str
) -> None:
    with pytest.raises(DownloadError, match=message):
        download(job(f"{server}{path}", digest), tmp_path, lambda d, t: None)
    assert leftovers(tmp_path) == []


def test_damaged_archive_with_matching_checksum(server: str, tmp_path: Path) -> None:
    bad = b"this is not a zip file at all" * 100
    with pytest.raises(DownloadError, match="damaged"):
        download(
            job(f"{server}/notazip.zip", hashlib.sha256(bad).hexdigest()),
            tmp_path,
            lambda d, t: None,
        )
    assert leftovers(tmp_path) == []


def test_slow_server_times_out(server: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="download failed"):
        download(job(f"{server}/slow.zip", timeout=0.5), tmp_path, lambda d, t: None)
    assert leftovers(tmp_path) == []


def test_interrupt_cleans_up(server: str, tmp_path: Path) -> None:
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download(job(f"{server}/good.zip"), tmp_path, interrupt)
    assert leftovers(tmp_path) == []


def test_work_left_by_a_killed_download_is_cleared_next_time(server: str, tmp_path: Path) -> None:
    # A download killed outright (power cut, SIGKILL) cannot clean up after itself.
    gone = subprocess.Popen(["true"])
    gone.wait()
    abandoned = tmp_path / f".{NAME}.{gone.pid}.x1y2"
    (abandoned / "unpacked").mkdir(parents=True)
    running = tmp_path / f".{NAME}.{os.getpid()}.busy"  # a download still going on
    running.mkdir()
    download(job(f"{server}/good.zip"), tmp_path, lambda d, t: None)
    assert leftovers(tmp_path) == sorted([NAME, running.name])


def test_plan_pins_the_default_and_refuses_unknown_checksums() -> None:
    default = plan(None, None, None)
    assert default.name == "vosk-model-small-en-us-0.15"
    assert default.url == "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    assert default.sha256.startswith("30f26242")
    with pytest.raises(DownloadError, match="--sha256"):
        plan("vosk-model-en-us-0.22", None, None)


def test_download_and_list_from_the_command_line(server: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"models_dir: {tmp_path / 'models'}\n", encoding="utf-8")

    def goodenough(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "voice", "--config", str(config), "models", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    empty = goodenough("list")
    assert empty.returncode == 0 and "goodenough models download" in empty.stdout
    digest = hashlib.sha256(GOOD).hexdigest()
    wrong = goodenough("download", NAME, "--url", f"{server}/model.zip", "--sha256", "0" * 64)
    assert wrong.returncode == 1 and "checksum" in wrong.stderr.lower(), wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert "\r" not in wrong.stderr.split("checksum")[-1], "a progress bar drawn after the message"
    missing = goodenough("download", NAME, "--url", f"{server}/missing.zip", "--sha256", digest)
    assert missing.returncode == 1 and "404" in missing.stderr
    assert "B/s" not in missing.stderr and "\r" not in missing.stderr, missing.stderr
    assert leftovers(tmp_path / "models") == []
    good = goodenough("download", NAME, "--url", f"{server}/model.zip", "--sha256", digest)
    assert good.returncode == 0, good.stderr
    assert goodenough("list").stdout.split() == [str(tmp_path / "models" / NAME)]
