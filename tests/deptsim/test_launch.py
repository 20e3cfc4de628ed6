"""``yilian demo --http-departments`` starts every reference department beside the demo
and points Yilian at them before its settings are read."""

import signal
import socket
import stat
import subprocess

from tests.deptsim.harness import YILIAN, DepartmentProcess, free_port, wait_for
from yilian.deptsim.app import PARENT_VARIABLE
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


def test_a_department_started_for_the_demo_goes_with_it(tmp_path):
    """Even when the demo is killed outright, its departments do not stay on the ports."""
    process = DepartmentProcess("tax", tmp_path / "tax")
    shell = subprocess.Popen(
        ["sh", "-c", f'{PARENT_VARIABLE}=$$ "{YILIAN}" department-sim tax --port '
                     f'{process.port} --data-dir "{process.data_dir}" & wait'],
        env=process.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening(process.port), 30, what="the department")
        shell.send_signal(signal.SIGKILL)
        shell.wait(timeout=5)
        wait_for(lambda: not _listening(process.port), 10, what="the department to stop")
    finally:
        shell.kill()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
