"""A license PDF downloads on any host: two hosts with their own data dirs and one
database — the second, lacking the file, renders the very same bytes; hosts sharing a
storage serve the one stored file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from yilian.licenses import pdf

pytestmark = pytest.mark.django_db


def _download(client_for, owner, lic) -> bytes:
    response = client_for(owner).get(f"/api/v1/licenses/{lic.uscc}/pdf/")
    assert response.status_code == 200, response.content[:200]
    return b"".join(response.streaming_content)


def test_a_host_without_the_file_serves_the_same_bytes(lic, owner, client_for, settings,
                                                       tmp_path):
    settings.MEDIA_ROOT = host_a = tmp_path / "host-a" / "files"
    first = _download(client_for, owner, lic)
    assert (host_a / pdf.cache_name(lic)).read_bytes() == first

    settings.MEDIA_ROOT = host_b = tmp_path / "host-b" / "files"
    assert not host_b.exists()
    second = _download(client_for, owner, lic)
    assert hashlib.sha256(second).digest() == hashlib.sha256(first).digest()
    assert (host_b / pdf.cache_name(lic)).read_bytes() == first


def test_hosts_sharing_a_storage_serve_the_stored_file(lic, owner, client_for, settings,
                                                       tmp_path, monkeypatch):
    settings.MEDIA_ROOT = shared = tmp_path / "shared"
    first = _download(client_for, owner, lic)
    monkeypatch.setattr(pdf, "render", lambda *a, **k: pytest.fail("rendered again"))
    settings.DATA_DIR = tmp_path / "host-b"  # another host's data dir, the same storage
    assert _download(client_for, owner, lic) == first
    assert [p.name for p in (shared / "licenses").iterdir()] == [Path(pdf.cache_name(lic)).name]


def test_a_reissued_license_never_meets_the_old_file(lic, settings):
    before = pdf.cache_name(lic)
    lic.signed = {**lic.signed, "license": {**lic.signed["license"], "name": "改名后"}}
    assert pdf.cache_name(lic) != before and pdf.cache_name(lic).startswith(
        f"licenses/{lic.uscc}-")
