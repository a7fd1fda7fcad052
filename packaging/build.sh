#!/usr/bin/env bash
# Build the one-folder bundle dist/grok-vision/ with PyInstaller (packaging/grok-vision.spec):
# the program and everything it needs, Python included, for a machine with no Python and no
# network. Prints the bundle's size and fails if it is over the size budget (docs/PACKAGING.md).
#
#     packaging/build.sh [--venv DIR | --python PY] [--dist DIR] [--work DIR] [--clean]
#                        [--archive] [--budget MIB]
#
#   --venv DIR     build environment; created if missing, then `pip install '.[package]'` into it
#                  (default: build/package-venv). Needs the package index once, not afterwards.
#   --python PY    build with this interpreter as it is (it must have the app's dependencies and
#                  PyInstaller): no venv, no pip. The tests use it.
#   --dist DIR     where the bundle goes (default: dist); the bundle is DIR/grok-vision
#   --work DIR     PyInstaller's work folder (default: build/pyinstaller)
#   --clean        empty PyInstaller's caches first
#   --archive      also pack DIR/grok-vision-VERSION-linux-ARCH.tar.gz to carry to other machines
#   --budget MIB   the size budget in MiB (default: $GROK_VISION_SIZE_BUDGET_MIB or 170)
#
# Environment: PYTHON (the interpreter that creates the venv; default python3, 3.11 or newer).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=grok-vision
SPEC=$ROOT/packaging/$NAME.spec

venv=$ROOT/build/package-venv
python=""
dist=$ROOT/dist
work=$ROOT/build/pyinstaller
clean=()
archive=0
budget_mib=${GROK_VISION_SIZE_BUDGET_MIB:-175}

die() {
    printf 'build.sh: %s\n' "$*" >&2
    exit 2
}
usage() {
    sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"
}
absolute() { # a path made absolute against the caller's directory
    case $1 in
        /*) printf '%s' "$1" ;;
        *) printf '%s/%s' "$PWD" "$1" ;;
    esac
}

while (($#)); do
    case $1 in
        --venv) venv=$(absolute "${2:?--venv needs a directory}"); shift ;;
        --python) python=${2:?--python needs an interpreter}; shift ;;
        --dist) dist=$(absolute "${2:?--dist needs a directory}"); shift ;;
        --work) work=$(absolute "${2:?--work needs a directory}"); shift ;;
        --clean) clean=(--clean) ;;
        --archive) archive=1 ;;
        --budget) budget_mib=${2:?--budget needs a number of MiB}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done
[[ $budget_mib =~ ^[0-9]+$ ]] || die "--budget takes a whole number of MiB, not '$budget_mib'"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
SECONDS=0

if [[ -z $python ]]; then
    if [[ ! -x $venv/bin/python ]]; then
        base=${PYTHON:-python3}
        command -v "$base" >/dev/null || die "$base not found: install Python 3.11 or newer"
        "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "$base is $("$base" --version 2>&1); Python 3.11 or newer is needed"
        echo "creating the build environment $venv"
        "$base" -m venv "$venv"
    fi
    python=$venv/bin/python
    echo "installing grok-vision[package] into $venv"
    "$python" -m pip install --quiet --progress-bar off "${ROOT}[package]"
fi
"$python" -c 'import PyInstaller' 2>/dev/null ||
    die "$python has no PyInstaller: pip install '.[package]', or build with --venv"

echo "building $dist/$NAME with $("$python" -m PyInstaller --version 2>&1 | tail -n 1)" \
    "($("$python" --version 2>&1))"
# The spec reads the app from the repository itself: run from its root.
(cd "$ROOT" && "$python" -m PyInstaller --noconfirm --log-level WARN "${clean[@]}" \
    --distpath "$dist" --workpath "$work" "$SPEC")

bundle=$dist/$NAME
[[ -x $bundle/$NAME ]] || die "PyInstaller finished but $bundle/$NAME is missing"
if [[ $(uname -s) == Linux ]]; then
    # The user-level installer travels with the bundle: grok-vision/install-linux.sh.
    install -m 755 "$ROOT/packaging/install-linux.sh" "$bundle/install-linux.sh"
fi
"$bundle/$NAME" --version >/dev/null || die "the bundle does not start: $bundle/$NAME --version"

# The size of every file (symbolic links count as links), as the bundle lies on a target's disk
# before block rounding; portable where `du -b` is not (macOS).
bytes=$("$python" - "$bundle" <<'PY'
import os, sys
total = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
    total += sum(os.lstat(os.path.join(folder, name)).st_size for name in files + links)
print(total)
PY
)
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
took=$SECONDS
printf 'bundle: %s\nsize: %s MiB (%s bytes; budget %s MiB)\nbuild time: %s s\n' \
    "$bundle" "$mib" "$bytes" "$budget_mib" "$took"

if ((archive)); then
    version=$("$bundle/$NAME" --version | awk '{print $2}')
    tarball=$dist/$NAME-$version-$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m).tar.gz
    tar -C "$dist" -czf "$tarball" "$NAME"
    printf 'archive: %s (%s MiB)\n' "$tarball" \
        "$(awk -v b="$(wc -c <"$tarball")" 'BEGIN { printf "%.1f", b / 1048576 }')"
fi

if ((bytes > budget_mib * 1048576)); then
    printf 'build.sh: the bundle is %s MiB, over its budget of %s MiB: find what grew\n' \
        "$mib" "$budget_mib" >&2
    printf '(du -sh %s/_internal/* | sort -h | tail) before raising the budget.\n' "$bundle" >&2
    exit 1
fi
