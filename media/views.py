"""Serving stored media from the local folder (the embedded default; S3 serves its own URLs).

Only signed-in users see creators' pictures. Keys are content hashes, so a file never changes
under its URL and browsers may cache it for a year. Single byte ranges are honoured because
browsers seek in ``<video>`` with Range requests and refuse to scrub without them.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

CACHE_CONTROL = "private, max-age=31536000, immutable"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _ranged(path: str, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


@require_safe
@login_required
def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Stream ``path`` from local media storage, with ``Range`` support."""
    if not isinstance(default_storage, FileSystemStorage):
        raise Http404("media is served by the object store")
    try:
        full_path = default_storage.path(path)
    except SuspiciousFileOperation as exc:
        raise Http404("no such file") from exc
    if not os.path.isfile(full_path):
        raise Http404("no such file")
    size = os.path.getsize(full_path)
    content_type = mimetypes.guess_type(full_path)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # "bytes=-N": the last N bytes
            start, end = max(0, size - int(last)), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        response = StreamingHttpResponse(_ranged(full_path, start, length), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(open(full_path, "rb"), content_type=content_type)  # noqa: SIM115 - closed by Django
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
