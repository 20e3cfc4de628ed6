"""Every host sees every other host's registrations and reservations: two processes,
each with its own data dir and its own name index loaded before anything happens, on
one PostgreSQL database. What one registers or reserves, the other refuses. And a
gunicorn host loads the index once, before forking its workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.processes import child_env, free_port, kill, start, wait_for

ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="hosts share a PostgreSQL database"),
]


class Host:
    def __init__(self, data_dir: Path) -> None:
        env = child_env(YILIAN_DATA_DIR=str(data_dir), YILIAN_BROKER_URL="",
                        DJANGO_SETTINGS_MODULE="yilian.settings")
        self.process = subprocess.Popen([sys.executable, "-m", "tests.names.host"], cwd=ROOT,
                                        env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def __call__(self, line: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def hosts(tmp_path):
    pair = [Host(tmp_path / "host-a"), Host(tmp_path / "host-b")]
    yield pair
    for host in pair:
        host.close()


def test_a_name_registered_or_reserved_on_one_host_is_refused_on_the_other(hosts):
    a, b = hosts
    assert a("warm")["names"] == b("warm")["names"]  # both indexes loaded before
    assert b("check 威海澜湾科技有限公司")["acceptable"]

    assert a("register 威海澜湾科技有限公司")["registered"]
    seen = b("check 威海澜湾科技有限公司")
    assert not seen["acceptable"] and seen["reserved"] == [False]
    assert not b("check 威海蓝湾科技有限公司")["acceptable"]  # its homophone too

    assert a("reserve alice 威海鸿屿信息技术有限公司")["reserved"]
    held = b("check 威海鸿屿信息技术有限公司")
    assert not held["acceptable"] and held["reserved"] == [True]
    assert not b("reserve bob 威海鸿屿信息技术有限公司")["reserved"]
    assert not b("reserve bob 威海宏宇信息技术有限公司")["reserved"]  # homophone, held


def test_gunicorn_loads_the_index_once_before_forking(tmp_path):
    log = tmp_path / "serve.log"
    port = free_port()
    web = start(["serve", "--port", str(port), "--workers", "2"],
                child_env(YILIAN_DATA_DIR=str(tmp_path / "host"), YILIAN_BROKER_URL=""), log)
    try:
        wait_for(lambda: log.read_text().count("name index inherited from the master") == 2,
                 timeout=120, what="both workers to start with the master's index")
        text = log.read_text()
        # Loaded once (in the master), not once per worker; the workers only catch up.
        assert text.count("name index ready") == 1, text
        wait_for(lambda: log.read_text().count("name index caught up") == 2, timeout=60,
                 what="both workers to catch up")
    finally:
        kill(web)
