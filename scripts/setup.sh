#!/usr/bin/env bash
# Installs what Good Enough needs on Debian 12 / Raspberry Pi OS into ./.venv.
#   scripts/setup.sh          the program (speech engines included)
#   scripts/setup.sh --test   the program plus everything the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

# libatomic1: Vosk's library needs it on arm64, where a minimal Debian lacks it.
packages=(python3 python3-venv espeak-ng libespeak-ng1 libportaudio2 alsa-utils libatomic1)
extras="audio"
if [[ "${1:-}" == "--test" ]]; then
    # The tests run real audio through a private PulseAudio server with virtual devices,
    # and check the service unit with systemd-analyze.
    packages+=(pulseaudio pulseaudio-utils libasound2-plugins sox systemd)
    extras="audio,test"
fi

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[${extras}]"
# Check the scripts and learn their phrasings now (a few minutes, longer on a Pi), so the
# first start answers at once; later starts read what this keeps in ~/.cache/goodenough.
.venv/bin/goodenough lint
