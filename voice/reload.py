"""SIGHUP: read the config file and the scripts again while the loop keeps running. Both are
checked (and the model trained if the phrasings changed) on a side thread; only what passes
replaces what runs, so a broken edit is logged with its file and line and changes nothing.
Settings that need a device or model opened again are noted and take effect at restart."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from voice.audio.speech import SpeechOut
from voice.audio.synthesizer import SpeechError
from voice.dialog.crisis import all_replies
from voice.dialog.dialog import Dialog
from voice.dialog.encoder import EncoderError
from voice.dialog.loader import ScriptError
from voice.loop import VoiceLoop
from voice.settings import ConfigError, Settings

_LOGGER = logging.getLogger(__name__)

AT_RESTART = (
    "model",
    "models_dir",
    "mic",
    "speaker",
    "voice",
    "cache_dir",
    "endpoint_silence_seconds",
)
"""Settings a running program cannot change: the engines were opened with them."""


@dataclass(frozen=True)
class Loaded:
    """Settings and scripts that passed every check, ready to swap in."""

    settings: Settings
    dialog: Dialog


class Reloader:
    """Asked from a signal handler, applied from the loop's own thread."""

    def __init__(
        self,
        read_settings: Callable[[], Settings],
        settings: Settings,
        loop: VoiceLoop,
        speech: SpeechOut,
    ) -> None:
        self.read_settings, self.settings = read_settings, settings
        self.loop, self.speech = loop, speech
        self._ready: queue.Queue[Loaded] = queue.Queue()
        self._worker: threading.Thread | None = None

    def request(self) -> None:
        """Start reading everything again (a request while one runs is folded into it)."""
        if self._worker is not None and self._worker.is_alive():
            return
        self._worker = threading.Thread(target=self._build, name="reload", daemon=True)
        self._worker.start()

    def _build(self) -> None:
        _LOGGER.info("reading the config file and the scripts again")
        try:
            settings = self.read_settings()
            dialog = Dialog.from_paths(list(settings.talk.dialogs), settings.cache_dir)
            if settings.talk.country not in dialog.helplines:
                raise ConfigError(f"country: no helplines for '{settings.talk.country}'")
            # The crisis replies for her country are ready before anything changes.
            self.speech.keep_ready(all_replies(dialog.helplines[settings.talk.country]))
        except ConfigError as exc:
            _LOGGER.error("%s; the settings already in use stay", exc)
        except ScriptError as exc:
            for problem in exc.problems:
                _LOGGER.error("%s", problem)
            _LOGGER.error("the scripts have problems; the ones already loaded keep running")
        except (EncoderError, SpeechError, OSError) as exc:
            _LOGGER.error("not reloaded (%s); what was running keeps running", exc)
        else:
            self._ready.put(Loaded(settings, dialog))

    def apply(self) -> None:
        """Swap in what is ready; call it from the loop's thread."""
        try:
            loaded = self._ready.get_nowait()
        except queue.Empty:
            return
        old, new = self.settings, loaded.settings
        before, after = old.flat(), new.flat()
        changed = [name for name in after if before[name] != after[name]]
        later = [name for name in changed if name in AT_RESTART]
        live = [name for name in changed if name not in AT_RESTART]
        self.loop.use_dialog(loaded.dialog, new)
        if "volume" in live:
            self.speech.volume = new.speech.volume
        if "rate_wpm" in live:
            self.speech.synth.set_rate(new.speech.rate_wpm)
        self.settings = new
        _LOGGER.info("scripts reloaded; the next words start a new conversation")
        if live:
            _LOGGER.info("settings now in use: %s", ", ".join(live))
        if later:
            _LOGGER.warning("changed, but used only after a restart: %s", ", ".join(later))
