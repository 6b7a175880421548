"""media.download against a real HTTP server on loopback (no patched internals)."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from config.http import PermanentError, TransientError
from media.download import (
    BlockedURL,
    DownloadPolicy,
    TooLarge,
    UnsupportedContent,
    check_url,
    download,
    is_public_address,
    sniff,
)
from media.tests import samples
from media.tests.upstream import FakeCDN, Route


@pytest.fixture
def policy():
    # The fake CDN is on loopback, so it must be allowed explicitly, exactly as in production
    # configuration for a MinIO/CDN on a private network.
    return DownloadPolicy(
        allowed_hosts=("127.0.0.1",), max_bytes=5 * 1024 * 1024, read_timeout=2, attempts=3, backoff_base=0.01
    )


@pytest.fixture
def jpeg():
    return samples.jpeg_bytes(samples.photo(800, 600))


def no_sleep(seconds: float) -> None:
    return None


def test_download_streams_body_hashes_and_sniffs_jpeg(cdn, policy, jpeg):
    # Declared type and extension lie; the magic bytes decide.
    url = cdn.add("/p/photo.mp4", body=jpeg, content_type="text/html")
    with download(url, policy) as result:
        assert result.kind == "image"
        assert result.mime_type == "image/jpeg"
        assert result.size == len(jpeg)
        assert result.sha256 == hashlib.sha256(jpeg).hexdigest()
        assert result.read_bytes() == jpeg
        path = result.path
    assert not os.path.exists(path), "temporary file is removed when the context exits"


def test_download_identifies_video_by_ftyp_box(cdn, policy, tmp_path):
    mp4 = samples.make_video(str(tmp_path / "v.mp4"), width=320, height=240, seconds=1, audio=False)
    with open(mp4, "rb") as fh:
        body = fh.read()
    url = cdn.add("/v/clip.jpg", body=body)
    with download(url, policy) as result:
        assert (result.kind, result.mime_type) == ("video", "video/mp4")


def test_download_rejects_html_even_with_image_extension(cdn, policy):
    url = cdn.add("/p/fake.jpg", body=b"<!doctype html><html>login required</html>", content_type="image/jpeg")
    with pytest.raises(UnsupportedContent) as info:
        download(url, policy)
    assert info.value.permanent


def test_download_rejects_empty_body(cdn, policy):
    url = cdn.add("/p/empty.jpg", body=b"")
    with pytest.raises(UnsupportedContent):
        download(url, policy)


def test_declared_length_over_cap_is_refused_before_reading(cdn, policy):
    small_cap = DownloadPolicy(allowed_hosts=("127.0.0.1",), max_bytes=1000)
    url = cdn.add("/big.jpg", body=b"\xff\xd8\xff" + b"x" * 5000)
    with pytest.raises(TooLarge) as info:
        download(url, small_cap)
    assert "declares 5003 bytes" in str(info.value)
    assert info.value.permanent


def test_streamed_body_over_cap_is_refused_without_content_length(cdn, policy):
    small_cap = DownloadPolicy(allowed_hosts=("127.0.0.1",), max_bytes=100_000)
    url = cdn.add("/chunked.jpg", body=b"\xff\xd8\xff" + b"x" * 300_000, omit_length=True)
    with pytest.raises(TooLarge):
        download(url, small_cap)


def test_transient_errors_are_retried_then_succeed(cdn, policy, jpeg):
    url = cdn.add("/flaky.jpg", body=jpeg, fail_times=2, fail_status=503)
    with download(url, policy, sleep=no_sleep) as result:
        assert result.attempts == 3
    assert cdn.hits["/flaky.jpg"] == 3


def test_transient_errors_give_up_after_the_attempt_budget(cdn, policy, jpeg):
    url = cdn.add("/down.jpg", body=jpeg, fail_times=10, fail_status=502)
    with pytest.raises(TransientError) as info:
        download(url, policy, sleep=no_sleep)
    assert not info.value.permanent and info.value.status == 502
    assert cdn.hits["/down.jpg"] == policy.attempts


def test_permanent_status_is_not_retried(cdn, policy):
    # Instagram answers 403 for an expired signed CDN link: asking again cannot help.
    url = cdn.add("/expired.jpg", status=403, body=b"URL signature expired")
    with pytest.raises(PermanentError) as info:
        download(url, policy, sleep=no_sleep)
    assert info.value.permanent and info.value.status == 403
    assert cdn.hits["/expired.jpg"] == 1


def test_truncated_body_is_transient_and_retried(cdn, policy, jpeg):
    url = cdn.add("/cut.jpg", body=jpeg, truncate_at=len(jpeg) // 3)
    with pytest.raises(TransientError):
        download(url, policy, sleep=no_sleep)
    assert cdn.hits["/cut.jpg"] == policy.attempts


def test_read_timeout_is_transient(cdn, jpeg):
    slow = DownloadPolicy(allowed_hosts=("127.0.0.1",), read_timeout=0.2, attempts=2, backoff_base=0.01)
    url = cdn.add("/slow.jpg", body=jpeg, delay=1.0)
    with pytest.raises(TransientError):
        download(url, slow, sleep=no_sleep)
    assert cdn.hits["/slow.jpg"] == 2


def test_connection_refused_is_transient(policy):
    # A port nobody listens on (bound then closed).
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(TransientError):
        download(f"http://127.0.0.1:{port}/x.jpg", policy, sleep=no_sleep)


def test_redirects_are_followed_and_recorded(cdn, policy, jpeg):
    final = cdn.add("/final.jpg", body=jpeg)
    cdn.add("/hop2", status=302, location="/final.jpg")
    start = cdn.add("/hop1", status=301, location=cdn.url("/hop2"))
    with download(start, policy) as result:
        assert result.final_url == final
        assert result.redirects == [cdn.url("/hop2"), final]


def test_redirect_loop_stops(cdn, policy):
    url = cdn.add("/loop", status=302, location="/loop")
    with pytest.raises(PermanentError) as info:
        download(url, policy)
    assert "redirects" in str(info.value) and info.value.permanent


# --- SSRF ---------------------------------------------------------------------------------------


def test_loopback_is_refused_unless_allowed(cdn, jpeg):
    url = cdn.add("/p.jpg", body=jpeg)
    # Open the test port so that the address rule, not the port rule, is what refuses.
    with pytest.raises(BlockedURL) as info:
        download(url, DownloadPolicy(allowed_ports=frozenset({cdn.port})))
    assert "non-public address 127.0.0.1" in str(info.value)
    assert cdn.hits["/p.jpg"] == 0, "no request was sent"


def test_redirect_from_allowed_host_to_internal_host_is_refused(cdn, jpeg):
    # The allowed CDN redirects to "localhost" (not on the list), e.g. an open redirect used to
    # reach an internal admin port: the second hop is checked like the first.
    cdn.add("/secret", body=jpeg)
    url = cdn.add("/open-redirect", status=302, location=cdn.url("/secret", host="localhost"))
    with pytest.raises(BlockedURL) as info:
        download(url, DownloadPolicy(allowed_hosts=("127.0.0.1",), allowed_ports=frozenset({cdn.port})))
    assert "localhost resolves to non-public address" in str(info.value)
    assert cdn.hits["/secret"] == 0


def test_redirect_to_metadata_endpoint_is_refused(cdn):
    url = cdn.add("/to-metadata", status=302, location="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(BlockedURL) as info:
        download(url, DownloadPolicy(allowed_hosts=("127.0.0.1",)))
    assert "169.254.169.254" in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/",  # AWS/GCP/Azure metadata (link-local)
        "http://[fd00:ec2::254]/latest/meta-data/",  # AWS IPv6 metadata (unique local)
        "http://100.100.100.200/latest/meta-data/",  # Alibaba metadata (CGNAT range)
        "http://127.0.0.1/x.jpg",
        "http://localhost/x.jpg",
        "http://10.1.2.3/x.jpg",
        "http://192.168.0.10/x.jpg",
        "http://172.16.5.4/x.jpg",
        "http://0.0.0.0/x.jpg",
        "http://[::1]/x.jpg",
        "http://[::ffff:127.0.0.1]/x.jpg",  # IPv4-mapped loopback
        "http://[64:ff9b::a00:1]/x.jpg",  # NAT64 of 10.0.0.1
        "http://[fe80::1]/x.jpg",
        "http://224.0.0.1/x.jpg",
        "http://2130706433/x.jpg",  # 127.0.0.1 as a decimal integer
        "http://0x7f.1/x.jpg",  # 127.0.0.1 in hex shorthand
    ],
)
def test_internal_addresses_are_refused(url):
    with pytest.raises(BlockedURL):
        check_url(url, DownloadPolicy())


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x.jpg",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "dict://127.0.0.1:11211/stat",
        "javascript:alert(1)",
        "//cdn.example.com/x.jpg",
        "http://user:pass@93.184.216.34/x.jpg",
        "http://93.184.216.34:22/x.jpg",  # public address, but SSH's port
        "http://93.184.216.34:6379/x.jpg",
    ],
)
def test_unsupported_schemes_credentials_and_ports_are_refused(url):
    with pytest.raises(BlockedURL):
        check_url(url, DownloadPolicy())


def test_every_resolved_address_must_be_public():
    # One public and one private answer (DNS rebinding setups return both).
    def resolver(host, port):
        return ["93.184.216.34", "10.0.0.5"]

    with pytest.raises(BlockedURL):
        check_url("https://cdn.example.com/a.jpg", DownloadPolicy(), resolver)


def test_public_host_passes_and_is_pinned_to_the_checked_address():
    target = check_url(
        "https://scontent.cdninstagram.com/v/a.jpg?x=1", DownloadPolicy(), lambda h, p: ["157.240.1.174"]
    )
    assert (target.address, target.host, target.port) == ("157.240.1.174", "scontent.cdninstagram.com", 443)
    assert target.request_path == "/v/a.jpg?x=1"


def test_connection_goes_to_the_checked_address_with_the_original_host_header(cdn, jpeg):
    # "media.example.test" does not exist in real DNS: the download only works because the socket
    # connects to the address returned by the (checked) resolver, not to a second lookup.
    cdn.add("/pinned.jpg", body=jpeg)
    resolved = []

    def resolver(host, port):
        resolved.append(host)
        return ["127.0.0.1"]

    policy = DownloadPolicy(allowed_hosts=("media.example.test",))
    with download(f"http://media.example.test:{cdn.port}/pinned.jpg", policy, resolver=resolver) as result:
        assert result.size == len(jpeg)
    assert resolved == ["media.example.test"]
    assert cdn.host_headers[-1] == f"media.example.test:{cdn.port}"


def test_allowed_hosts_suffix_entry_covers_subdomains():
    policy = DownloadPolicy(allowed_hosts=(".minio.internal",))
    assert policy.host_is_allowed("eu.minio.internal")
    assert policy.host_is_allowed("minio.internal")
    assert not policy.host_is_allowed("evilminio.internal")


def test_is_public_address():
    assert is_public_address("8.8.8.8")
    assert is_public_address("2a03:2880:f12f:83:face:b00c:0:25de")
    assert not is_public_address("169.254.169.254")
    assert not is_public_address("::ffff:10.0.0.1")


def test_sniff_formats():
    assert sniff(b"\x89PNG\r\n\x1a\n....").mime_type == "image/png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ").mime_type == "image/webp"
    assert sniff(b"GIF89a....").mime_type == "image/gif"
    assert sniff(b"\x00\x00\x00\x1cftypheic\x00\x00").kind == "image"
    assert sniff(b"\x00\x00\x00\x14ftypqt  \x00\x00").mime_type == "video/quicktime"
    assert sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm").mime_type == "video/webm"
    assert sniff(b"%PDF-1.7") is None
    assert sniff(b"") is None


def test_retry_after_on_429_is_honoured(cdn, policy, jpeg):
    cdn.add("/limited.jpg", Route(body=jpeg, fail_times=1, fail_status=429))
    waits = []
    with download(cdn.url("/limited.jpg"), policy, sleep=waits.append) as result:
        assert result.attempts == 2
    assert waits == [0.0]  # the fake CDN sends Retry-After: 0


# --- TLS with a pinned address ------------------------------------------------------------------


def make_tls(folder, name: str) -> tuple[str, str, str]:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Test CA",
        "-keyout", "ca.key", "-out", "ca.pem",
    )  # fmt: skip
    (folder / "san.ext").write_text(f"subjectAltName=DNS:{name}\n")
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", "leaf.key", "-out", "leaf.csr",
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
        "-extfile", "san.ext", "-out", "leaf.pem",
    )  # fmt: skip
    return str(folder / "ca.pem"), str(folder / "leaf.pem"), str(folder / "leaf.key")


@pytest.fixture(scope="module")
def tls_cdn(tmp_path_factory):
    ca, cert, key = make_tls(tmp_path_factory.mktemp("tls"), "media.example.test")
    server = FakeCDN(tls=(cert, key)).start()
    yield server, ca
    server.stop()


def test_https_connects_to_the_pinned_address_and_verifies_the_real_name(tls_cdn):
    server, ca = tls_cdn
    body = samples.jpeg_bytes(samples.photo(300, 200))
    server.add("/tls.jpg", body=body)
    policy = DownloadPolicy(allowed_hosts=("media.example.test",), ca_certs=ca)
    url = f"https://media.example.test:{server.port}/tls.jpg"
    with download(url, policy, resolver=lambda host, port: ["127.0.0.1"]) as result:
        assert result.read_bytes() == body


def test_https_certificate_for_another_name_is_a_permanent_failure(tls_cdn):
    server, ca = tls_cdn
    server.add("/other.jpg", body=b"\xff\xd8\xff")
    policy = DownloadPolicy(allowed_hosts=("other.example.test",), ca_certs=ca)
    with pytest.raises(PermanentError) as info:
        download(f"https://other.example.test:{server.port}/other.jpg", policy, resolver=lambda h, p: ["127.0.0.1"])
    assert info.value.permanent and "TLS" in str(info.value)
