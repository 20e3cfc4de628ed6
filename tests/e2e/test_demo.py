"""End to end through the running service, as a client would: the README's demo command,
the example application, the whole chain, the license, its verification."""

from __future__ import annotations

import io
import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.processes import YILIAN, Client, free_port, kill, start, wait_for

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "application.json"
STEPS = {"registration", "seals", "tax", "social_security", "medical_insurance",
         "housing_fund", "bank"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "YILIAN_DATA_DIR": str(data_dir),
           "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": "", "HOME": str(data_dir)}
    log = data_dir / "demo.log"
    proc = start(["demo", "--port", str(port), "--data-dir", str(data_dir)], env, log)
    client = Client(f"http://127.0.0.1:{port}")

    try:
        wait_for(client.up, 60, interval=0.2, what=f"the demo to answer (log: {log})")
        yield client, data_dir, log
    finally:
        kill(proc)


def test_the_demo_prints_its_url_and_accounts(demo):
    _client, _data_dir, log = demo
    wait_for(lambda: "demo-officer-tax" in log.read_text(), 10, what="the account list")
    text = log.read_text()
    assert "http://127.0.0.1:" in text
    for account in ("demo-applicant", "demo-clerk", "demo-examiner", "demo-admin"):
        assert account in text
    assert "yilian-demo" in text


def test_an_applicant_starts_a_company_end_to_end(demo, tmp_path):
    client, data_dir, _log = demo
    status, body = client.call("POST", "/api/v1/auth/token/",
                               {"username": "demo-applicant", "password": "yilian-demo"})
    assert status == 200
    client.token = body["token"]

    status, created = client.call("POST", "/api/v1/applications/",
                                  json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert status == 201, created
    app_id = created["id"]
    assert created["status"] == "draft"

    status, refused = client.call("POST", f"/api/v1/applications/{app_id}/submit/")
    assert status == 400 and {e["code"] for e in refused["errors"]} == {"parties.unconfirmed"}
    client.confirm_parties(app_id)  # codes read from /api/v1/demo/outbox/
    started = time.monotonic()
    status, submitted = client.call("POST", f"/api/v1/applications/{app_id}/submit/")
    assert status == 202, submitted

    def completed():
        _, app = client.call("GET", f"/api/v1/applications/{app_id}/")
        return app if app["status"] == "completed" else None

    app = wait_for(completed, 10, interval=0.05, what="the chain to complete")
    assert time.monotonic() - started < 10
    assert {s["code"] for s in app["steps"]} == STEPS
    for step in app["steps"]:
        assert step["status"] == "done" and step["reference"]
        assert step["started_at"] and step["finished_at"]
    assert app["uscc"].startswith("91371071") and len(app["uscc"]) == 18

    # The signed license verifies; one byte changed does not.
    path = app["license"]["json_url"].split("127.0.0.1", 1)[-1].split(":", 1)[-1]
    path = path[path.index("/"):]
    status, signed = client.call("GET", path, raw=True)
    assert status == 200
    status, answer = client.call("POST", "/api/v1/licenses/verify/", signed)
    assert status == 200 and answer["valid"] is True
    tampered = signed.replace(app["uscc"][-6:].encode(), b"000000", 1)
    assert tampered != signed
    status, answer = client.call("POST", "/api/v1/licenses/verify/", tampered)
    assert answer["valid"] is False and answer["reason"]

    # The PDF carries extractable Chinese text.
    pdf_path = path.replace("/json/", "/pdf/")
    status, pdf = client.call("GET", pdf_path, raw=True)
    assert status == 200 and pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "营业执照" in text and "威海一链科技有限公司" in text and app["uscc"] in text

    # The public page the QR code opens.
    with urllib.request.urlopen(f"{client.base}/verify/{app['uscc']}/", timeout=5) as page:
        assert "威海一链科技有限公司" in page.read().decode()

    # Offline verification with the command, against the demo's own key.
    license_file = tmp_path / "license.json"
    license_file.write_bytes(signed)
    ok = subprocess.run([YILIAN, "verify-license", str(license_file)], capture_output=True,
                        text=True, env={"YILIAN_DATA_DIR": str(data_dir), "PATH": "/usr/bin"})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    license_file.write_bytes(tampered)
    bad = subprocess.run([YILIAN, "verify-license", str(license_file)], capture_output=True,
                         text=True, env={"YILIAN_DATA_DIR": str(data_dir), "PATH": "/usr/bin"})
    assert bad.returncode == 1


def test_another_applicant_cannot_see_it(demo):
    client, _data_dir, _log = demo
    other = Client(client.base)
    status, body = other.call("POST", "/api/v1/auth/token/",
                              {"username": "demo-clerk", "password": "wrong"})
    assert status == 400 and body["errors"][0]["field"] == "password"
