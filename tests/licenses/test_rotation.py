"""Signing keys by configuration, rotated: what key A signed still verifies after the
switch to key B — through the API, the public page and ``yilian verify-license`` — B signs
what is issued next, and a key nobody configured is still refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.licenses.conftest import make_application, make_enterprise
from tests.licenses.keypairs import key_id as _id
from tests.licenses.keypairs import pem as _pem
from tests.licenses.keypairs import public as _public
from yilian.licenses import services, signing

pytestmark = pytest.mark.django_db

YILIAN = Path(sys.executable).with_name("yilian")


def _issue(owner, name: str):
    application = make_application(owner, name=name)
    return services.issue_license(application, make_enterprise(application))


def _verdicts(lic) -> tuple[str, bool, str]:
    """(API code, page says valid, verify-license's first line) for ``lic``, the CLI
    run as another host would: from the environment, with an empty data dir."""
    from django.conf import settings

    api = APIClient().post("/api/v1/licenses/verify/", signing.canonical(lic.signed),
                           content_type="application/json").json()["code"]
    page = 'data-valid="true"' in APIClient().get(f"/verify/{lic.uscc}/").content.decode()
    file = Path(settings.DATA_DIR) / f"{lic.uscc}.json"
    file.write_bytes(signing.canonical(lic.signed))
    env = {k: v for k, v in os.environ.items() if not k.startswith("YILIAN_SIGNING")}
    env.update(YILIAN_DATA_DIR=str(Path(settings.DATA_DIR) / "elsewhere"),
               YILIAN_SIGNING_KEY=settings.LICENSE_SIGNING_KEY,
               YILIAN_SIGNING_PUBLIC_KEYS=settings.LICENSE_PUBLIC_KEYS)
    cli = subprocess.run([str(YILIAN), "verify-license", str(file)], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    return api, page, cli.stdout.split("\n")[0]


def test_sign_with_a_rotate_to_b_a_still_verifies(settings, owner, tmp_path):
    a, b, stranger = _pem(), _pem(), _pem()
    settings.DATA_DIR = tmp_path  # no data-dir keys: only the configuration counts
    settings.LICENSE_SIGNING_KEY = a
    old = _issue(owner, "威海甲乙科技有限公司")
    assert old.key_id == _id(a)

    # Rotation: B signs; A's public half stays trusted.
    settings.LICENSE_SIGNING_KEY = b
    settings.LICENSE_PUBLIC_KEYS = _public(a)
    api, page, cli = _verdicts(old)
    assert (api, page) == ("valid", True) and cli.startswith("VALID"), cli
    new = _issue(owner, "威海丙丁科技有限公司")
    assert new.key_id == _id(b) != old.key_id
    assert _verdicts(new)[0] == "valid"

    # A key that is no longer configured, or never was, is refused everywhere.
    settings.LICENSE_PUBLIC_KEYS = _public(stranger)
    api, page, cli = _verdicts(old)
    assert (api, page) == ("unknown_key", False) and cli.startswith("INVALID"), cli
    assert _verdicts(new)[0] == "valid"


def test_public_keys_from_a_file_or_a_directory(settings, tmp_path):
    a, b, c = _pem(), _pem(), _pem()
    settings.DATA_DIR = tmp_path
    settings.LICENSE_SIGNING_KEY = c
    bundle = tmp_path / "retired.pem"
    bundle.write_text(_public(a) + _public(b))
    settings.LICENSE_PUBLIC_KEYS_FILE = str(bundle)
    assert set(signing.trusted_keys()) == {_id(a), _id(b), _id(c)}
    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "a.pem").write_text(_public(a))
    settings.LICENSE_PUBLIC_KEYS_FILE = str(folder)
    assert set(signing.trusted_keys()) == {_id(a), _id(c)}


def test_a_key_file_is_read_again_when_replaced(settings, tmp_path):
    """YILIAN_SIGNING_KEY_FILE as a mounted secret: the platform swaps the file."""
    key_file = tmp_path / "signing.pem"
    key_file.write_text(_pem())
    settings.LICENSE_SIGNING_KEY = str(key_file)
    first = signing.sign({"n": 1})["signature"]["key_id"]
    replacement = _pem()
    (tmp_path / "next.pem").write_text(replacement)
    os.replace(tmp_path / "next.pem", key_file)
    assert signing.sign({"n": 1})["signature"]["key_id"] == _id(replacement) != first


def _yilian(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("YILIAN_SIGNING", "YILIAN_SECRET"))
                   and k != "DJANGO_SETTINGS_MODULE"}
    environment.update(env)
    return subprocess.run([str(YILIAN), *args], env=environment, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_embedded_data_dir_key_rotates_by_command(tmp_path, lic, settings):
    """``yilian signing-key rotate`` on the data dir: the old key's public half is kept,
    so what it signed still verifies; a configured key is not rotated behind the
    operator's back (the command prints the procedure instead)."""
    data = str(settings.DATA_DIR)
    file = tmp_path / "old.json"
    file.write_bytes(signing.canonical(lic.signed))
    before = _yilian("signing-key", "show", YILIAN_DATA_DIR=data)
    assert before.returncode == 0 and lic.key_id in before.stdout
    rotated = _yilian("signing-key", "rotate", YILIAN_DATA_DIR=data)
    assert rotated.returncode == 0 and f"retired {lic.key_id}" in rotated.stdout
    assert signing.sign({"n": 1})["signature"]["key_id"] != lic.key_id
    assert _yilian("verify-license", str(file), YILIAN_DATA_DIR=data).stdout.startswith("VALID")
    shown = _yilian("signing-key", "show", YILIAN_DATA_DIR=data).stdout
    assert f"trusted     {lic.key_id}" in shown

    refused = _yilian("signing-key", "rotate", YILIAN_DATA_DIR=data,
                      YILIAN_SIGNING_KEY=_pem())
    assert refused.returncode == 1 and "YILIAN_SIGNING_PUBLIC_KEYS" in refused.stdout


def test_signing_key_new_writes_a_private_file_once(tmp_path):
    target = tmp_path / "next.pem"
    made = _yilian("signing-key", "new", str(target), YILIAN_DATA_DIR=str(tmp_path))
    assert made.returncode == 0 and "PUBLIC KEY" in made.stdout
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert _id(target.read_text()) in made.stdout
    again = _yilian("signing-key", "new", str(target), YILIAN_DATA_DIR=str(tmp_path))
    assert again.returncode == 2  # never over an existing key
