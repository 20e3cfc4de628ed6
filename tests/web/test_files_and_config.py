"""The data dir and what is in it are private to the account that runs Yilian, the
secret key is made atomically, and ``yilian config`` never prints a password."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from yilian import conf, files

YILIAN = str(Path(sys.executable).with_name("yilian"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_dir_is_0700_with_the_secret_key_0600(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "YILIAN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE":
           "yilian.settings"}
    env.pop("YILIAN_SECRET_KEY", None)
    env["YILIAN_DATABASE_URL"] = ""  # the embedded default makes its own key
    # Several processes start at once on a fresh data dir: one key, never half written.
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    runs = [subprocess.Popen([sys.executable, "-c", f"import django; django.setup(); {script}"],
                             env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    keys = {run.communicate(timeout=120)[0].strip() for run in runs}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert not [p for p in data.iterdir() if p.name.startswith(".secret_key")]  # no temp left


def test_a_data_dir_made_wider_is_narrowed(tmp_path, monkeypatch):
    data = tmp_path / "wide"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    monkeypatch.setenv("YILIAN_DATA_DIR", str(data))
    assert conf.data_dir() == data.resolve()
    assert _mode(data) == 0o700


def test_create_once_writes_one_file_whoever_races(tmp_path):
    target = tmp_path / "key"
    wins = []

    def write(i: int) -> None:
        wins.append(files.create_once(target, f"content-{i}".encode() * 1000))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1
    content = target.read_bytes()
    assert content == content[:len(content) // 1000] * 1000  # one writer's, whole
    assert _mode(target) == 0o600


@pytest.mark.django_db
def test_the_sqlite_database_is_0600():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database only")
    connection.ensure_connection()
    database = Path(connection.settings_dict["NAME"])
    assert _mode(database) == 0o600
    for suffix in ("-wal", "-shm"):
        sidecar = database.with_name(database.name + suffix)
        if sidecar.exists():
            assert _mode(sidecar) == 0o600


def test_make_private_narrows_an_existing_file(tmp_path):
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    files.make_private(path)
    assert _mode(path) == 0o600


# yilian config


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("YILIAN_DATABASE_URL", "postgres://yilian:s3cr%40t@db:5432/yilian",
     "postgres://yilian:***@db:5432/yilian"),
    ("YILIAN_DATABASE_URL", "postgres://yilian:p@ss@db/yilian", "postgres://yilian:***@db/yilian"),
    ("YILIAN_BROKER_URL", "redis://:hunter2@redis:6379/0", "redis://:***@redis:6379/0"),
    ("YILIAN_PUBLIC_URL", "https://yilian.example.gov.cn:8443/x@y",
     "https://yilian.example.gov.cn:8443/x@y"),
    ("YILIAN_DATABASE_URL", "postgres://yilian@db/yilian", "postgres://yilian@db/yilian"),
    ("YILIAN_SECRET_KEY", "abc", "***"),
])
def test_config_masks_passwords_in_urls(monkeypatch, name, value, shown):
    monkeypatch.setenv(name, value)
    text = conf.describe()
    assert f"{name}={shown}\n" in text
    for secret in ("s3cr", "p@ss", "hunter2", "=abc"):
        if secret in value or secret == "=abc" and name.endswith("SECRET_KEY"):
            assert secret not in text


def test_yilian_config_as_run(tmp_path):
    env = {**os.environ, "YILIAN_DATA_DIR": str(tmp_path),
           "YILIAN_DATABASE_URL": "postgres://u:topsecret@host/db"}
    result = subprocess.run([YILIAN, "config"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "YILIAN_DATABASE_URL=postgres://u:***@host/db" in result.stdout
    assert "topsecret" not in result.stdout


def test_making_an_open_database_private_keeps_its_locks(tmp_path):
    """Closing any descriptor of a file drops every POSIX lock the process holds on it —
    SQLite's included. make_private runs before each new connection, while other threads
    hold the database open: it must not open an existing file, or another process thinks
    it is alone and deletes the WAL under them (seen as "disk I/O error")."""
    import fcntl

    from yilian.files import make_private

    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"")
    holder = os.open(path, os.O_RDWR)
    try:
        fcntl.lockf(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        make_private(path)
        probe = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
                 "try:\n    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                 "except OSError:\n    sys.exit(3)\n")
        other = subprocess.run([sys.executable, "-c", probe, str(path)])
        assert other.returncode == 3, "the lock was dropped: another process took it"
    finally:
        os.close(holder)
