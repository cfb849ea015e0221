"""SIGHUP: read the scripts again while the loop keeps running. The new scripts are checked
(and the model trained if their phrasings changed) on a side thread; only scripts that pass
replace the old ones, so a broken edit is logged with its file and line and changes nothing."""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from .dialog.dialog import Dialog
from .dialog.encoder import EncoderError
from .dialog.loader import ScriptError
from .loop import VoiceLoop

_LOGGER = logging.getLogger(__name__)


class ScriptReloader:
    """Asked from a signal handler, applied from the loop's own thread."""

    def __init__(self, paths: list[Path], cache_dir: Path | None, loop: VoiceLoop) -> None:
        self.paths, self.cache_dir, self.loop = paths, cache_dir, loop
        self._ready: queue.Queue[Dialog] = queue.Queue()
        self._worker: threading.Thread | None = None

    def request(self) -> None:
        """Start reading the scripts again (a request while one runs is folded into it)."""
        if self._worker is not None and self._worker.is_alive():
            return
        self._worker = threading.Thread(target=self._build, name="reload", daemon=True)
        self._worker.start()

    def _build(self) -> None:
        _LOGGER.info("reading the scripts again")
        try:
            self._ready.put(Dialog.from_paths(self.paths, self.cache_dir))
        except ScriptError as exc:
            for problem in exc.problems:
                _LOGGER.error("%s", problem)
            _LOGGER.error("the scripts have problems; the ones already loaded keep running")
        except (EncoderError, OSError) as exc:
            _LOGGER.error("scripts not reloaded (%s); the ones already loaded keep running", exc)

    def apply(self) -> None:
        """Swap in scripts that are ready; call it from the loop's thread."""
        try:
            dialog = self._ready.get_nowait()
        except queue.Empty:
            return
        self.loop.use_dialog(dialog)
        _LOGGER.info("scripts reloaded; the next words start a new conversation")
