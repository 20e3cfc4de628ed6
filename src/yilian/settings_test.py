"""Settings for the test suite: the real settings, with a throwaway data dir and
zero-latency simulators unless the environment says otherwise.

pytest-django imports the settings before any conftest runs, so the environment has to
be fixed here rather than in tests/conftest.py.
"""

import os
import secrets
import tempfile

os.environ.setdefault("YILIAN_DATA_DIR", tempfile.mkdtemp(prefix="yilian-test-"))

# Under pytest-xdist (tests/suites.py runs `-n 2`) each worker process gets its own data dir
# (SQLite file, stored files, name index) and its own Redis database: the test database
# itself is already per worker (pytest-django's test_<name>_gw0 …). Set in the environment,
# so every process a test starts inherits the same.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and not os.environ.get("YILIAN_TEST_XDIST_SPLIT"):
    os.environ["YILIAN_TEST_XDIST_SPLIT"] = _worker
    _index = int(_worker[2:])
    _data = os.path.join(os.environ["YILIAN_DATA_DIR"], _worker)
    os.makedirs(_data, exist_ok=True)
    os.environ["YILIAN_DATA_DIR"] = _data
    _broker = os.environ.get("YILIAN_TEST_BROKER_URL", "")
    if _broker:
        _base, _, _db = _broker.rpartition("/")
        # Counting down from the given database: 15, 14 … (Redis has 16 by default).
        os.environ["YILIAN_TEST_BROKER_URL"] = f"{_base}/{(int(_db or 0) - _index) % 16}"
os.environ.setdefault("YILIAN_SIM_LATENCY_MS", "0")
os.environ.setdefault("YILIAN_SIM_FAILURE_RATE", "0")
# A simplified closing's notice period: none, unless a test sets one and moves past it.
os.environ.setdefault("YILIAN_CLOSING_NOTICE_DAYS", "0")
# Staff sign in by password alone in tests unless a test turns the second factor on
# (tests/accounts/test_otp.py does, with real codes).
os.environ.setdefault("YILIAN_STAFF_OTP", "0")
# Pages render in the test process with nothing collected; the hashed names are tested
# by starting `yilian serve` with YILIAN_STATIC_MANIFEST=1 (tests/observability).
os.environ.setdefault("YILIAN_STATIC_MANIFEST", "0")

if os.environ.get("YILIAN_DATABASE_URL"):
    # A shared database needs the shared keys (yilian.production): one pair for the run,
    # in the environment so that every process a test starts uses the same.
    from yilian.licenses.keys import new_key_pem

    os.environ.setdefault("YILIAN_SECRET_KEY", secrets.token_urlsafe(50))
    if not (os.environ.get("YILIAN_SIGNING_KEY") or os.environ.get("YILIAN_SIGNING_KEY_FILE")):
        os.environ["YILIAN_SIGNING_KEY"] = new_key_pem().decode()

from yilian.settings import *  # noqa: E402,F403

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # Django empties the tables with TRUNCATE after each transactional test; the audit
    # tables refuse TRUNCATE unless the session allows it (audit migration 0004).
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c yilian.allow_audit_truncate=on"
