#!/usr/bin/env bash
# Install the grok-vision bundle for the current user, with no network and no root:
#
#     install-linux.sh [--bundle DIR] [--default-for-images]     install (or update)
#     install-linux.sh --uninstall                               remove what install put there
#
#   PREFIX/opt/grok-vision/             the bundle (a copy of DIR)
#   PREFIX/bin/grok-vision              a symbolic link to the bundle's program
#   DATA/applications/grok-vision.desktop   the menu entry, Exec= the link above; it offers
#                                       "Open with Grok Vision" for PNG, JPEG, WebP, GIF, BMP, TIFF
#   DATA/icons/hicolor/{scalable,256x256}/apps/grok-vision.{svg,png}
#
# PREFIX is $PREFIX or $HOME/.local; DATA is PREFIX/share (or $XDG_DATA_HOME when PREFIX is not
# set). DIR is the bundle built by packaging/build.sh: by default the folder this script is in
# (build.sh copies it into the bundle) or, from a source tree, dist/grok-vision.
# update-desktop-database and gtk-update-icon-cache run when present. --default-for-images
# also makes Grok Vision the default application for those image types (xdg-mime, if present);
# without it nothing else's defaults change. --uninstall leaves settings, conversations and the
# API key (in the system keyring) alone.
set -euo pipefail

NAME=grok-vision
MIME_TYPES=(image/png image/jpeg image/webp image/gif image/bmp image/tiff)

die() {
    printf 'install-linux.sh: %s\n' "$*" >&2
    exit 2
}
usage() {
    sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bundle=""
action=install
default_for_images=0
while (($#)); do
    case $1 in
        --bundle) bundle=${2:?--bundle needs the bundle folder}; shift ;;
        --uninstall) action=uninstall ;;
        --default-for-images) default_for_images=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

[[ -n ${HOME:-} ]] || die "HOME is not set"
if [[ -n ${PREFIX:-} ]]; then
    prefix=$PREFIX
    data=$prefix/share
else
    prefix=$HOME/.local
    data=${XDG_DATA_HOME:-$prefix/share}
fi
[[ $prefix == /* ]] || die "PREFIX must be an absolute path, not '$prefix'"

opt=$prefix/opt/$NAME
launcher=$prefix/bin/$NAME
applications=$data/applications
desktop=$applications/$NAME.desktop
hicolor=$data/icons/hicolor
icons=("$hicolor/scalable/apps/$NAME.svg" "$hicolor/256x256/apps/$NAME.png")

# A path as one argument of a desktop entry's Exec key: quoted when it holds anything beyond
# plain characters, with the Exec escapes inside the quotes and the string escape of "\" on top.
exec_arg() {
    local arg=$1
    if [[ $arg =~ [^A-Za-z0-9_./+,:@=-] ]]; then
        arg=${arg//\\/\\\\}
        arg=${arg//\"/\\\"}
        arg=${arg//\`/\\\`}
        arg=${arg//\$/\\\$}
        arg="\"$arg\""
        arg=${arg//\\/\\\\}
    fi
    printf '%s' "${arg//%/%%}"
}

refresh_desktop() {
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$applications" || true
    fi
    # A theme cache, once present, hides icons it does not list: update it only if there is one.
    if [[ -f $hicolor/icon-theme.cache ]] && command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t -f "$hicolor" || true
    fi
}

is_bundle() { [[ -x $1/$NAME && -d $1/_internal ]]; }

install_bundle() {
    if [[ -z $bundle ]]; then
        if is_bundle "$here"; then
            bundle=$here
        elif is_bundle "$here/../dist/$NAME"; then
            bundle=$(cd "$here/../dist/$NAME" && pwd)
        else
            die "no bundle next to this script nor in dist/: build one (packaging/build.sh) or pass --bundle DIR"
        fi
    fi
    is_bundle "$bundle" || die "$bundle is not a grok-vision bundle (no $NAME program and _internal/)"
    bundle=$(cd "$bundle" && pwd)
    local resources=$bundle/_internal/resources
    for file in "$NAME.desktop" "$NAME.svg" "$NAME-256.png"; do
        [[ -f $resources/$file ]] || die "the bundle lacks _internal/resources/$file"
    done

    if [[ (-e $launcher || -L $launcher) && ! (-L $launcher &&
        $(readlink "$launcher") == "$opt/$NAME") ]]; then
        die "$launcher exists and is not a link to $opt/$NAME: remove it first"
    fi

    # The bundle: copied beside the old one, then swapped in, so a failed copy leaves the old.
    mkdir -p "$prefix/opt" "$prefix/bin" "$applications" "${icons[@]%/*}"
    if [[ $bundle != "$opt" ]]; then
        local staging=$opt.new.$$
        rm -rf "$staging"
        cp -a "$bundle" "$staging"
        # Keep the installer with the installed bundle, for --uninstall later.
        [[ -f $staging/install-linux.sh ]] ||
            install -m 755 "${BASH_SOURCE[0]}" "$staging/install-linux.sh"
        if [[ -e $opt ]]; then
            is_bundle "$opt" || die "$opt exists and is not a grok-vision bundle: not replacing it"
            rm -rf "$opt"
        fi
        mv "$staging" "$opt"
    fi
    ln -sfn "$opt/$NAME" "$launcher"

    # The menu entry, pointing at the launcher by its absolute path (~/.local/bin may not be
    # on the PATH that the desktop session starts programs with).
    local line tmp=$desktop.new.$$
    while IFS= read -r line || [[ -n $line ]]; do
        case $line in
            Exec=*) printf 'Exec=%s %%F\n' "$(exec_arg "$launcher")" ;;
            TryExec=*) printf 'TryExec=%s\n' "${launcher//\\/\\\\}" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done <"$resources/$NAME.desktop" >"$tmp"
    chmod 644 "$tmp"
    mv "$tmp" "$desktop"
    install -m 644 "$resources/$NAME.svg" "${icons[0]}"
    install -m 644 "$resources/$NAME-256.png" "${icons[1]}"
    refresh_desktop
    if ((default_for_images)); then
        if command -v xdg-mime >/dev/null; then
            xdg-mime default "$NAME.desktop" "${MIME_TYPES[@]}"
        else
            printf 'xdg-mime not found: the default image viewer is unchanged\n' >&2
        fi
    fi

    printf 'Installed %s into %s\n' "$("$launcher" --version)" "$opt"
    printf '  program:    %s\n  menu entry: %s\n' "$launcher" "$desktop"
    case ":${PATH:-}:" in
        *":$prefix/bin:"*) ;;
        *) printf '  %s is not on your PATH: add it to run %s from a terminal\n' \
            "$prefix/bin" "$NAME" ;;
    esac
}

uninstall_bundle() {
    local removed=0
    if [[ -L $launcher && $(readlink "$launcher") == "$opt/$NAME" ]]; then
        rm -f "$launcher"
        removed=1
    elif [[ -e $launcher || -L $launcher ]]; then
        printf 'leaving %s: it is not the link this script made\n' "$launcher" >&2
    fi
    if [[ -e $opt ]]; then
        is_bundle "$opt" || die "$opt is not a grok-vision bundle: not removing it"
        rm -rf "$opt"
        removed=1
    fi
    for file in "$desktop" "${icons[@]}"; do
        if [[ -e $file ]]; then
            rm -f "$file"
            removed=1
        fi
    done
    refresh_desktop
    if ((removed)); then
        printf 'Removed grok-vision from %s (settings, conversations and the key stay)\n' "$prefix"
    else
        printf 'grok-vision was not installed in %s\n' "$prefix"
    fi
}

if [[ $action == install ]]; then
    install_bundle
else
    uninstall_bundle
fi
