#!/usr/bin/env bash
# The offline alternative to the bundle: a folder of wheels that installs with pip and no network.
#
#     wheelhouse.sh download DIR [PIP-DOWNLOAD-OPTION...]    (on a machine with the package index)
#     wheelhouse.sh install DIR [VENV]                       (on the offline machine)
#
# download builds the project's own wheel into DIR, then has pip download every wheel it needs
# (binary wheels only: the offline machine needs no compiler) for this platform and Python, and
# writes DIR/SHA256SUMS. For another target, pass pip's own options, e.g.
#     wheelhouse.sh download wheels-win --platform win_amd64 --python-version 3.12
# install checks DIR/SHA256SUMS, creates VENV (default: ~/.local/opt/grok-vision-venv) with
# python3 if it does not exist, installs or upgrades grok-vision from DIR alone (`pip install
# --no-index --find-links DIR`; pip's configuration files and PIP_* index settings are ignored,
# so nothing else is consulted; every module compiled to bytecode at install, so that no start
# compiles the app's source), and runs VENV/bin/grok-vision --version.
#
# Environment: PYTHON (default python3): the interpreter that downloads, or creates the venv. The
# target's Python must be the same minor version as the one that downloaded (3.11 or newer).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=grok-vision
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1

die() {
    printf 'wheelhouse.sh: %s\n' "$*" >&2
    exit 2
}
usage() {
    sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"
}
need_python() {
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found: install Python 3.11 or newer"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "$PYTHON is $("$PYTHON" --version 2>&1); Python 3.11 or newer is needed"
}

download() {
    local dir=${1:?usage: wheelhouse.sh download DIR [PIP-DOWNLOAD-OPTION...]}
    shift
    need_python
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local build
    build=$(mktemp -d)
    # shellcheck disable=SC2064  # expand now: the trap runs after `build` is gone
    trap "rm -rf '$build'" EXIT
    echo "building the $NAME wheel"
    # From a copy of the source: setuptools builds in the source folder, and a build/ left
    # there by an earlier build would put files since deleted into the wheel.
    mkdir "$build/src"
    tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist \
        --exclude='*.egg-info' --exclude=__pycache__ --exclude='./.*_cache' -cf - . |
        tar -C "$build/src" -xf -
    "$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$build" "$build/src"
    local wheel
    wheel=$(find "$build" -name 'grok_vision-*.whl' | head -n 1)
    [[ -n $wheel ]] || die "pip wheel made no grok_vision wheel"
    rm -f "$dir"/grok_vision-*.whl
    cp "$wheel" "$dir/"
    echo "downloading the wheels it needs into $dir"
    "$PYTHON" -m pip download --quiet --progress-bar off --only-binary=:all: \
        --dest "$dir" "$@" "$dir/${wheel##*/}"
    (cd "$dir" && sha256sum -- *.whl >SHA256SUMS)
    local count size
    count=$(find "$dir" -maxdepth 1 -name '*.whl' | wc -l)
    size=$(du -sh "$dir" | cut -f1)
    printf '%s wheels, %s, in %s\nInstall offline with: %s install %s [VENV]\n' \
        "$count" "$size" "$dir" "${BASH_SOURCE[0]}" "$dir"
}

install_offline() {
    local dir=${1:?usage: wheelhouse.sh install DIR [VENV]}
    local venv=${2:-$HOME/.local/opt/$NAME-venv}
    [[ -d $dir ]] || die "$dir is not a folder"
    dir=$(cd "$dir" && pwd)
    compgen -G "$dir/grok_vision-*.whl" >/dev/null ||
        die "$dir has no grok_vision wheel: make it with: wheelhouse.sh download DIR"
    if [[ -f $dir/SHA256SUMS ]]; then
        (cd "$dir" && sha256sum --quiet --check SHA256SUMS) ||
            die "$dir: a wheel does not match SHA256SUMS (damaged in transit?)"
    fi
    if [[ ! -x $venv/bin/python ]]; then
        need_python
        echo "creating $venv"
        "$PYTHON" -m venv "$venv"
    fi
    echo "installing $NAME from $dir into $venv (no index, no network)"
    env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT \
        -u PIP_REQUIREMENT PIP_CONFIG_FILE=/dev/null PIP_NO_INPUT=1 \
        "$venv/bin/python" -m pip install --quiet --progress-bar off --upgrade --no-index \
        --compile --find-links "$dir" "$NAME"
    "$venv/bin/$NAME" --version
    printf 'Run it: %s\n' "$venv/bin/$NAME"
}

case ${1:-} in
    download) shift; download "$@" ;;
    install) shift; install_offline "$@" ;;
    -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
esac
