"""A production configuration passes Django's deployment checks; the embedded default
(plain HTTP on 127.0.0.1) is not mistaken for one."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from tests.e2e.processes import YILIAN


def _check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path), "YILIAN_DATABASE_URL": "",
                   "YILIAN_SECRET_KEY": secrets.token_urlsafe(60), **env}
    return subprocess.run([YILIAN, "manage", "check", "--deploy", "--fail-level", "WARNING"],
                          env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_production_settings_pass_the_deployment_checks(tmp_path):
    done = _check(tmp_path, YILIAN_HTTPS="1", YILIAN_ALLOWED_HOSTS="yilian.example.gov.cn")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_without_https_the_checks_say_what_is_missing(tmp_path):
    done = _check(tmp_path, YILIAN_HTTPS="0")
    assert done.returncode != 0
    assert "SESSION_COOKIE_SECURE" in done.stdout + done.stderr
