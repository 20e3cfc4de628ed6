"""On a shared database every process refuses to start without the shared keys, naming
the variables; the embedded default still makes its own; keys come from ``*_FILE`` paths
as container platforms mount secrets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from yilian.licenses import keys

YILIAN = str(Path(sys.executable).with_name("yilian"))
# Never reached: the keys are checked before any connection is made.
NOWHERE = "postgres://yilian@127.0.0.1:9/yilian"


def _run(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("YILIAN_SIGNING", "YILIAN_SECRET", "YILIAN_BROKER"))
                   and k != "DJANGO_SETTINGS_MODULE"}
    environment.update(YILIAN_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([YILIAN, *args], env=environment, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("command", [
    ("serve", "--port", "9"), ("worker",), ("manage", "check"), ("audit", "verify")])
def test_each_process_refuses_to_start_without_the_keys(command, tmp_path):
    done = _run(*command, tmp_path=tmp_path, YILIAN_DATABASE_URL=NOWHERE,
                YILIAN_BROKER_URL="redis://127.0.0.1:9/0")
    assert done.returncode == 2, done.stdout + done.stderr
    for name in ("YILIAN_SECRET_KEY", "YILIAN_SECRET_KEY_FILE", "YILIAN_SIGNING_KEY",
                 "YILIAN_SIGNING_KEY_FILE"):
        assert name in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "keys").exists()  # nothing made for this host alone
    assert not (tmp_path / "data" / "secret_key").exists()


def test_keys_from_files_start_and_a_bad_key_is_named(tmp_path):
    secret_file, key_file = tmp_path / "secret", tmp_path / "signing.pem"
    secret_file.write_text(secrets.token_urlsafe(50) + "\n")
    key_file.write_bytes(keys.new_key_pem())
    env = dict(YILIAN_DATABASE_URL=NOWHERE, YILIAN_SECRET_KEY_FILE=str(secret_file),
               YILIAN_SIGNING_KEY_FILE=str(key_file))
    done = _run("manage", "check", tmp_path=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout

    key_file.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    done = _run("manage", "check", tmp_path=tmp_path, **env)
    assert done.returncode == 2 and "signing key cannot be used" in done.stderr
    done = _run("manage", "check", tmp_path=tmp_path,
                **{**env, "YILIAN_SIGNING_KEY_FILE": str(tmp_path / "missing.pem"),
                   "YILIAN_SECRET_KEY": "short"})
    assert done.returncode == 2
    assert "missing.pem" in done.stderr and "shorter than 32" in done.stderr


def test_the_embedded_default_still_starts_with_nothing_given(tmp_path):
    done = _run("manage", "check", tmp_path=tmp_path, YILIAN_DATABASE_URL="")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "secret_key").exists()


def test_tools_that_read_no_settings_still_run(tmp_path):
    for command in (("config",), ("check", "uscc", "91350100M000100Y43")):
        done = _run(*command, tmp_path=tmp_path, YILIAN_DATABASE_URL=NOWHERE)
        assert done.returncode == 0, done.stderr
