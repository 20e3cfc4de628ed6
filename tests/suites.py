"""Run the test suite on every database Yilian supports (the README's test command).

1. Always: the embedded default (SQLite, in-process worker), two test processes
   (pytest-xdist), then the browser tests one at a time.
2. Whenever PostgreSQL and Redis answer: the suite again on PostgreSQL, with the
   Celery-on-Redis tests enabled (all but the browser and OCR tests, which no database
   changes). With ``YILIAN_REQUIRE_SERVICES=1`` (CI) an unreachable
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


# What the browser tests, the PDF tests and the multi-host test (a real load balancer)
# need from Debian: a file or command that shows the package is there, and the package.
NEEDS = (
    ("/usr/bin/chromium", "chromium"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "fonts-droid-fallback"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
    ("pdftoppm", "poppler-utils"),
    ("tesseract", "tesseract-ocr"),
    ("/usr/share/tesseract-ocr/*/tessdata/eng.traineddata", "tesseract-ocr-eng"),
    ("/usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata", "tesseract-ocr-chi-sim"),
    ("/usr/sbin/haproxy", "haproxy"),
)


def ensure_packages() -> None:
    """The browser tests drive Debian's Chromium with a CJK font; the PDF tests render
    pages in given fonts and read them back with OCR. Install what is missing where
    permitted (root with apt), as CI does. Otherwise the browser tests fail and the OCR
    tests skip, each saying what to install."""
    import glob
    import shutil

    missing = [package for probe, package in NEEDS
               if not (glob.glob(probe) if "/" in probe else shutil.which(probe))]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"some tests need: apt-get install {' '.join(missing)}", flush=True)
        return
    print(f"installing {' '.join(missing)} for the browser and PDF tests", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.call(["apt-get", "update", "-qq"], env=env)
    subprocess.call(["apt-get", "install", "-y", "-qq", *missing], env=env,
                    stdout=subprocess.DEVNULL)


def run(label: str, extra_env: dict[str, str], args: list[str]) -> int:
    env = {**os.environ, **extra_env, "YILIAN_DATA_DIR": tempfile.mkdtemp(prefix="yl-test-")}
    print(f"\n=== tests on {label} ===", flush=True)
    # The slowest tests in the log, to keep the suite within its budget.
    code = subprocess.call([sys.executable, "-m", "pytest", "--durations=15", *args], env=env)
    # 5: nothing collected, e.g. `./run test tests/chain` has no browser test — not a failure.
    return 0 if code == 5 else code


def parallel(args: list[str]) -> list[str]:
    """Two test processes (pytest-xdist) unless the caller chose: the suite spends much of
    its time waiting on the processes, servers and OCR it starts, and CI has two cores.
    Each xdist worker has its own database, data dir and Redis database (settings_test)."""
    if "no:xdist" in args or any(a.startswith(("-n", "--numprocesses")) for a in args):
        return args
    return ["-n", os.environ.get("YILIAN_TEST_PROCESSES", "2"), *args]


def main(args: list[str]) -> int:
    database = os.environ.get("YILIAN_TEST_DATABASE_URL", DEFAULT_DATABASE)
    broker = os.environ.get("YILIAN_TEST_BROKER_URL", DEFAULT_BROKER)
    required = os.environ.get("YILIAN_REQUIRE_SERVICES") == "1"

    ensure_packages()
    sqlite = {"YILIAN_DATABASE_URL": "", "YILIAN_TEST_BROKER_URL": ""}
    code = run("SQLite (embedded default)", sqlite, [*parallel(args), "-m", "not browser"])
    # The browser tests drive `yilian demo`, which is the embedded default by definition;
    # one at a time: each starts its own demo and Chromium, which two at once would starve.
    code = run("SQLite, in the browser", sqlite, [*args, "-m", "browser"]) or code
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
    # The browser tests ran above; the OCR tests read rendered PDFs, which no database
    # changes, and are among the slowest: both are left out of this run.
    return run("PostgreSQL + Redis", pg_env,
               [*parallel(args), "-m", "not browser and not ocr"]) or code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
