"""/healthz and /readyz (DESIGN.md §5): reachable by IP over plain HTTP, each part of
readiness checked for real, a failing one named."""

from __future__ import annotations

import os

import pytest
from django.test import override_settings

from yilian.names import index

pytestmark = pytest.mark.django_db

# What a kubelet sends: the pod's IP as the host, plain HTTP.
PROBE = {"HTTP_HOST": "10.244.3.17:8000"}
UNREACHABLE_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing answers


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["yilian.example.gov.cn"])
def test_probes_pass_the_https_redirect_and_the_host_check(client):
    index.get()
    alive = client.get("/healthz", **PROBE)
    assert alive.json() == {"status": "ok"}
    assert alive["Cache-Control"] == "no-store" and alive["X-Content-Type-Options"] == "nosniff"
    ready = client.get("/readyz", **PROBE)
    assert ready.status_code == 200, ready.content
    # The same server sends everyone else to HTTPS and refuses unknown hosts.
    assert client.get("/", HTTP_HOST="yilian.example.gov.cn").status_code == 301
    assert client.get("/", **PROBE).status_code == 400


def test_ready_names_each_part_and_fails_until_the_name_index_is_loaded(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["name_index"]
    assert body["checks"] == {"database": "ok", "name_index": "failing",
                              "signing_key": "ok"}
    index.get()
    assert client.get("/readyz").status_code == 200


def test_a_configured_signing_key_that_is_missing_is_not_ready(client, tmp_path):
    index.get()
    with override_settings(LICENSE_SIGNING_KEY=str(tmp_path / "absent.pem")):
        body = client.get("/readyz").json()
    assert body["failing"] == ["signing_key"]
    # Public: the reason stays in the log, no path or message is shown.
    assert "absent" not in str(body)


def test_an_unreachable_broker_is_not_ready(client):
    index.get()
    with override_settings(BROKER_URL=UNREACHABLE_BROKER):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("YILIAN_TEST_BROKER_URL"),
                    reason="needs YILIAN_TEST_BROKER_URL")
def test_a_reachable_broker_is_ready(client):
    index.get()
    with override_settings(BROKER_URL=os.environ["YILIAN_TEST_BROKER_URL"]):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_the_request_id_is_kept_when_sane_and_made_otherwise(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f2a.7")["X-Request-ID"] == "lb-4f2a.7"
    made = client.get("/healthz", HTTP_X_REQUEST_ID='x" forged=1')["X-Request-ID"]
    assert made != 'x" forged=1' and len(made) == 32
    assert client.get("/", HTTP_X_REQUEST_ID="abc")["X-Request-ID"] == "abc"
