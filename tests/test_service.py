"""`goodenough service` and the systemd notify protocol. The unit file is checked by the real
systemd-analyze; a systemd user manager does not run on these machines, so install and
uninstall are run against stand-in systemctl and loginctl programs that record their calls."""

from __future__ import annotations

import getpass
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

from voice.notify import Notifier

from .conftest import ROOT


def goodenough(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voice", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_the_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    printed = goodenough("service", "print")
    assert printed.returncode == 0, printed.stderr
    unit = tmp_path / "goodenough.service"
    unit.write_text(printed.stdout, encoding="utf-8")
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    for line in ("Type=notify", "Restart=on-failure", "WatchdogSec=30", "WantedBy=default.target"):
        assert line in printed.stdout
    assert f"ExecStart={sys.executable} -m voice run" in printed.stdout


def _stand_ins(folder: Path, log: Path) -> dict[str, str]:
    folder.mkdir()
    for name in ("systemctl", "loginctl"):
        program = folder / name
        program.write_text(
            f'#!/bin/sh\necho "{name} $*" >> {log}\n'
            'case "$*" in *show*) echo ActiveState=active; echo NRestarts=2;; esac\n',
            encoding="utf-8",
        )
        program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{folder}:{os.environ['PATH']}"}


def test_install_status_and_uninstall(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    env = {**_stand_ins(tmp_path / "bin", log), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    unit = tmp_path / "config" / "systemd" / "user" / "goodenough.service"
    assert "not installed" in goodenough("service", "status", env=env).stdout
    installed = goodenough("service", "install", env=env)
    assert installed.returncode == 0, installed.stderr
    assert unit.read_text(encoding="utf-8") == goodenough("service", "print").stdout
    status = goodenough("service", "status", env=env).stdout
    assert "ActiveState: active" in status and "NRestarts: 2" in status
    removed = goodenough("service", "uninstall", env=env)
    assert removed.returncode == 0 and not unit.exists()
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[:3] == [
        "systemctl --user daemon-reload",
        "systemctl --user enable --now goodenough.service",
        f"loginctl enable-linger {getpass.getuser()}",
    ]
    assert "systemctl --user disable --now goodenough.service" in calls


def test_install_without_a_running_systemd_says_so(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    failing = bin_dir / "systemctl"
    failing.write_text("#!/bin/sh\necho 'Failed to connect to bus' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "XDG_CONFIG_HOME": str(tmp_path / "c")}
    result = goodenough("service", "install", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Failed to connect to bus" in result.stderr and "Try it by hand" in result.stderr


def test_ready_and_watchdog_reach_the_notify_socket(tmp_path: Path) -> None:
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(2)
        notifier = Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "200000"})
        assert notifier.interval == 0.1
        notifier.send("READY=1")
        notifier.ping()
        notifier.ping()  # too soon: not sent
        assert [server.recv(100), server.recv(100)] == [b"READY=1", b"WATCHDOG=1"]
    quiet = Notifier({})
    assert not quiet.active and quiet.interval is None
    quiet.send("READY=1")  # outside systemd: nothing, and no error
