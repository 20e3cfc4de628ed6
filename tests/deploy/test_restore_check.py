"""``yilian restore-check`` (:mod:`yilian.restore_check`): each finding on its own, on every
database, and the embedded default's backup (``sqlite3 .backup``) restored into a new data
dir — with and without the data dir's keys. The PostgreSQL drill is test_restore_drill.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories
from tests.e2e.processes import YILIAN, free_port
from yilian import restore_check, storage
from yilian.audit.checkpoints import anchor_path, make_checkpoint
from yilian.chain import engine
from yilian.chain.services import start_chain
from yilian.licenses import keys, signing
from yilian.licenses.models import License

ON_SQLITE = not os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def registered(settings, tmp_path):
    """One completed chain (a license) and a checkpoint, signed by this test's own key."""
    settings.DATA_DIR = tmp_path  # its own anchor
    settings.LICENSE_SIGNING_KEY = keys.new_key_pem().decode()
    start_chain(factories.application())
    engine.drain()
    assert make_checkpoint() is not None
    return settings


def _finding(found, topic):
    return [f for f in found if f.topic == topic]


@pytest.mark.django_db
def test_the_keys_that_signed_verify(registered):
    status, found = restore_check.run()
    assert status == 0, [str(f) for f in found]
    assert [f.outcome for f in found] == ["OK", "OK", "OK", "info", "info"]
    assert "is not stored: it is rendered again" in _finding(found, "stored files")[0].en
    assert "1 license signed by 1 key, every key trusted; 1 of 1 sampled verify" \
        in _finding(found, "signing keys")[0].en


@pytest.mark.django_db
def test_a_key_made_afresh_is_named_as_untrusted(registered, capsys):
    retired = keys.key_id(keys.parse_private(
        registered.LICENSE_SIGNING_KEY.encode()).public_key())
    registered.LICENSE_SIGNING_KEY = keys.new_key_pem().decode()
    # What it guards against: the service would answer that the genuine license is forged.
    document = signing.canonical(License.objects.get().signed)
    verdict = APIClient().post("/api/v1/licenses/verify/", document,
                               content_type="application/json").json()
    assert (verdict["valid"], verdict["code"]) == (False, "unknown_key")
    assert restore_check.main() == 1
    out = capsys.readouterr().out
    assert f"key {retired} signed 1 license and 1 audit checkpoint, and is not trusted" in out
    assert "reads as forged" in out and "判定为伪造" in out
    assert "RESTORE CHECK FAILED" in out


@pytest.mark.django_db
def test_an_anchor_ahead_of_the_database_is_explained(registered):
    anchor = json.loads(anchor_path().read_text())
    anchor_path().write_text(json.dumps({"seq": anchor["seq"] + 3, "hash": "0" * 64}))
    status, found = restore_check.run()
    audit = _finding(found, "audit trail")[0]
    assert status == 1 and audit.outcome == "FAILED"
    assert f"names checkpoint {anchor['seq'] + 3} and the database ends at {anchor['seq']}" \
        in audit.en
    assert "move the anchor aside" in audit.en and "将锚点文件移走" in audit.zh


@pytest.mark.django_db
def test_a_file_store_that_cannot_be_reached_is_a_problem(registered):
    pytest.importorskip("storages")
    closed = {"YILIAN_FILES_S3_BUCKET": "yilian-files", "YILIAN_FILES_S3_REGION": "us-east-1",
              "YILIAN_FILES_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
              "YILIAN_FILES_S3_ACCESS_KEY": "test", "YILIAN_FILES_S3_SECRET_KEY": "test"}
    options = storage.s3_options(lambda name: closed.get(name, ""),
                                 lambda name: closed.get(name, ""))
    registered.STORAGES = {**registered.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
    finding = restore_check.stored_files()
    assert finding.outcome == "FAILED", finding
    assert "the generated-files store cannot be read" in finding.en


def _check(data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("YILIAN_SIGNING", "YILIAN_DATABASE_URL"))}
    env["YILIAN_DATA_DIR"] = str(data_dir)
    return subprocess.run([YILIAN, "restore-check"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.skipif(not ON_SQLITE, reason="the embedded default's backup: the SQLite suite")
@pytest.mark.django_db(transaction=True)
def test_the_embedded_backup_restored_into_a_new_data_dir(registered, tmp_path):
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    # Nothing restored yet: an empty database is said to be one.
    empty = _check(restored)
    assert empty.returncode == 1 and "not applied" in empty.stdout, empty.stdout
    # The backup as docs/DEPLOY.md gives it: online, consistent, WAL included.
    source = connection.settings_dict["NAME"]
    subprocess.run(["sqlite3", str(source), f".backup '{restored / 'yilian.sqlite3'}'"],
                   check=True, timeout=60)
    key = restored / "keys" / keys.KEY_FILE
    key.parent.mkdir(mode=0o700)
    key.write_text(keys.new_key_pem().decode())  # a key made afresh: caught
    forged = _check(restored)
    assert forged.returncode == 1 and "reads as forged" in forged.stdout, forged.stdout
    key.write_text(registered.LICENSE_SIGNING_KEY)  # the data dir's key, from the backup
    shutil.copy(anchor_path(), restored / "audit-anchor.json")
    passed = _check(restored)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 license signed by 1 key" in passed.stdout


@pytest.mark.slow
def test_a_database_that_cannot_be_read_is_exit_status_2(tmp_path):
    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path),
           "YILIAN_DATABASE_URL": f"postgres://yilian:pw@127.0.0.1:{free_port()}/restored",
           "YILIAN_SECRET_KEY": "s" * 50, "YILIAN_SIGNING_KEY": keys.new_key_pem().decode()}
    done = subprocess.run([YILIAN, "restore-check"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "FAILED  database: cannot be read" in done.stdout and "无法读取数据库" in done.stdout
