"""The only module that imports vosk: model lookup, endpoint tuning, streaming recognition."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

try:
    import vosk
except OSError as exc:  # the package is there, a system library it needs is not
    _MISSING = str(exc)
else:
    _MISSING = ""
from voice.audio.formats import HEARD
from voice.errors import EngineError
from voice.modelstore import installed, looks_like_model
from voice.transcript import Transcript, Word

_LOGGER = logging.getLogger(__name__)

DOWNLOAD_HINT = (
    "Download the English model with 'goodenough models download' (it goes into {folder}), "
    "or point to a Vosk model folder with --model PATH or GOODENOUGH_MODEL."
)


class ModelError(EngineError):
    """No usable speech model; the message says how to get one."""


def find_model(named: Path | None, named_by: str, models_dir: Path) -> Path:
    """The model folder the settings name (`named_by` says who named it, for the message),
    else any model in models_dir."""
    if named is not None:
        if not looks_like_model(named):
            raise ModelError(
                f"{named_by or 'the settings'} names {named}, which is not a Vosk model folder "
                f"(no am/final.mdl and conf/model.conf). " + DOWNLOAD_HINT.format(folder=models_dir)
            )
        return named
    found = installed(models_dir)
    if not found:
        raise ModelError(
            f"no speech model found in {models_dir}. " + DOWNLOAD_HINT.format(folder=models_dir)
        )
    return found[0]


def _shadow_with_endpoint(model: Path, silence: float, into: Path) -> Path:
    """A folder of links to the model, with conf/model.conf rewritten for the endpoint.

    vosk 0.3.45 reads endpoint silences only from that file; the user's model is left alone.
    """
    shadow = into / "model"
    shadow.mkdir()
    for entry in model.iterdir():
        if entry.name != "conf":
            (shadow / entry.name).symlink_to(entry.resolve())
    (shadow / "conf").mkdir()
    for entry in (model / "conf").iterdir():
        if entry.name != "model.conf":
            (shadow / "conf" / entry.name).symlink_to(entry.resolve())
    rules = {"rule2": silence, "rule3": silence * 2, "rule4": silence * 4}
    lines = [
        line
        for line in (model / "conf" / "model.conf").read_text().splitlines()
        if not any(f"--endpoint.{rule}.min-trailing-silence" in line for rule in rules)
    ]
    lines += [f"--endpoint.{rule}.min-trailing-silence={value:g}" for rule, value in rules.items()]
    (shadow / "conf" / "model.conf").write_text("\n".join(lines) + "\n")
    return shadow


def load_model(path: Path, endpoint_silence: float | None = None) -> vosk.Model:
    """Load a Vosk model, optionally with its endpoint silence changed (in a private copy)."""
    if _MISSING:
        raise ModelError(
            f"the speech engine cannot load ({_MISSING}). Install what it needs: "
            "sudo apt-get install libatomic1 (scripts/setup.sh does), then try again."
        )
    vosk.SetLogLevel(-1)
    if endpoint_silence is None:
        return vosk.Model(str(path))
    tmp = Path(tempfile.mkdtemp(prefix="goodenough-model-"))
    try:
        return vosk.Model(str(_shadow_with_endpoint(path, endpoint_silence, tmp)))
    except Exception as exc:  # vosk raises a bare Exception when a model will not load
        raise ModelError(f"cannot load the speech model at {path}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class VoskRecognizer:
    """A streaming recogniser; one per thread (they may share one Model)."""

    def __init__(
        self, model: vosk.Model, grammar: tuple[str, ...] | None = None, stall_seconds: float = 1.5
    ) -> None:
        if grammar:
            self._rec = vosk.KaldiRecognizer(model, HEARD.rate, json.dumps([*grammar, "[unk]"]))
        else:
            self._rec = vosk.KaldiRecognizer(model, HEARD.rate)
        self._rec.SetWords(True)
        self._heard = 0.0
        self._last_partial = ""
        self._changed_at = 0.0
        self.stall_seconds = stall_seconds
        """A partial unchanged this long (audio seconds) is taken as the end of the utterance:
        background noise can keep Vosk's own endpointer from ever firing."""

    def listen_for(self, phrases: tuple[str, ...]) -> None:
        """Recognise only these phrases from now on (after the scripts are reloaded)."""
        self._rec.SetGrammar(json.dumps([*phrases, "[unk]"]))

    def accept(self, pcm: bytes) -> Transcript | None:
        self._heard += HEARD.seconds(len(pcm))
        if self._rec.AcceptWaveform(pcm):
            self._last_partial = ""
            return self._final(json.loads(self._rec.Result()))
        partial = str(json.loads(self._rec.PartialResult()).get("partial", ""))
        if partial != self._last_partial:
            self._last_partial, self._changed_at = partial, self._heard
            return Transcript(partial, final=False, audio_end=self._heard)
        if partial and self._heard - self._changed_at >= self.stall_seconds:
            self._last_partial = ""
            final = self._final(json.loads(self._rec.FinalResult()))
            self._rec.Reset()
            return final
        return None

    def _final(self, result: dict[str, object]) -> Transcript:
        raw = result.get("result", [])
        words = tuple(
            Word(str(w["word"]), float(w["conf"]), float(w["start"]), float(w["end"]))
            for w in (raw if isinstance(raw, list) else [])
        )
        return Transcript(
            str(result.get("text", "")), final=True, words=words, audio_end=self._heard
        )

    def reset(self) -> None:
        self._rec.Reset()
        self._last_partial = ""
