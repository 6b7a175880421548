#!/usr/bin/env bash
# Installs the system packages the project needs outside Python (today: ffmpeg for
# media/compress.py). Idempotent: does nothing when everything is already on PATH, and
# only refreshes the apt index when the package is not installable from the current one.
set -euo pipefail

if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-packages: ffmpeg is missing and apt-get is not available; install ffmpeg with your package manager (or set FFMPEG_BINARY)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-system-packages: ffmpeg is missing and this user cannot run apt-get (not root, no sudo)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# An empty or stale package index has no candidate for ffmpeg: refresh it only then, so a
# second run on a provisioned machine does not hit the network at all.
if ! apt-cache policy ffmpeg 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    $SUDO apt-get update
fi
$SUDO apt-get install -y --no-install-recommends ffmpeg

command -v ffmpeg >/dev/null 2>&1 || {
    echo "install-system-packages: apt-get finished but ffmpeg is still not on PATH" >&2
    exit 1
}
