"""Run the test suite on every database Yilian supports (the README's test command).

1. Always: the embedded default (SQLite, in-process worker).
2. Whenever PostgreSQL and Redis answer: the whole suite again on PostgreSQL, with the
   Celery-on-Redis tests enabled. With ``YILIAN_REQUIRE_SERVICES=1`` (CI) an unreachable
   server fails the run instead of skipping the production path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/yilian"
DEFAULT_BROKER = "redis://127.0.0.1:6379/15"


def reachable_postgres(url: str) -> str:
    try:
        import psycopg

        dsn = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("select 1")
        return ""
    except Exception as exc:
        return f"PostgreSQL at {url}: {exc}"


def reachable_redis(url: str) -> str:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        return ""
    except Exception as exc:
        return f"Redis at {url}: {exc}"


def ensure_browser() -> None:
    """The browser tests drive Debian's Chromium with a CJK font; install both where
    missing and permitted (root with apt), as CI does. Otherwise those tests fail and say
    what to install: they are never skipped."""
    import shutil

    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if os.path.exists("/usr/bin/chromium") and fonts.strip():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("browser tests need: apt-get install chromium fonts-noto-cjk", flush=True)
        return
    print("installing chromium and fonts-noto-cjk for the browser tests", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.call(["apt-get", "update", "-qq"], env=env)
    subprocess.call(["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"], env=env,
                    stdout=subprocess.DEVNULL)


def run(label: str, extra_env: dict[str, str], args: list[str]) -> int:
    env = {**os.environ, **extra_env, "YILIAN_DATA_DIR": tempfile.mkdtemp(prefix="yl-test-")}
    print(f"\n=== tests on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(args: list[str]) -> int:
    database = os.environ.get("YILIAN_TEST_DATABASE_URL", DEFAULT_DATABASE)
    broker = os.environ.get("YILIAN_TEST_BROKER_URL", DEFAULT_BROKER)
    required = os.environ.get("YILIAN_REQUIRE_SERVICES") == "1"

    ensure_browser()
    code = run("SQLite (embedded default)",
               {"YILIAN_DATABASE_URL": "", "YILIAN_TEST_BROKER_URL": ""}, args)
    problems = [p for p in (reachable_postgres(database), reachable_redis(broker)) if p]
    if problems:
        for problem in problems:
            print(f"not reachable: {problem}", flush=True)
        if required:
            print("YILIAN_REQUIRE_SERVICES=1: the production path must be tested", flush=True)
            return 1
        print("skipping the PostgreSQL + Redis run", flush=True)
        return code
    pg_env = {"YILIAN_DATABASE_URL": database, "YILIAN_TEST_BROKER_URL": broker}
    # The browser tests drive `yilian demo`, which is the embedded default by definition;
    # they ran above, so this run leaves them out.
    return run("PostgreSQL + Redis", pg_env, [*args, "-m", "not browser"]) or code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
