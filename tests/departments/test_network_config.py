"""YILIAN_DEPARTMENTS and the departments' secrets: read strictly, and a bad entry stops
Yilian at start (a real `yilian manage check` process)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tests.departments.peer import Peer, Reply, reached_over_http
from yilian import conf
from yilian.departments import network, queries, registry
from yilian.departments.remote import RemoteDepartment, RemoteQuery


def test_a_list_of_departments_is_read():
    assert network.parse_urls(" tax=http://127.0.0.1:9101 , seals=https://seals.example/"
                              "api/,identity=http://[::1]:9108") == {
        "tax": "http://127.0.0.1:9101", "seals": "https://seals.example/api",
        "identity": "http://[::1]:9108"}
    assert network.parse_urls("") == {}


@pytest.mark.parametrize("text,says", [
    ("tax", "not code=url"),
    ("tax=", "not code=url"),
    ("=http://x", "not code=url"),
    ("customs=http://127.0.0.1:1", "unknown department 'customs'"),
    ("registration=http://127.0.0.1:1", "registration cannot be reached over HTTP"),
    ("tax=ftp://127.0.0.1", "not an http(s) URL"),
    ("tax=127.0.0.1:9101", "not an http(s) URL"),
    ("tax=http://", "not an http(s) URL"),
    ("tax=http://u:p@127.0.0.1:1", "not an http(s) URL"),
    ("tax=http://127.0.0.1:1/?x=1", "not an http(s) URL"),
    ("tax=http://127.0.0.1:99999", "tax="),
    ("tax=http://a:1,tax=http://b:1", "listed twice"),
])
def test_a_bad_entry_is_refused_with_a_clear_message(text, says):
    with pytest.raises(ImproperlyConfigured, match=says.replace("(", r"\(").replace(")", r"\)")):
        network.parse_urls(text)


def test_a_listed_department_needs_a_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET", raising=False)
    monkeypatch.delenv("YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET"):
        network.read_secrets(["social_security"])
    secret = tmp_path / "ss.secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET_FILE", str(secret))
    assert network.read_secrets(["social_security"]) == {"social_security": "from-a-file"}
    monkeypatch.setenv("YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET", "direct")
    assert network.read_secrets(["social_security"]) == {"social_security": "direct"}
    monkeypatch.delenv("YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET")
    monkeypatch.setenv("YILIAN_DEPARTMENT_SOCIAL_SECURITY_SECRET_FILE", str(tmp_path / "no"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        network.read_secrets(["social_security"])


def test_the_secret_family_is_declared_and_masked(monkeypatch):
    assert conf.declared("YILIAN_DEPARTMENT_TAX_SECRET").secret
    assert conf.declared("YILIAN_DEPARTMENT_HOUSING_FUND_SECRET_FILE")
    with pytest.raises(KeyError):
        conf.declared("YILIAN_DEPARTMENT_tax_SECRET")
    monkeypatch.setenv("YILIAN_DEPARTMENT_TAX_SECRET", "hunter2")
    table = conf.describe()
    assert "YILIAN_DEPARTMENT_TAX_SECRET=***" in table and "hunter2" not in table
    assert "YILIAN_DEPARTMENTS=" in table and "YILIAN_DEPARTMENT_POLL_GRACE_SECONDS" in table


def test_listed_codes_get_remote_adapters_that_keep_their_own_file():
    urls = {"seals": "http://127.0.0.1:9", "identity": "http://127.0.0.1:9"}
    secrets = {"seals": "a", "identity": "b"}
    registry.departments.cache_clear()
    queries.get.cache_clear()
    try:
        with override_settings(DEPARTMENT_URLS=urls, DEPARTMENT_SECRETS=secrets):
            seals = registry.get("seals")
            assert isinstance(seals, RemoteDepartment)
            assert (seals.code, seals.name_en, seals.after) == ("seals", "Seals",
                                                                ("registration",))
            assert type(seals.local).__name__ == "SealStep"
            assert seals.client.base_url == "http://127.0.0.1:9" and seals.client.secret == "a"
            assert not isinstance(registry.get("tax"), RemoteDepartment)
            assert isinstance(queries.get("identity"), RemoteQuery)
            assert not isinstance(queries.get("permits"), RemoteQuery)
    finally:
        registry.departments.cache_clear()
        queries.get.cache_clear()


def _start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("YILIAN_DEPARTMENT") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "yilian.cli", "manage", "check"],
                          env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_yilian_refuses_to_start_without_a_secret_and_starts_with_one(tmp_path):
    env = {"YILIAN_DATA_DIR": str(tmp_path), "YILIAN_DEPARTMENTS": "tax=http://127.0.0.1:9"}
    refused = _start(**env)
    assert refused.returncode != 0
    assert "YILIAN_DEPARTMENT_TAX_SECRET" in refused.stderr
    started = _start(**env, YILIAN_DEPARTMENT_TAX_SECRET="s")
    assert started.returncode == 0, started.stderr


def test_remote_adapters_ask_over_http():
    def script(seen):
        if seen.path == "/v1/queries/identity":
            return Reply(200, {"ok": True, "reason": "match", "data": {}})
        if seen.path == "/v1/health":
            return Reply(200, {"status": "ok"})
        return Reply(200, {"effects": [{"key": "k", "reference": "R", "status": "done",
                                        "created_at": "t", "calls": 1}], "next": None})

    with Peer(script) as identity, Peer(script) as tax, \
            reached_over_http({"identity": identity, "tax": tax}):
        answer = queries.get("identity").ask({"name": "张伟"})
        assert (answer.ok, answer.reason) == (True, "match")
        assert registry.get("tax").health() is True
        assert [e["key"] for e in registry.get("tax").effects()] == ["k"]
    assert all(s.signature_ok for s in identity.seen + tax.seen)
    assert {s.headers["X-Yilian-Department"] for s in tax.seen} == {"tax"}
