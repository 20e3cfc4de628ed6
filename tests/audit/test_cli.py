"""``yilian audit verify``: exit 0 when everything verifies, 1 naming each break (stream
and what); ``yilian audit checkpoint`` makes one now. In-process against the test
database, and once as a real command on a fresh data dir."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.audit.tampering import tamper, write
from yilian.cli import main
from yilian.licenses import signing

pytestmark = pytest.mark.django_db

YILIAN = Path(sys.executable).with_name("yilian")


def test_verify_exits_0_when_all_verifies(capsys):
    write("application:1", 2)
    assert main(["audit", "checkpoint"]) == 0
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "checkpoint 1:" in out
    assert "OK: 2 entries in 1 streams, 1 checkpoints" in out and "BROKEN" not in out


def test_verify_exits_1_naming_each_break(capsys):
    write("application:1", 3)
    write("application:1/tax", 2)
    write("application:2", 1)
    main(["audit", "checkpoint"])
    tamper("DELETE FROM audit_entry WHERE stream = 'application:1' AND seq = 3")
    tamper("DELETE FROM audit_entry WHERE stream = 'application:2'")
    tamper("UPDATE audit_entry SET action = 'forged' WHERE stream = 'application:1/tax' "
           "AND seq = 1")
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    lines = capsys.readouterr().out.splitlines()
    broken = [line for line in lines if line.startswith("BROKEN")]
    assert len(broken) == 3, lines
    assert any(line.startswith("BROKEN application:1: entries 3 to 3 were deleted")
               for line in broken)
    assert any(line.startswith("BROKEN application:1/tax: entry 1 (forged) does not match")
               for line in broken)
    assert any(line.startswith("BROKEN application:2: the whole stream was deleted")
               for line in broken)
    assert all(" / " in line for line in broken)  # English / 中文
    assert lines[-1].startswith("FAILED: 3 breaks")


def test_verify_with_a_public_key_trusts_only_that_key(tmp_path, capsys):
    write("application:1", 1)
    main(["audit", "checkpoint"])
    ours = tmp_path / "ours.pem"
    ours.write_bytes(signing.public_key_pem())
    assert main(["audit", "verify", "--public-key", str(ours)]) == 0
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert main(["audit", "verify", "--public-key", str(stranger)]) == 1
    assert "unknown key" in capsys.readouterr().out
    assert main(["audit", "verify", "--public-key", str(tmp_path / "none.pem")]) == 2


@pytest.mark.skipif(os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres"),
                    reason="the embedded default's own command on its own data dir")
def test_the_command_on_a_fresh_data_dir(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"YILIAN_SIGNING_KEY", "DJANGO_SETTINGS_MODULE", "YILIAN_DATABASE_URL"}}
    env["YILIAN_DATA_DIR"] = str(tmp_path)

    def yilian(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(YILIAN), *args], env=env, capture_output=True, text=True,
                              timeout=120, check=False)

    fresh = yilian("audit", "verify")  # migrates the new data dir first
    assert fresh.returncode == 0 and "OK: 0 entries" in fresh.stdout, fresh.stderr
    written = yilian("manage", "shell", "-c",
                     "from yilian.audit.services import record\n"
                     "for action in ('a', 'b', 'c'): record('application:7', action)")
    assert written.returncode == 0, written.stderr
    assert yilian("audit", "checkpoint").stdout.startswith("checkpoint 1:")
    assert yilian("audit", "verify").returncode == 0
    with sqlite3.connect(tmp_path / "yilian.sqlite3") as db:
        db.execute("DELETE FROM audit_entry WHERE seq = 3")
    cut = yilian("audit", "verify")
    assert cut.returncode == 1
    assert "BROKEN application:7: entries 3 to 3 were deleted" in cut.stdout
