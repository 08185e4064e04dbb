#!/usr/bin/env bash
# Prepare this checkout to run and test the portal on a Debian 12 machine.
#
# Idempotent and quick when nothing changed: every slow step records a hash of its inputs in
# var/.setup/ and runs again only when those inputs change (or its output has gone missing).
#
#   1. Debian packages the portal needs at run and test time (installed only when missing)
#   2. the virtual environment .venv and requirements-dev.txt
#   3. front-end assets: npm ci + scripts/vendor_assets.py into static/vendor
#   4. the PDF font (manage.py build_pdf_font)
#   5. translations (manage.py compilemessages, when msgfmt is there)
#
# Environment: PYTHON (interpreter for a new venv, default python3), VENV (default .venv),
# PDF_FONT_DIR (as in config/settings.py).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
STAMPS=var/.setup
STARTED=$SECONDS

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

# One hash of the named files' contents (a missing file counts as "absent").
fingerprint() {
    local f
    {
        for f in "$@"; do
            if [[ -f $f ]]; then sha256sum "$f"; else printf 'absent %s\n' "$f"; fi
        done
    } | sha256sum | cut -d' ' -f1
}
# One hash of its standard input: fingerprint plus versions of the tools that produced an output.
digest() { sha256sum | cut -d' ' -f1; }
stamp_ok() { [[ -f $STAMPS/$1 && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { printf '%s\n' "$2" >"$STAMPS/$1"; }

mkdir -p "$STAMPS"

# --- 1. Debian packages -------------------------------------------------------------------------

APT_PACKAGES=(
    # WeasyPrint 70 loads these with cffi: gobject, pango, pangoft2, harfbuzz (+ subset), fontconfig.
    libglib2.0-0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
    fonts-wqy-zenhei # the CJK font build_pdf_font subsets, and the complete fallback for rare characters
    poppler-utils    # pdftotext / pdffonts, used by the report tests
    gettext          # msgfmt, for compilemessages
    chromium         # the browser tests drive /usr/bin/chromium (Playwright's own download is not used)
)
if [[ -f package.json ]] && ! command -v npm >/dev/null 2>&1; then
    APT_PACKAGES+=(nodejs npm)
fi
if [[ ! -x $VENV/bin/python ]] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    APT_PACKAGES+=(python3-venv)
fi

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${APT_PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
else
    warn "not a Debian system: make sure the equivalents of these are installed: ${APT_PACKAGES[*]}"
fi

if ((${#missing[@]})); then
    sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            sudo=(none)
        fi
    fi
    if [[ ${sudo[0]:-} == none ]]; then
        warn "missing Debian packages; as root run:"
        warn "  apt-get update && apt-get install --no-install-recommends ${missing[*]}"
        warn "continuing without them: PDF rendering, browser tests or translations may fail"
    else
        say "Installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt_opts=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
        "${sudo[@]}" apt-get update -q </dev/null
        "${sudo[@]}" apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}" </dev/null
    fi
else
    say "Debian packages present"
fi

# --- 2. Python virtual environment --------------------------------------------------------------

if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    say "Creating $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv --clear "$VENV"
fi
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    warn "$VENV runs $("$VENV/bin/python" --version 2>&1); the portal is built and tested on Python 3.11"
fi

# This stamp lives in the venv itself, so a new or another venv starts without one.
pip_key=$({ fingerprint requirements.txt requirements-dev.txt; "$VENV/bin/python" -VV; } | digest)
pip_stamp=$VENV/.requirements.sha256
if [[ -f $pip_stamp && "$(cat "$pip_stamp")" == "$pip_key" ]]; then
    say "Python requirements up to date"
else
    say "Installing requirements-dev.txt into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q -r requirements-dev.txt
    printf '%s\n' "$pip_key" >"$pip_stamp"
fi

# --- 3. Front-end assets ------------------------------------------------------------------------

if [[ ! -f package.json ]]; then
    say "No package.json: no front-end assets to install"
elif ! command -v npm >/dev/null 2>&1; then
    warn "npm not found: front-end assets (static/vendor) not installed"
else
    assets_key=$({ fingerprint package.json package-lock.json scripts/vendor_assets.py; node --version; } | digest)
    if stamp_ok assets "$assets_key" && [[ -d node_modules && -d static/vendor ]]; then
        say "Front-end assets up to date"
    else
        export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
        if [[ -f package-lock.json ]]; then
            say "npm ci"
            npm ci </dev/null
        else
            warn "package-lock.json missing: running npm install (commit the lock file it writes)"
            npm install </dev/null
        fi
        if [[ -f scripts/vendor_assets.py ]]; then
            say "Copying front-end assets into static/vendor"
            "$VENV/bin/python" scripts/vendor_assets.py
        else
            warn "scripts/vendor_assets.py missing: static/vendor not filled"
        fi
        stamp_set assets "$assets_key"
    fi
fi

# --- 4. PDF font --------------------------------------------------------------------------------

# Asking manage.py which commands exist costs a Django start-up; look for the file instead.
font_cmd=$(find . -path ./.venv -prune -o -path ./node_modules -prune -o \
    -path '*/management/commands/build_pdf_font.py' -print -quit)
font_dir=${PDF_FONT_DIR:-var/fonts}
if [[ -z $font_cmd ]]; then
    warn "no build_pdf_font command yet: PDF font not built"
else
    font_key=$({
        fingerprint "$font_cmd" reports/fonts.py
        dpkg-query -W -f='${Version}' fonts-wqy-zenhei 2>/dev/null || true
    } | digest)
    if stamp_ok font "$font_key" && [[ -n $(ls -A "$font_dir" 2>/dev/null) ]]; then
        say "PDF font up to date in $font_dir"
    else
        say "Building the PDF font into $font_dir"
        "$VENV/bin/python" manage.py build_pdf_font
        stamp_set font "$font_key"
    fi
fi

# --- 5. Translations ----------------------------------------------------------------------------

if [[ -z $(find . -path ./.venv -prune -o -path ./node_modules -prune -o -name '*.po' -print -quit) ]]; then
    say "No .po files: nothing to compile"
elif ! command -v msgfmt >/dev/null 2>&1; then
    warn "msgfmt (gettext) not found: using the committed .mo files as they are"
else
    say "Compiling translations"
    "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0
fi

say "Setup done in $((SECONDS - STARTED)) s"
