"""The understanding model's files: checked before use, and a clear way out when they are bad."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voice.dialog import encoder
from voice.dialog.encoder import Encoder, EncoderError, ModelFile

from .conftest import ROOT


def _package(where: Path, data: bytes) -> None:
    (where / "fakemodel").mkdir()
    (where / "fakemodel" / "__init__.py").write_text("")
    (where / "fakemodel" / "model.onnx").write_bytes(data)


def test_a_damaged_model_file_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path, b"not the model at all")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(encoder, "MODEL", ModelFile("fakemodel", "9.9", "model.onnx", "0" * 64))
    with pytest.raises(EncoderError, match=r"damaged.*pip install --force-reinstall fakemodel"):
        Encoder()


def test_a_model_package_that_is_not_installed_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = ModelFile("no_such_model_package", "1.0", "model.onnx", "0" * 64)
    monkeypatch.setattr(encoder, "MODEL", missing)
    with pytest.raises(EncoderError, match=r"not installed.*scripts/setup.sh"):
        Encoder()


def test_a_model_that_matches_its_hash_but_will_not_load_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"\x08\x07garbage that is no onnx graph"
    _package(tmp_path, data)
    monkeypatch.syspath_prepend(str(tmp_path))
    sha = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(encoder, "MODEL", ModelFile("fakemodel", "9.9", "model.onnx", sha))
    with pytest.raises(EncoderError, match=r"would not load.*reinstall"):
        Encoder(tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*")), "nothing half-written is kept"


def test_the_command_line_prints_the_fix_not_a_traceback(tmp_path: Path) -> None:
    _package(tmp_path, b"broken")
    program = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from voice.dialog import encoder\n"
        "encoder.MODEL = encoder.ModelFile('fakemodel', '9.9', 'model.onnx', '0' * 64)\n"
        "from voice.cli.main import main\n"
        "sys.exit(main(['classify']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path)],
        input="hello\n",
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "pip install --force-reinstall fakemodel==9.9" in result.stderr


def test_a_damaged_kept_optimised_model_is_made_again(tmp_path: Path) -> None:
    first = Encoder(tmp_path)
    kept = list(tmp_path.glob("encoder-*.onnx"))
    assert len(kept) == 1
    vector = first.embed(["i forgot snack day again"])[0]
    kept[0].write_bytes(b"half a file")
    again = Encoder(tmp_path)
    assert kept[0].stat().st_size > 1_000_000
    assert float(again.embed(["i forgot snack day again"])[0] @ vector) > 0.999


def test_truncated_cache_files_are_made_again(tmp_path: Path) -> None:
    from voice.dialog.router import VectorStore

    texts = ["yes i am", "no not really", "i do not know"]
    first = VectorStore(Encoder(tmp_path), tmp_path).fixed(texts)
    for kept in [*tmp_path.glob("fixed-*.npz"), *tmp_path.glob("vectors-*.npz")]:
        whole = kept.read_bytes()
        kept.write_bytes(whole[: len(whole) // 2])  # a zip cut short: BadZipFile, not OSError
    store = VectorStore(Encoder(tmp_path), tmp_path)
    assert np.allclose(store.fixed(texts), first, atol=1e-5)
    assert store.vectors(texts).shape == (3, 384)
