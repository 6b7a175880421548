"""Fixtures for media tests: a loopback fake CDN, a private local storage folder, and a real S3 API
served by moto's standalone server (a separate process spoken to over HTTP by boto3)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import boto3
import pytest

from media.tests.upstream import FakeCDN


@pytest.fixture
def cdn():
    server = FakeCDN().start()
    yield server
    server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """``moto_server`` on a loopback port for the whole session; yields its endpoint URL."""
    binary = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or shutil.which("moto_server")
    if binary is None:
        pytest.fail("moto_server not found: install moto[server] (requirements.txt)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def s3_storages(endpoint: str, bucket: str, *, signed: bool = True) -> dict:
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "querystring_auth": signed,
                "querystring_expire": 600,
                "file_overwrite": True,
                "default_acl": None,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def local_storages(folder: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": "/media/"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def media_settings(settings, cdn):
    """Allow the loopback CDN, fail fast on transient errors, keep the pipeline's defaults otherwise."""
    settings.MEDIA_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MEDIA_DOWNLOAD_ATTEMPTS = 2
    settings.MEDIA_DOWNLOAD_BACKOFF = 0.01
    settings.MEDIA_DOWNLOAD_TIMEOUT = 5
    return settings


@pytest.fixture
def local_storage(media_settings, tmp_path):
    folder = tmp_path / "media"
    media_settings.STORAGES = local_storages(str(folder))
    return folder


@pytest.fixture
def s3_bucket(media_settings, moto_endpoint):
    """A fresh bucket on the moto server, made the default storage for this test."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, **S3_CREDENTIALS)
    client.create_bucket(Bucket=bucket)
    media_settings.STORAGES = s3_storages(moto_endpoint, bucket)
    return client, bucket


@pytest.fixture(params=["local", "s3"])
def any_storage(request):
    """Runs a test once against the local folder and once against S3 (moto server)."""
    if request.param == "local":
        folder = request.getfixturevalue("local_storage")
        return "local", lambda: sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    client, bucket = request.getfixturevalue("s3_bucket")

    def keys() -> list[str]:
        return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))

    return "s3", keys
