"""Errors of media processing, shared by images and video; ``permanent`` tells retries apart."""

from __future__ import annotations


class MediaError(Exception):
    """Base class for processing failures; ``permanent`` says whether a retry can help."""

    permanent = True
    code = "media"


class InvalidMedia(MediaError):
    """The bytes are not a decodable image/video (truncated, corrupt, a bomb, no video stream)."""

    code = "invalid"
