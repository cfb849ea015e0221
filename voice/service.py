"""`goodenough service`: run as a systemd user service that starts at boot, tells systemd
when it is listening, pings its watchdog, and is restarted when it dies or hangs."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path

from voice.errors import GoodEnoughError
from voice.settings import config_home

NAME = "goodenough.service"
SHOWN = ("LoadState", "ActiveState", "SubState", "NRestarts", "ExecMainStartTimestamp")
"""What systemd is asked about the unit."""
WATCHDOG_SECONDS = 30
"""A loop turn takes a fraction of a second; this long without one means it hangs."""


class ServiceError(GoodEnoughError):
    """systemd is missing or refused; the message says what to run instead."""


def unit_text(config: Path | None = None) -> str:
    """The unit file: this Python, this installation, the user's audio session."""
    command = [sys.executable, "-m", "voice"]
    if config is not None:
        command += ["--config", str(config.resolve())]
    command.append("run")
    return "\n".join(
        [
            "[Unit]",
            "Description=Good Enough, a calm voice companion",
            "# The user's sound server, whichever it is; ALSA alone needs nothing.",
            "After=pipewire.service pipewire-pulse.service pulseaudio.service sound.target",
            "StartLimitIntervalSec=600",
            "StartLimitBurst=10",
            "",
            "[Service]",
            "Type=notify",
            "NotifyAccess=main",
            f"ExecStart={' '.join(_quoted(part) for part in command)}",
            "ExecReload=/bin/kill -HUP $MAINPID",
            "Restart=on-failure",
            "RestartSec=5",
            f"WatchdogSec={WATCHDOG_SECONDS}",
            "TimeoutStopSec=5",
            "Environment=PYTHONUNBUFFERED=1",
            "",
            "[Install]",
            "WantedBy=default.target",
            "",
        ]
    )


def _quoted(part: str) -> str:
    return f'"{part}"' if any(c.isspace() for c in part) else part


def unit_path() -> Path:
    return config_home() / "systemd" / "user" / NAME


def install(config: Path | None = None) -> list[str]:
    """Write the unit (all or nothing), enable and start it, and let it start at boot
    without a login. Returns what was done, one line each."""
    path = unit_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{NAME}.{os.getpid()}")
    partial.write_text(unit_text(config), encoding="utf-8")
    partial.replace(path)
    done = [f"wrote {path}"]
    try:
        _systemctl("daemon-reload")
        _systemctl("enable", "--now", NAME)
    except ServiceError as exc:
        raise ServiceError(f"wrote {path}, but {exc}") from exc
    done.append("enabled and started it")
    user = getpass.getuser()
    if shutil.which("loginctl"):
        _run(["loginctl", "enable-linger", user], f"sudo loginctl enable-linger {user}")
        done.append(f"it starts at boot for {user}, with or without a login")
    return done


def uninstall() -> list[str]:
    path = unit_path()
    if not path.exists():
        return [f"not installed ({path} does not exist)"]
    _systemctl("disable", "--now", NAME)
    path.unlink()
    _systemctl("daemon-reload")
    return [f"stopped, disabled and removed {path}"]


def status() -> dict[str, str]:
    """Installed or not, and systemd's view: state, restarts, when it last started."""
    path = unit_path()
    found = {"unit": str(path) if path.exists() else "not installed"}
    if not path.exists():
        return found
    shown = properties()
    found.update({key: shown.get(key) or "-" for key in SHOWN if key != "LoadState"})
    return found


def properties(timeout: float = 30) -> dict[str, str]:
    """systemd's view of the unit (SHOWN); ServiceError when systemd cannot be asked."""
    out = _systemctl("show", NAME, "-p", ",".join(SHOWN), timeout=timeout)
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def _systemctl(*args: str, timeout: float = 30) -> str:
    return _run(["systemctl", "--user", *args], f"systemctl --user {' '.join(args)}", timeout)


def _run(command: list[str], by_hand: str, timeout: float = 30) -> str:
    if shutil.which(command[0]) is None:
        raise ServiceError(f"{command[0]} is not installed; this needs systemd")
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServiceError(f"'{by_hand}' did not answer ({exc})") from exc
    if result.returncode != 0:
        why = (result.stderr or result.stdout).strip().splitlines()
        raise ServiceError(
            f"'{by_hand}' failed ({why[-1] if why else f'exit {result.returncode}'}); "
            "is this a login session with systemd running? Try it by hand."
        )
    return result.stdout
