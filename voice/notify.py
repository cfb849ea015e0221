"""Telling systemd how the program is doing (the sd_notify protocol), when it runs as a
service: READY once it listens, then a watchdog ping from the loop, so a hung loop is
restarted. Outside systemd (no NOTIFY_SOCKET) every call does nothing."""

from __future__ import annotations

import logging
import os
import socket
import time

_LOGGER = logging.getLogger(__name__)


class Notifier:
    """Sends state lines to the socket systemd names in NOTIFY_SOCKET."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        # An address starting with @ is in Linux's abstract namespace.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        self.interval = int(usec) / 2e6 if usec.isdigit() and int(usec) > 0 else None
        """Seconds between watchdog pings: half of what systemd allows (None: no watchdog)."""
        self._last_ping = 0.0

    @property
    def active(self) -> bool:
        return bool(self._address)

    def send(self, state: str) -> None:
        """One state line ("READY=1", "STOPPING=1", "RELOADING=1", "STATUS=..."); a failure
        to reach systemd is logged, never raised."""
        if not self._address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(state.encode(), self._address)
        except OSError as exc:
            _LOGGER.warning("could not tell systemd '%s': %s", state, exc)

    def ping(self) -> None:
        """A watchdog ping, at most every `interval` seconds; call it from every loop turn."""
        if self.interval is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self.interval:
            self._last_ping = now
            self.send("WATCHDOG=1")
