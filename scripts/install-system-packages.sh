#!/usr/bin/env bash
# Installs the system packages the project needs outside Python: ffmpeg for media/video.py and
# Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium; never
# `playwright install`). Idempotent: does nothing when everything is already there, and only
# refreshes the apt index when a missing package is not installable from the current one.
set -euo pipefail

missing=()
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
    missing+=(ffmpeg)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-packages: ${missing[*]} missing and apt-get is not available; install them with your package manager (or set FFMPEG_BINARY)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-system-packages: ${missing[*]} missing and this user cannot run apt-get (not root, no sudo)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# An empty or stale package index has no candidate: refresh it only then, so a second run on a
# provisioned machine does not hit the network at all.
for package in "${missing[@]}"; do
    if ! apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        $SUDO apt-get update
        break
    fi
done
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
    # The index named versions the mirror no longer serves (404s): refresh it once and retry.
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

command -v ffmpeg >/dev/null 2>&1 || {
    echo "install-system-packages: apt-get finished but ffmpeg is still not on PATH" >&2
    exit 1
}
[ -x /usr/bin/chromium ] || {
    echo "install-system-packages: apt-get finished but /usr/bin/chromium is still missing" >&2
    exit 1
}
