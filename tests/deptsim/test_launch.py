"""``yilian demo --http-departments`` starts every reference department beside the demo
and points Yilian at them before its settings are read."""

import stat

from tests.deptsim.harness import free_port
from yilian.deptsim.client import call
from yilian.deptsim.launch import start_all
from yilian.deptsim.service import CODES


def test_every_department_starts_answers_and_stops(tmp_path):
    environ = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "yilian.settings"}
    departments = start_all(tmp_path, free_port(), environ)
    try:
        assert set(departments.urls) == set(CODES) and "registration" not in CODES
        listed = dict(item.split("=", 1) for item in environ["YILIAN_DEPARTMENTS"].split(","))
        assert listed == departments.urls
        ports = [int(url.rsplit(":", 1)[1]) for url in departments.urls.values()]
        assert len(set(ports)) == len(CODES)
        for code, url in departments.urls.items():
            secret_file = tmp_path / "departments" / f"{code}.secret"
            assert environ[f"YILIAN_DEPARTMENT_{code.upper()}_SECRET_FILE"] == str(secret_file)
            assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
            assert call(url, code, secret_file.read_text(), "GET", "/v1/health")[0] == 200
            assert (tmp_path / "departments" / code / f"{code}.sqlite3").exists()
    finally:
        departments.stop()
    assert all(child.poll() is not None for child in departments.children)
