"""``yilian verify-license FILE``: offline, no database, exit 0 when valid and 1 when not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yilian.licenses import signing
from yilian.licenses.cli import verify_license_file

pytestmark = pytest.mark.django_db

YILIAN = Path(sys.executable).with_name("yilian")


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"YILIAN_SIGNING_KEY", "DJANGO_SETTINGS_MODULE"}}
    env["YILIAN_DATA_DIR"] = str(data_dir)
    return subprocess.run([str(YILIAN), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.fixture
def license_file(lic, tmp_path) -> Path:
    path = tmp_path / f"{lic.uscc}.license.json"
    path.write_bytes(signing.canonical(lic.signed))
    return path


def test_valid_file_exits_0(license_file, lic, settings):
    result = run("verify-license", str(license_file), data_dir=settings.DATA_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VALID")
    assert lic.uscc in result.stdout and lic.fields["name"] in result.stdout


def test_tampered_file_exits_1_with_the_reason(license_file, settings):
    data = license_file.read_bytes().replace("张三".encode(), "李四".encode())
    license_file.write_bytes(data)
    result = run("verify-license", str(license_file), data_dir=settings.DATA_DIR)
    assert result.returncode == 1
    assert result.stdout.startswith("INVALID")
    assert signing.REASONS["mismatch"][0] in result.stdout
    assert signing.REASONS["mismatch"][1] in result.stdout


def test_garbage_and_missing_files_exit_1(tmp_path, settings):
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\x01 not json")
    for path in (garbage, tmp_path / "missing.json"):
        result = run("verify-license", str(path), data_dir=settings.DATA_DIR)
        assert result.returncode == 1 and result.stdout.startswith("INVALID")


def test_another_data_dir_does_not_trust_our_key(license_file, tmp_path):
    result = run("verify-license", str(license_file), data_dir=tmp_path / "elsewhere")
    assert result.returncode == 1
    assert signing.REASONS["unknown_key"][1] in result.stdout


def test_public_key_option_trusts_only_that_key(license_file, tmp_path, capsys):
    pem = tmp_path / "license-public.pem"
    pem.write_bytes(signing.public_key_pem())
    assert verify_license_file(str(license_file), public_key=str(pem)) == 0
    assert verify_license_file(str(license_file), public_key=pem.read_text()) == 0

    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert verify_license_file(str(license_file), public_key=str(stranger)) == 1
    assert verify_license_file(str(license_file), public_key=str(tmp_path / "none.pem")) == 1
    out = capsys.readouterr().out
    assert out.count("VALID") == 4 and out.count("INVALID") == 2


def test_module_entry_point_with_public_key(license_file, tmp_path):
    pem = tmp_path / "license-public.pem"
    pem.write_bytes(signing.public_key_pem())
    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path / "empty")}
    result = subprocess.run(
        [sys.executable, "-m", "yilian.licenses.cli", str(license_file), "--public-key",
         str(pem)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(license_file.read_bytes())["license"]["uscc"] in result.stdout


def test_a_reformatted_or_duplicated_file_exits_1(license_file, capsys):
    """The command reads the file's bytes as the format requires (docs/license-format.md):
    a pretty-printed copy or one with a repeated key is not the issued document."""
    original = license_file.read_bytes()
    license_file.write_text(json.dumps(json.loads(original), ensure_ascii=False, indent=2))
    assert verify_license_file(str(license_file)) == 1
    assert signing.REASONS["not_canonical"][1] in capsys.readouterr().out
    license_file.write_bytes(original.replace(b'"license":{', b'"license":{"name":"x",', 1))
    assert verify_license_file(str(license_file)) == 1
    assert signing.REASONS["duplicate_key"][1] in capsys.readouterr().out
    license_file.write_bytes(original)
    assert verify_license_file(str(license_file)) == 0
