"""The restore drill (恢复演练, docs/DEPLOY.md), performed for real on PostgreSQL.

Data as a running service leaves it: a chain completed under a signing key since retired
and one under the current key (two licenses, two keys), a chain stuck on a department in
an outage, a step claimed by a worker that was then killed, the audit trail with signed
checkpoints. ``pg_dump -Fc`` it; ``pg_restore`` into a NEW database; then, as an operator
would, on that database:

- ``yilian restore-check`` with a freshly made key (the signing key not restored): it fails,
  saying every genuine license would read as forged, and so does ``yilian verify-license``;
  with the current key but without the retired public key: it fails, naming that key;
- with the keys from the backup: it passes; ``yilian serve`` (its embedded worker) finishes
  the chains that were running, the old licenses verify over HTTP (the API and the page
  the QR code opens), and ``yilian audit verify`` passes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests import factories
from tests.e2e.processes import YILIAN, database_url, free_port, kill, start, wait_for
from tests.licenses.keypairs import key_id as _id
from tests.licenses.keypairs import pem as _pem
from tests.licenses.keypairs import public as _public
from yilian.audit.checkpoints import make_checkpoint
from yilian.chain import engine
from yilian.chain.models import Chain, StepStatus
from yilian.chain.services import start_chain
from yilian.departments import simconfig
from yilian.departments.models import SimulatorSettings
from yilian.licenses import signing
from yilian.licenses.models import License

ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL suite"),
]

# A worker that claims a step and dies before it can record anything (kill -9).
CLAIM_AND_DIE = (
    "import os, signal, sys, django; django.setup(); "
    "from yilian.chain import engine; "
    "assert engine.claim(int(sys.argv[1])) is not None; "
    "os.kill(os.getpid(), signal.SIGKILL)"
)


def _pg(*command: str, **env: str) -> subprocess.CompletedProcess:
    """A PostgreSQL client program against this test's server, as the operator runs it."""
    s = connection.settings_dict
    environment = {**os.environ, "PGHOST": s["HOST"] or "127.0.0.1",
                   "PGPORT": str(s["PORT"] or 5432), "PGUSER": s["USER"],
                   "PGPASSWORD": s.get("PASSWORD") or "", **env}
    done = subprocess.run(command, env=environment, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
    return done


def _env(tmp: Path, url: str, signing_key: str, public_keys: str = "", **extra) -> dict:
    """A host of the restored deployment: its own empty data dir, the database URL, the
    keys it was given, the embedded worker (no broker)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YILIAN_SIGNING")}
    env.update(YILIAN_DATA_DIR=str(tmp), YILIAN_DATABASE_URL=url, YILIAN_BROKER_URL="",
               YILIAN_SIGNING_KEY=signing_key, YILIAN_SIGNING_PUBLIC_KEYS=public_keys,
               YILIAN_SIM_OUTAGES="", YILIAN_LOG_FORMAT="text", **extra)
    return env


def _yilian(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([YILIAN, *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _make_what_a_running_service_leaves(retired: str, current: str, settings) -> dict:
    """Licenses, chains in every state, the audit trail; what the drill checks after."""
    settings.LICENSE_SIGNING_KEY = retired
    old = start_chain(factories.application())
    engine.drain()
    make_checkpoint()  # signed with the retired key
    settings.LICENSE_SIGNING_KEY = current
    settings.LICENSE_PUBLIC_KEYS = _public(retired)
    new = start_chain(factories.application())
    engine.drain()
    # A department down (an outage window, set as an operator would while Yilian runs).
    SimulatorSettings.objects.update_or_create(pk=1, defaults={"outages": "housing_fund@*"})
    simconfig.forget()  # this process reads it at once, not within the second
    outage = start_chain(factories.application())
    engine.drain()
    # A worker killed holding a claim: its lease runs out two seconds later.
    killed = start_chain(factories.application())
    step = killed.steps.get(code="registration")
    claimer = subprocess.run(
        [sys.executable, "-c", CLAIM_AND_DIE, str(step.pk)], timeout=120, check=False,
        capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "yilian.settings",
             "YILIAN_DATABASE_URL": database_url(), "YILIAN_SIGNING_KEY": current,
             "YILIAN_STEP_LEASE_SECONDS": "2"})
    assert claimer.returncode == -signal.SIGKILL, claimer.stderr
    make_checkpoint()  # signed with the current key

    for chain in (old, new):
        chain.refresh_from_db()
        assert chain.status == "completed"
    waiting = outage.steps.get(code="housing_fund")
    assert waiting.status == StepStatus.RETRYING and outage.steps.filter(
        status=StepStatus.DONE).count() == outage.steps.count() - 1
    step.refresh_from_db()
    assert step.status == StepStatus.RUNNING
    licenses = {lic.uscc: lic for lic in License.objects.all()}
    assert {lic.key_id for lic in licenses.values()} == {_id(retired), _id(current)}
    return {"licenses": {u: signing.canonical(lic.signed) for u, lic in licenses.items()},
            "running": [outage.application_id, killed.application_id],
            "chains": Chain.objects.count()}


@pytest.fixture
def restored(settings, tmp_path):
    """The backup made and restored into a new database: ``(URL, keys, what was left)``."""
    retired, current = _pem(), _pem()
    left = _make_what_a_running_service_leaves(retired, current, settings)
    dump = tmp_path / "yilian.dump"
    source = connection.settings_dict["NAME"]
    _pg("pg_dump", "-Fc", "--no-owner", "-f", str(dump), source)
    target = f"{source}_restored"
    _pg("dropdb", "--if-exists", target)
    _pg("createdb", target)
    _pg("pg_restore", "--exit-on-error", "--no-owner", "-d", target, str(dump))
    url = database_url().rsplit("/", 1)[0] + f"/{target}"
    yield url, retired, current, left
    _pg("dropdb", "--if-exists", "--force", target)


def _post(url: str, body: bytes) -> dict:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


def test_the_restore_drill(restored, tmp_path):
    url, retired, current, left = restored
    licenses = left["licenses"]
    a_license = tmp_path / "license.json"
    a_license.write_bytes(next(iter(licenses.values())))

    # 1. Restored without the signing keys, with a key made afresh: caught, and said.
    fresh = _env(tmp_path / "fresh", url, _pem())
    check = _yilian(fresh, "restore-check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "RESTORE CHECK FAILED" in check.stdout and "恢复检查未通过" in check.stdout
    assert f"key {_id(retired)} signed 1 license and 1 audit checkpoint, and is not " \
        "trusted" in check.stdout, check.stdout
    assert f"key {_id(current)} signed {len(licenses) - 1} licenses and 1 audit checkpoint" \
        in check.stdout
    assert "every genuine license signed by an untrusted key reads as forged" in check.stdout
    assert "都将被判定为伪造" in check.stdout
    offline = _yilian(fresh, "verify-license", str(a_license))
    assert offline.returncode == 1 and "unknown key" in offline.stdout

    # 2. The current key, but the retired key's public half left out: that key is named.
    partial = _yilian(_env(tmp_path / "partial", url, current), "restore-check")
    assert partial.returncode == 1, partial.stdout
    assert f"key {_id(retired)} signed 1 license and 1 audit checkpoint" in partial.stdout
    assert f"key {_id(current)} signed" not in partial.stdout

    # 3. The keys from the backup: the check passes, and Yilian runs on.
    env = _env(tmp_path / "host", url, current, _public(retired),
               YILIAN_STEP_LEASE_SECONDS="5", YILIAN_SWEEP_SECONDS="0.5",
               YILIAN_SWEEP_GRACE_SECONDS="1")
    check = _yilian(env, "restore-check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "RESTORE CHECK PASSED" in check.stdout
    n = len(licenses)  # the outage's chain was registered: three
    assert f"{n} licenses signed by 2 keys, every key trusted; {n} of {n} sampled verify" \
        in check.stdout, check.stdout
    assert "chains: 2 unfinished; 1 step claimed" in check.stdout
    # The outage ended while the service was down; the operator says so.
    assert _yilian(env, "simulate", "--reset").returncode == 0

    port = free_port()
    server = start(["serve", "--port", str(port), "--workers", "1"], env, tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get(base + "/healthz")[0] == 200, 120, interval=0.5,
                 what=f"yilian serve on the restored database ({tmp_path / 'serve.log'})")
        for uscc, document in licenses.items():
            verdict = _post(base + "/api/v1/licenses/verify/", document)
            assert (verdict["valid"], verdict["code"]) == (True, "valid"), verdict
            status, page = _get(f"{base}/verify/{uscc}/")
            assert status == 200 and 'data-valid="true"' in page

        def unfinished() -> int:
            done = _pg("psql", "-tA", "-d", url.rsplit("/", 1)[1], "-c",
                       "SELECT count(*) FROM chain_chain WHERE finished_at IS NULL")
            return int(done.stdout.strip())

        wait_for(lambda: unfinished() == 0, 120, interval=1,
                 what="the chains running at the backup to finish on the restored database")
    finally:
        kill(server)

    verified = _yilian(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout
    after = _yilian(env, "restore-check")
    assert after.returncode == 0, after.stdout
    # Both running chains finished: the killed worker's registration issued a license.
    assert f"{n + 1} licenses signed by 2 keys" in after.stdout, after.stdout
    assert "chains: 0 unfinished" in after.stdout and left["chains"] == 4
