"""Speech model download (explicit, checksum-verified, atomic) and listing."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voice.errors import EngineError

_LOGGER = logging.getLogger(__name__)

BASE_URL = "https://alphacephei.com/vosk/models"
DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
KNOWN_SHA256 = {
    DEFAULT_MODEL: "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
}
"""Pinned checksums; alphacephei publishes only md5, so these come from an independent pin."""
BLOCK = 1 << 16
SCHEMES = ("https", "http", "file")


class DownloadError(EngineError):
    """The download failed; nothing was left behind."""


@dataclass(frozen=True)
class Download:
    """What to fetch and how to check it."""

    name: str
    url: str
    sha256: str
    timeout: float = 30.0


def plan(name: str | None, url: str | None, sha256: str | None) -> Download:
    """The download for a model name, refusing names with no known checksum."""
    model = name or DEFAULT_MODEL
    digest = sha256 or KNOWN_SHA256.get(model)
    if digest is None:
        raise DownloadError(
            f"no pinned checksum for '{model}'; pass --sha256 with the value you trust"
        )
    return Download(model, check_url(url or f"{BASE_URL}/{model}.zip"), digest.lower())


def check_url(url: str) -> str:
    """`url` when it is an address a download can start from; DownloadError otherwise."""
    parts = urllib.parse.urlsplit(url.strip())
    where = parts.path if parts.scheme == "file" else parts.netloc
    if parts.scheme.lower() not in SCHEMES or not where:
        raise DownloadError(
            f"'{url}' is not a download address; give one starting with "
            + ", ".join(f"{s}://" for s in SCHEMES)
        )
    return url.strip()


def download(job: Download, models_dir: Path, progress: Callable[[int, int], None]) -> Path:
    """Fetch, verify and unpack into models_dir/<name>; on any failure leave nothing behind."""
    target = models_dir / job.name
    if target.exists():
        raise DownloadError(f"{target} already exists; remove it first to download again")
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        _drop_abandoned(models_dir, job.name)
        work = Path(tempfile.mkdtemp(prefix=f".{job.name}.{os.getpid()}.", dir=models_dir))
    except OSError as exc:
        raise DownloadError(
            f"cannot write to the models folder {models_dir}: {exc.strerror or exc}"
        ) from exc
    try:
        archive = work / "model.zip"
        _fetch(job, archive, progress)
        _verify(archive, job.sha256)
        unpacked = _unpack(archive, work / "unpacked")
        unpacked.rename(target)  # same filesystem: the model appears whole or not at all
    except OSError as exc:
        raise DownloadError(f"cannot install the model into {models_dir}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _drop_abandoned(models_dir: Path, name: str) -> None:
    """Remove the half-done work of a download whose process is gone (killed, power cut)."""
    for old in models_dir.glob(f".{name}.*"):
        parts = old.name.split(".")
        pid = int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else 0
        if old.is_dir() and not _alive(pid):
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fetch(job: Download, into: Path, progress: Callable[[int, int], None]) -> None:
    try:
        with (
            urllib.request.urlopen(job.url, timeout=job.timeout) as response,
            into.open("wb") as out,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while block := response.read(BLOCK):
                out.write(block)
                done += len(block)
                progress(done, total)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{job.url}: the server answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(f"{job.url}: download failed ({exc}); check the connection") from exc
    except ValueError as exc:  # urllib's word for an address it cannot use
        raise DownloadError(f"{job.url}: cannot download from this address ({exc})") from exc
    if total and done != total:
        raise DownloadError(f"{job.url}: download cut short ({done} of {total} bytes)")


def _verify(archive: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with archive.open("rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise DownloadError(
            f"checksum mismatch: expected {expected}, got {digest.hexdigest()}; refusing the file"
        )


def looks_like_model(path: Path) -> bool:
    """A Vosk model folder has an acoustic model and its configuration."""
    return (path / "am" / "final.mdl").is_file() and (path / "conf" / "model.conf").is_file()


def _unpack(archive: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(into)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DownloadError(f"the archive is damaged: {exc}") from exc
    candidates = [into, *sorted(p for p in into.iterdir() if p.is_dir())]
    for candidate in candidates:
        if looks_like_model(candidate):
            return candidate
    raise DownloadError("the archive holds no Vosk model (no am/final.mdl and conf/model.conf)")


def installed(models_dir: Path) -> list[Path]:
    """Model folders in models_dir."""
    if not models_dir.is_dir():
        return []
    return sorted(p for p in models_dir.iterdir() if p.is_dir() and looks_like_model(p))
