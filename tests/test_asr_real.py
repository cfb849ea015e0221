"""The real Vosk engine with the Korean model: loading, streaming, endpoints, model lookup."""

from __future__ import annotations

import hashlib
import wave
from pathlib import Path

import pytest

from .audio_env import utterance

pytestmark = pytest.mark.audio


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.stat().st_size < 5_000_000
    }


def test_streaming_gives_partials_then_a_timed_final(korean_model: Path, tmp_path: Path) -> None:
    from voice.audio import recognizer as asr

    before = digest(korean_model / "conf")
    model = asr.load_model(korean_model, endpoint_silence=0.4)
    assert digest(korean_model / "conf") == before, "the user's model files were changed"
    recognizer = asr.VoskRecognizer(model, stall_seconds=1.0)
    wav = utterance("I feel so guilty about yelling at my kids", tmp_path, tail=3.0)
    with wave.open(str(wav)) as w:
        pcm = w.readframes(w.getnframes())
    partials, finals = [], []
    for start in range(0, len(pcm), 3200):
        result = recognizer.accept(pcm[start : start + 3200])
        if result is not None:
            (finals if result.final else partials).append(result)
    assert partials, "no partial results while streaming"
    assert len(finals) == 1
    final = finals[0]
    assert final.text and final.words
    assert all(0 <= w.start <= w.end <= final.audio_end for w in final.words)
    speech_end = len(pcm) / 32000 - 3.0
    assert speech_end < final.audio_end < speech_end + 2.5


def test_endpoint_silence_is_set_in_a_private_copy(korean_model: Path, tmp_path: Path) -> None:
    from voice.audio.recognizer import _shadow_with_endpoint

    shadow = _shadow_with_endpoint(korean_model, 0.3, tmp_path)
    conf = (shadow / "conf" / "model.conf").read_text()
    assert "--endpoint.rule2.min-trailing-silence=0.3" in conf
    assert "--endpoint.rule4.min-trailing-silence=1.2" in conf
    assert conf.count("rule2.min-trailing-silence") == 1
    assert (shadow / "am").resolve() == (korean_model / "am").resolve()


def test_a_named_model_must_be_one_and_otherwise_any_installed_model_is_used(
    korean_model: Path, tmp_path: Path
) -> None:
    from voice.audio.recognizer import ModelError, find_model

    empty = tmp_path / "models"
    empty.mkdir()
    with pytest.raises(ModelError, match="goodenough models download"):
        find_model(None, "", empty)
    assert find_model(korean_model, "--model", empty) == korean_model
    with pytest.raises(ModelError, match=r"GOODENOUGH_MODEL names .* not a Vosk model folder"):
        find_model(tmp_path, "GOODENOUGH_MODEL", empty)
    (empty / "m").symlink_to(korean_model)
    assert find_model(None, "", empty) == empty / "m"
