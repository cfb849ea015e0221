"""The crisis check's second look: a turn right beside the crisis phrasings it was taught."""

from __future__ import annotations

import numpy as np

from voice.dialog.dialog import Dialog
from voice.dialog.loader import CRISIS_KINDS
from voice.dialog.neighbours import CrisisNeighbours
from voice.dialog.router import VectorStore, _load_head


def _around(direction: np.ndarray, count: int, spread: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(size=(count, direction.size)) * spread
    return np.asarray(direction + noise, dtype=np.float32)


AXES = np.eye(8, dtype=np.float32)


def _taught() -> CrisisNeighbours:
    # Crisis phrasings along one axis; everyday ones half-way to another (near enough to
    # the crisis ones to be kept) and along a third (too far from them to matter).
    vectors = np.vstack(
        [
            _around(AXES[0], 5, 0.05, 1),
            _around(AXES[0] + AXES[1], 5, 0.05, 2),
            _around(AXES[3], 5, 0.05, 3),
        ]
    )
    labels = ["crisis_baby"] * 5 + ["rest"] * 5 + ["hello"] * 5
    return CrisisNeighbours.learn(vectors, labels, CRISIS_KINDS)


def test_a_turn_beside_the_crisis_phrasings_gets_their_kind() -> None:
    assert _taught().kind_near(AXES[0] * 3 + 0.1 * AXES[2]) == "crisis_baby"


def test_a_turn_beside_everyday_phrasings_or_far_from_all_gets_nothing() -> None:
    near = _taught()
    assert near.kind_near(AXES[0] + AXES[1]) is None
    assert near.kind_near(AXES[5]) is None


def test_a_turn_only_a_little_closer_to_the_crisis_side_gets_nothing() -> None:
    # cosine 0.94 to the crisis side, 0.90 to the everyday side: inside the margin
    assert _taught().kind_near(AXES[0] + 0.35 * AXES[1]) is None
    assert _taught().kind_near(AXES[0] + 0.2 * AXES[1]) == "crisis_baby"


def test_everyday_phrasings_far_from_every_crisis_one_are_not_kept() -> None:
    near = _taught()
    assert len(near.crisis) == 5 and len(near.everyday) == 5
    assert near.kinds == ("crisis_baby",) * 5


def test_the_kept_model_keeps_the_crisis_phrasings(dialog: Dialog) -> None:
    from voice.settings import default_cache_dir

    store = VectorStore(dialog.encoder, default_cache_dir() / "understanding")
    kept = list((default_cache_dir() / "understanding").glob("head-*.npz"))
    assert kept, "the trained model was not kept on disk"
    near = dialog.router.near
    assert near is not None and len(near.crisis) > 500 and set(near.kinds) == set(CRISIS_KINDS)
    loaded = [_load_head(store, p.stem.removeprefix("head-")) for p in kept]
    assert any(
        r is not None and r.near is not None and np.array_equal(r.near.crisis, near.crisis)
        for r in loaded
    )
