"""The settings the deployment artifacts rely on, read by a real ``yilian`` process."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.processes import YILIAN

pytestmark = pytest.mark.slow

SHOW = ("from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME'], s.STATIC_ROOT, s.STATIC_COLLECTED)")


def _settings(tmp_path, **env: str) -> list[str]:
    environment = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path / "data"),
                   "YILIAN_DATABASE_URL": "", **env}
    done = subprocess.run([YILIAN, "manage", "shell", "-c", SHOW], env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].split()


def test_the_database_url_is_read_from_a_mounted_secret(tmp_path):
    """Read from the file, the URL makes this a production host: it then needs the shared
    keys too (given here), and would refuse to start without them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    secret = tmp_path / "database_url"
    secret.write_text("postgres://yilian:pw@db.internal:5432/yilian_prod\n")
    signing = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    name, _, _ = _settings(tmp_path, YILIAN_DATABASE_URL_FILE=str(secret),
                           YILIAN_SECRET_KEY="k" * 50, YILIAN_SIGNING_KEY=signing)
    assert name == "yilian_prod"


def test_a_static_root_means_collected_in_advance(tmp_path):
    _, root, collected = _settings(tmp_path, YILIAN_STATIC_ROOT=str(tmp_path / "static"))
    assert (root, collected) == (str(tmp_path / "static"), "True")
    _, root, collected = _settings(tmp_path)
    assert (root, collected) == (str(tmp_path / "data" / "static"), "False")


def test_retired_secret_keys_are_read_from_the_environment_or_a_mounted_file(tmp_path):
    show = "from django.conf import settings as s; print(len(s.SECRET_KEY_FALLBACKS), " \
        "*s.SECRET_KEY_FALLBACKS)"
    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path / "data"), "YILIAN_DATABASE_URL": ""}

    def fallbacks(**extra: str) -> list[str]:
        done = subprocess.run([YILIAN, "manage", "shell", "-c", show], env={**env, **extra},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1].split()

    secret = tmp_path / "secret_key_fallbacks"
    secret.write_text("a" * 50 + "\n" + "b" * 50 + "\n")
    assert fallbacks(YILIAN_SECRET_KEY_FALLBACKS_FILE=str(secret)) == ["2", "a" * 50, "b" * 50]
    assert fallbacks(YILIAN_SECRET_KEY_FALLBACKS="c" * 40) == ["1", "c" * 40]
    assert fallbacks() == ["0"]
