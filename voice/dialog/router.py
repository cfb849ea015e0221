"""Text -> intent probabilities: a linear model over a sentence embedding and the text's
n-grams, trained from the scripts' examples and cached on disk keyed by everything it was
trained from."""

from __future__ import annotations

import hashlib
import logging
import os
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import slips
from .encoder import Encoder, model_id
from .loader import CRISIS_KINDS
from .neighbours import CrisisNeighbours
from .ngrams import Ngrams

_LOGGER = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (done, total) while a long step runs."""

STRENGTH = 16.0
"""Inverse regularisation of the logistic regression (chosen on held-out data)."""
TRAINER = f"logreg-multinomial-balanced-C{STRENGTH}-slips1-ngrams1-near1-layout2"
"""Changes whenever the way the model is trained changes, so old caches are not used."""


@dataclass(frozen=True)
class Labelled:
    """One training line and what it means."""

    text: str
    label: str


def with_slips(lines: Sequence[Labelled]) -> list[Labelled]:
    """The lines plus one recognition-slip variant of each where one applies."""
    out = list(lines)
    for line in lines:
        slipped = slips.variant(line.text)
        if slipped:
            out.append(Labelled(slipped, line.label))
    return out


_UNREADABLE = (OSError, ValueError, KeyError, zipfile.BadZipFile)
"""What reading a damaged or truncated cache file raises; the file is then made again."""


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


class VectorStore:
    """Sentence vectors of training lines, kept on disk so only new lines are embedded."""

    def __init__(self, encoder: Encoder, folder: Path | None) -> None:
        self.encoder = encoder
        self._path = None if folder is None else folder / f"vectors-{model_id()}.npz"
        self._known: dict[str, np.ndarray] = {}
        self._loaded = False

    def _load(self) -> dict[str, np.ndarray]:
        """Read only when something must be trained: a trained model needs no vectors."""
        if self._path is None or not self._path.is_file():
            return {}
        try:
            with np.load(self._path) as data:
                return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except _UNREADABLE as exc:
            _LOGGER.info("sentence vector cache unreadable (%s); rebuilding it", exc)
            return {}

    def head_path(self, key: str) -> Path | None:
        """Where the model trained under `key` is kept beside the vectors (None: no cache)."""
        return None if self._path is None else self._path.parent / f"head-{key}.npz"

    def vectors(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        if not self._loaded:
            self._known, self._loaded = self._load(), True
        keys = [_digest(t)[:24] for t in texts]
        pairs = zip(keys, texts, strict=True)
        missing = sorted({k: t for k, t in pairs if k not in self._known}.items())
        for start in range(0, len(missing), 256):
            part = missing[start : start + 256]
            rows = self.encoder.embed_many([t for _, t in part])
            self._known.update(zip((k for k, _ in part), rows, strict=True))
            if progress is not None:
                progress(start + len(part), len(missing))
        if missing:
            self._save()
        return np.stack([self._known[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)

    def fixed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of a small set of lines read at every start (the answers a question
        listens for), kept in a file of their own so starting needs no encoder run."""
        empty = np.zeros((0, 384), np.float32)
        if self._path is None or not texts:
            return self.encoder.embed_many(list(texts)) if texts else empty
        path = self._path.parent / f"fixed-{_digest(model_id(), *texts)[:24]}.npz"
        try:
            with np.load(path) as data:
                kept = np.asarray(data["vectors"])
            if kept.shape[0] == len(texts):
                return kept
        except _UNREADABLE:
            pass
        rows = self.encoder.embed_many(list(texts))
        _atomic_npz(path, vectors=rows)
        _drop_stale(path.parent, "fixed-*.npz", keep=path)
        return rows

    def _save(self) -> None:
        if self._path is None:
            return
        keys = sorted(self._known)
        rows = np.stack([self._known[k] for k in keys])
        _atomic_npz(self._path, keys=np.array(keys), vectors=rows)


def _atomic_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write all or nothing; a cache that cannot be written only costs time."""
    partial = path.with_name(f"{path.stem}.{os.getpid()}.part.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(partial, **arrays)  # type: ignore[arg-type]  # numpy's stub misreads **kwargs
        partial.replace(path)
    except OSError as exc:
        _LOGGER.info("understanding cache not written (%s)", exc)
        partial.unlink(missing_ok=True)


class Router:
    """A softmax over intent labels from a sentence vector and the text's n-grams, and the
    crisis phrasings it was taught, for the crisis check's second look (None when a model
    is fitted only to be judged, as in cross-validation)."""

    def __init__(
        self,
        labels: tuple[str, ...],
        by_vector: np.ndarray,
        by_gram: np.ndarray,
        bias: np.ndarray,
        ngrams: Ngrams,
        near: CrisisNeighbours | None = None,
    ) -> None:
        self.labels, self.bias, self.ngrams, self.near = labels, bias, ngrams, near
        self.by_vector = by_vector
        """The weights on the vector's dimensions: one row per label."""
        self.by_gram = by_gram
        """The weights on the n-grams: one row per n-gram, so a turn reads only its own."""
        self._columns = ngrams.columns()
        self._last: tuple[str, tuple[np.ndarray, np.ndarray]] | None = None

    def probabilities(self, vector: np.ndarray, text: str) -> np.ndarray:
        """Label probabilities for one utterance (its tidied text and that text's vector)."""
        cols, values = self._features(text)
        logits = self.by_vector @ vector + self.bias
        if len(cols):
            logits += values @ self.by_gram[cols]
        exp = np.exp(logits - logits.max())
        return np.asarray(exp / exp.sum())

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's n-gram features; the crisis check and the router read each turn, so
        the last text's are kept."""
        if self._last is None or self._last[0] != text:
            self._last = (text, self.ngrams.features(text, self._columns))
        return self._last[1]


def train(
    raw: Sequence[Labelled],
    prepare: Callable[[list[Labelled]], list[Labelled]],
    store: VectorStore,
    progress: Progress | None,
    reading: str = "",
) -> Router:
    """Fit the model on `prepare(raw)`, or load the one already fitted on the same lines
    read the same way (`reading` names how: the vocabulary and the code that tidies text).
    The key comes from the raw lines, so a cached model is found without preparing them."""
    lines = sorted(f"{x.label}\t{x.text}" for x in raw)
    key = _digest(TRAINER, model_id(), reading, *lines)[:24]
    cached = _load_head(store, key)
    if cached is not None:
        return cached
    return _fit_and_keep(prepare(list(raw)), store, key, progress)


def _fit_and_keep(
    lines: Sequence[Labelled], store: VectorStore, key: str, progress: Progress | None
) -> Router:
    """Fit on prepared lines and keep the result on disk under `key`."""
    ordered = sorted(set(lines), key=lambda x: (x.label, x.text))
    texts = [x.text for x in ordered]
    vectors = store.vectors(texts, progress)
    labels = tuple(sorted({x.label for x in ordered}))
    targets = [x.label for x in ordered]
    router = fit(vectors, texts, targets, labels)
    near = router.near = CrisisNeighbours.learn(vectors, targets, CRISIS_KINDS)
    path = store.head_path(key)
    if path is not None:
        _atomic_npz(
            path,
            labels=np.array(labels),
            by_vector=router.by_vector,
            by_gram=router.by_gram,
            bias=router.bias,
            terms=np.frombuffer("\n".join(router.ngrams.terms).encode("utf-8"), dtype=np.uint8),
            rarity=router.ngrams.rarity,
            near_crisis=near.crisis,
            near_kinds=np.array(near.kinds),
            near_everyday=near.everyday,
        )
        _drop_stale(path.parent, "head-*.npz", keep=path)
    return router


STALE_SECONDS = 7 * 24 * 3600
"""Models trained on other scripts are dropped once unused for this long."""


def _drop_stale(folder: Path, pattern: str, keep: Path) -> None:
    """Remove old cache files left by earlier versions of the scripts."""
    now = time.time()
    for old in folder.glob(pattern):
        try:
            if old != keep and now - old.stat().st_atime > STALE_SECONDS:
                old.unlink()
        except OSError:
            continue


def fit(
    vectors: np.ndarray, texts: Sequence[str], targets: Sequence[str], labels: tuple[str, ...]
) -> Router:
    """Multinomial logistic regression, each label weighted as if equally common."""
    from scipy.sparse import csr_matrix, hstack  # type: ignore[import-untyped]  # training only
    from sklearn.linear_model import LogisticRegression

    ngrams = Ngrams.learn(texts)
    columns = ngrams.columns()
    rows, cols, values = [], [], []
    for row, text in enumerate(texts):
        c, v = ngrams.features(text, columns)
        rows.extend([row] * len(c))
        cols.extend(c.tolist())
        values.extend(v.tolist())
    grams = csr_matrix((values, (rows, cols)), shape=(len(texts), ngrams.size))
    features = hstack([csr_matrix(vectors), grams]).tocsr()
    model = LogisticRegression(C=STRENGTH, max_iter=3000, class_weight="balanced")
    model.fit(features, [labels.index(t) for t in targets])
    weights = np.zeros((len(labels), features.shape[1]), dtype=np.float32)
    bias = np.full(len(labels), -1e9, dtype=np.float32)
    weights[model.classes_] = model.coef_
    bias[model.classes_] = model.intercept_
    dims = vectors.shape[1]
    by_vector = np.ascontiguousarray(weights[:, :dims])
    by_gram = np.ascontiguousarray(weights[:, dims:].T)
    return Router(labels, by_vector, by_gram, bias, ngrams)


def _load_head(store: VectorStore, key: str) -> Router | None:
    path = store.head_path(key)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path) as data:
            blob = data["terms"].tobytes().decode("utf-8")
            ngrams = Ngrams(tuple(blob.split("\n")) if blob else (), data["rarity"])
            near = CrisisNeighbours(
                data["near_crisis"], tuple(data["near_kinds"].tolist()), data["near_everyday"]
            )
            labels = tuple(data["labels"].tolist())
            return Router(labels, data["by_vector"], data["by_gram"], data["bias"], ngrams, near)
    except _UNREADABLE as exc:
        _LOGGER.info("understanding cache unreadable (%s); training again", exc)
        return None
