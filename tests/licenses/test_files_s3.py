"""Generated files in an S3-compatible object store (the optional ``s3`` extra): two
hosts with their own data dirs share the bucket, so the second serves the file the first
stored. The store is a real one on loopback (moto's server), reached over HTTP."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.e2e.processes import free_port
from yilian import storage
from yilian.licenses import pdf

boto3 = pytest.importorskip("boto3")
pytest.importorskip("storages")
pytest.importorskip("moto.server")

pytestmark = pytest.mark.django_db
BUCKET = "yilian-files"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket=BUCKET)
            break
        except Exception:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)
    yield url, client
    server.terminate()
    server.wait(timeout=30)


def _configure(settings, endpoint: str) -> None:
    variables = {"YILIAN_FILES_S3_BUCKET": BUCKET, "YILIAN_FILES_S3_ENDPOINT_URL": endpoint,
                 "YILIAN_FILES_S3_REGION": "us-east-1", "YILIAN_FILES_S3_PREFIX": "yilian",
                 "YILIAN_FILES_S3_ACCESS_KEY": "test", "YILIAN_FILES_S3_SECRET_KEY": "test"}
    get = lambda name: variables.get(name, "")  # noqa: E731
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": storage.s3_options(get, get)}}


def test_two_hosts_share_the_bucket(lic, owner, client_for, settings, tmp_path, s3_endpoint,
                                    monkeypatch):
    endpoint, client = s3_endpoint
    _configure(settings, endpoint)
    settings.MEDIA_ROOT = tmp_path / "host-a"
    first = b"".join(client_for(owner).get(f"/api/v1/licenses/{lic.uscc}/pdf/")
                     .streaming_content)
    stored = client.get_object(Bucket=BUCKET, Key=f"yilian/{pdf.cache_name(lic)}")
    assert stored["Body"].read() == first and first.startswith(b"%PDF-")
    assert not (tmp_path / "host-a").exists()  # nothing on the host's own disk

    monkeypatch.setattr(pdf, "render", lambda *a, **k: pytest.fail("rendered again"))
    settings.MEDIA_ROOT = tmp_path / "host-b"
    settings.DATA_DIR = tmp_path / "host-b"
    response = client_for(owner).get(f"/api/v1/licenses/{lic.uscc}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == first
    grants = client.get_object_acl(Bucket=BUCKET, Key=f"yilian/{pdf.cache_name(lic)}")
    assert not [g for g in grants["Grants"] if "AllUsers" in str(g["Grantee"])]
