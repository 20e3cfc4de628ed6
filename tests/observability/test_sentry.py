"""Sentry reporting when YILIAN_SENTRY_DSN is set: a real process reports to a stand-in
ingest endpoint on loopback; without the optional sentry-sdk it says so and runs on."""

from __future__ import annotations

import gzip
import http.server
import os
import subprocess
import sys
import threading

import pytest

pytest.importorskip("sentry_sdk")

SCRIPT = """
import logging, django
django.setup()
import sentry_sdk
logging.getLogger("yilian.chain").error("department adapter broke for 110101199003077777")
sentry_sdk.flush(timeout=10)
print("reporting:", sentry_sdk.get_client().is_active())
"""


class Ingest(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Ingest.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _run(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path), "YILIAN_DATABASE_URL": "",
                   "DJANGO_SETTINGS_MODULE": "yilian.settings", **env}
    return subprocess.run([sys.executable, "-c", SCRIPT], env=environment,
                          capture_output=True, text=True, timeout=60)


def test_errors_are_reported_to_the_configured_dsn(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
        done = _run(tmp_path, YILIAN_SENTRY_DSN=dsn, YILIAN_SENTRY_ENVIRONMENT="staging")
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert "reporting: True" in done.stdout
    events = b"".join(Ingest.received).decode()
    assert "department adapter broke" in events
    assert '"environment":"staging"' in events and "yilian@" in events


def test_without_a_dsn_nothing_is_reported(tmp_path):
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "reporting: False" in done.stdout


def test_a_dsn_without_sentry_sdk_is_said_and_the_service_runs(tmp_path):
    """sentry-sdk is an optional extra: a deployment without it starts, and says why
    nothing is reported."""
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "sentry_sdk.py").write_text("raise ImportError('not installed')\n")
    environment = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path), "YILIAN_DATABASE_URL": "",
                   "DJANGO_SETTINGS_MODULE": "yilian.settings", "PYTHONPATH": str(blocker),
                   "YILIAN_SENTRY_DSN": "http://publickey@127.0.0.1:9/42"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "sentry-sdk is not installed" in done.stderr
