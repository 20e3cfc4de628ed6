"""Many hosts (issue 11 part 3): two web nodes (`yilian serve`) and two workers (`yilian
worker`), each with a data dir of its own, behind haproxy (round robin), on one
PostgreSQL and one Redis, with the same keys given to all through the environment
(tests/e2e/cluster.py). Through the balancer, each request sent to the node where it
matters: a code texted through one node signs in through the other; a license signed by
a worker verifies and downloads on both nodes (the same PDF, rendered by each); a name
reserved through one node clashes through the other, and so does a name registered by a
worker; workers killed at random (SIGKILL) and started again while chains run — every
chain completes, each department acting once per step.

On failure the tail of every process's log (haproxy's access log included) is shown
beside the traceback (tests/e2e/conftest.py)."""

from __future__ import annotations

import json
import os
import random
import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from tests.e2e.cluster import NODE, NODES, Cluster, Visitor, haproxy_missing, sms_code
from tests.e2e.processes import (
    Client,
    assert_each_department_acted_once,
    free_port,
    wait_for,
)
from tests.e2e.test_production import EXAMPLE
from tests.notices.test_delivery import Provider
from yilian.chain.models import Chain, Step, StepStatus
from yilian.chain.services import start_chain
from yilian.departments.models import SimulatorSettings

BROKER = os.environ.get("YILIAN_TEST_BROKER_URL", "")
ON_POSTGRES = os.environ.get("YILIAN_DATABASE_URL", "").startswith("postgres")
PASSWORD = "s3cret-pass"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (BROKER and ON_POSTGRES),
                       reason="runs in the PostgreSQL + Redis suite"),
]


def worker_command() -> list[str]:
    """How every worker of the cluster is started, and started again after a kill.

    Every worker runs the sweeper, one at a time under its lease in the database
    (issue 11 part 2): it is what takes back the steps a killed worker held, and when
    the one killed held the lease, another takes it over."""
    return ["worker", "--concurrency", "2"]


@pytest.fixture(scope="module")
def sms():
    """The SMS provider the workers hand every text to: where the codes are read, as
    production shows them nowhere else."""
    provider = Provider(port=free_port())
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, django_db_setup, django_db_blocker, sms):
    missing = haproxy_missing()
    if missing:
        if os.environ.get("YILIAN_REQUIRE_SERVICES") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), BROKER, worker_command(),
                      YILIAN_SMS_URL=sms.url, YILIAN_SMS_KEY="k-multihost",
                      YILIAN_SWEEP_SECONDS="1", YILIAN_STEP_LEASE_SECONDS="3")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _agency(cluster: Cluster, username: str, node: str):
    """A new agency account, signed in (its API token) through ``node``."""
    get_user_model().objects.create_user(username, password=PASSWORD)
    client = cluster.client(node)
    client.login(username, PASSWORD)
    return client


def _example(**changes) -> dict:
    return {**json.loads(EXAMPLE.read_text(encoding="utf-8")), **changes}


def _confirm_parties(invite, confirm, app_id: str, sms) -> None:
    """Every party is sent a code through one node (``invite``) and confirms with it
    through the other (``confirm``)."""
    base = f"/api/v1/applications/{app_id}/parties/"
    status, parties = invite.call("GET", base)
    assert status == 200, parties
    sent = len(sms.sent)
    phones = {}
    for party in parties:
        status, invited = invite.call("POST", f"{base}{party['id']}/invite/")
        assert status == 200, invited
        phones[party["id"]] = invited["phone"]
    for party_id, phone in phones.items():
        code = sms_code(sms, phone, after=sent)
        status, done = confirm.call("POST", f"{base}{party_id}/confirm/", {"code": code})
        assert status == 200, done


def _sign_in_by_phone(cluster: Cluster, sms, phone: str, send: str, spend: str) -> Visitor:
    """A person asks for a code through node ``send`` and types it through ``spend``."""
    person = Visitor(cluster)
    sent = len(sms.sent)
    status, html, _ = person.page(send, "/accounts/login/phone/", {"phone": phone})
    assert status == 200 and 'name="code"' in html, html
    code = sms_code(sms, phone, after=sent)
    status, html, where = person.page(spend, "/accounts/login/phone/",
                                      {"phone": phone, "code": code})
    assert (status, where) == (200, "/me/"), html
    return person


def _name_errors(client, body: dict) -> list[dict]:
    """The name's errors when ``body`` is created and submitted through ``client``."""
    status, created = client.call("POST", "/api/v1/applications/", body)
    assert status == 201, created
    status, refused = client.call("POST", f"/api/v1/applications/{created['id']}/submit/")
    assert status == 400, refused
    return [e for e in refused["errors"] if e["field"] == "name"]


def test_the_balancer_takes_turns_between_the_nodes(cluster):
    plain = Client(cluster.url)

    def served(requests: int) -> list[str]:
        nodes = []
        for _ in range(requests):
            # Before haproxy's first checks pass it answers 503 itself: no node yet.
            status = plain.call("GET", "/healthz")[0]
            nodes.append(plain.answered.get(NODE) if status == 200 else None)
        return nodes

    # Both in the rotation once haproxy's own checks have passed...
    wait_for(lambda: set(served(2)) == {"a", "b"}, 30, interval=0.5,
             what="both nodes in the balancer's rotation")
    # ...then turn and turn about.
    assert served(4) in (["a", "b", "a", "b"], ["b", "a", "b", "a"])
    # Nothing on disk is shared: each node keeps its own name index snapshot, and its
    # own gunicorn control socket.
    for node in cluster.nodes.values():
        assert (node.data_dir / "names-index.bin").is_file(), node.name
        assert (node.data_dir / "gunicorn.ctl").is_socket(), node.name


def test_a_code_texted_through_one_node_signs_in_through_the_other(cluster, sms):
    person = _sign_in_by_phone(cluster, sms, "13900007001", send="a", spend="b")
    # The session made on b is good on a.
    status, html, where = person.page("a", "/me/")
    assert (status, where) == (200, "/me/"), html
    # A code is spent once, on every node: asked through b, spent through a, refused on b.
    stranger = Visitor(cluster)
    sent = len(sms.sent)
    stranger.page("b", "/accounts/login/phone/", {"phone": "13900007002"})
    code = sms_code(sms, "13900007002", after=sent)
    stranger.page("a", "/accounts/login/phone/", {"phone": "13900007002", "code": code})
    again = Visitor(cluster)
    status, html, where = again.page("b", "/accounts/login/phone/",
                                     {"phone": "13900007002", "code": code})
    assert (status, where) == (400, "/accounts/login/phone/"), html


def test_a_license_signed_by_a_worker_verifies_and_downloads_on_both_nodes(cluster, sms):
    a = _agency(cluster, "agency-license", "a")
    b = a.on("b")  # a token issued by one node is good on the other
    status, created = a.call("POST", "/api/v1/applications/", _example())
    assert status == 201, created
    _confirm_parties(a, b, created["id"], sms)
    assert b.call("POST", f"/api/v1/applications/{created['id']}/submit/")[0] == 202

    def completed():
        _, app = a.call("GET", f"/api/v1/applications/{created['id']}/")
        return app if app["status"] == "completed" else None

    app = wait_for(completed, 30, interval=0.1, what="the chain")
    uscc = app["uscc"]
    status, signed = a.call("GET", f"/api/v1/licenses/{uscc}/json/", raw=True)
    assert status == 200
    for node in (a, b):
        status, verdict = node.call("POST", "/api/v1/licenses/verify/", signed)
        assert (status, verdict["valid"]) == (200, True), (node.node, verdict)
        assert verdict["content"]["uscc"] == uscc
    # The page its QR code opens says so on either node.
    anyone = Visitor(cluster)
    for node in NODES:
        status, html, _ = anyone.page(node, f"/verify/{uscc}/")
        assert status == 200 and 'data-valid="true"' in html, (node, html)
    pdfs = [node.call("GET", f"/api/v1/licenses/{uscc}/pdf/", raw=True) for node in (a, b)]
    assert [status for status, _ in pdfs] == [200, 200]
    assert pdfs[0][1].startswith(b"%PDF") and pdfs[0][1] == pdfs[1][1]
    # Each node rendered it and keeps its copy (no shared disk), the same bytes.
    for node in cluster.nodes.values():
        kept = list((node.data_dir / "files").rglob("*.pdf"))
        assert [f.read_bytes() for f in kept] == [pdfs[0][1]], node.name
    # The name is registered now (by a worker): both nodes' name indexes refuse it.
    for node in (a, b):
        errors = _name_errors(node, _example())
        assert any(uscc in e["message_en"] for e in errors), (node.node, errors)


def test_a_name_reserved_through_one_node_clashes_through_the_other(cluster, sms):
    name = "威海鸿途科技有限公司"
    # Capital over CNY 100 million goes to an examiner (R-LARGE-CAPITAL): the application
    # waits in review, holding its name, and no chain registers it meanwhile.
    example = _example()
    body = _example(name=name, registered_capital="200000000.00", investors=[
        {**example["investors"][0], "amount": "120000000.00"},
        {**example["investors"][1], "amount": "80000000.00"}])
    a = _agency(cluster, "agency-first", "a")
    status, created = a.call("POST", "/api/v1/applications/", body)
    assert status == 201, created
    _confirm_parties(a.on("b"), a, created["id"], sms)
    assert a.call("POST", f"/api/v1/applications/{created['id']}/submit/")[0] == 202
    status, held = a.on("b").call("GET", f"/api/v1/applications/{created['id']}/")
    assert held["status"] == "in_review", held
    # Through the other node, the name cannot be submitted again (the same agency's
    # other applications count: no one holds two clashing names at once)...
    errors = _name_errors(a.on("b"), body)
    assert any("reserved" in e["message_en"] for e in errors), errors
    # ...and an applicant checking it as they type, through b, is told it is held.
    person = _sign_in_by_phone(cluster, sms, "13900007003", send="b", spend="a")
    query = urlencode({"name": name, "division_code": "371071", "org_form": body["org_form"]})
    status, html, _ = person.page("b", f"/me/check/name/?{query}")
    assert status == 200 and 'data-invalid="true"' in html and "他人保留中" in html, html


def _wake_workers(inbox) -> None:
    """Send the steps this process made ready (caught in ``inbox``) to the workers'
    broker, as a web node does after its commit (yilian.chain.dispatch.send): this test
    process has no broker of its own, and the sweeper is for what is lost, not for
    starting chains."""
    from celery import Celery

    broker = Celery("multihost-test", broker=BROKER)
    try:
        while (step_id := inbox.get(timeout=0)) is not None:
            broker.send_task("yilian.chain.tasks.run_step", (step_id,))
    finally:
        broker.close()


def test_workers_killed_at_random_every_chain_completes(cluster, inbox):
    seed = int(os.environ.get("YILIAN_TEST_SEED") or time.time_ns() % 10**6)
    rng = random.Random(seed)
    # Slow departments for this test only (every process reads it within a second): the
    # kills must land while steps are in flight.
    SimulatorSettings.objects.update_or_create(pk=1, defaults={"latency_ms": "100-300"})
    owner = factories.user()  # one: hashing a password per chain's owner costs seconds
    chains = [start_chain(factories.application(owner, employees=1)) for _ in range(10)]
    _wake_workers(inbox)
    unfinished = Chain.objects.filter(pk__in=[c.pk for c in chains], finished_at__isnull=True)
    wait_for(lambda: Step.objects.filter(status=StepStatus.DONE).exists(), 30,
             what="the first step done")
    kills, began = [], time.monotonic()
    while unfinished.exists() and len(kills) < 3:
        time.sleep(rng.uniform(0.3, 1.5))
        # A worker still starting holds nothing: kill one that is working.
        working = [w for w in cluster.workers if w.says("ready.")]
        if not working:
            continue
        victim = rng.choice(working)
        running = Step.objects.filter(status=StepStatus.RUNNING).count()
        victim.kill()
        kills.append(f"{victim.name} at {time.monotonic() - began:.1f} s "
                     f"(steps running: {running})")
        victim.start()
    print(f"seed {seed} (YILIAN_TEST_SEED): killed {', '.join(kills)}")
    assert kills, "every chain finished before the first kill"
    wait_for(lambda: not unfinished.exists(), 60, interval=0.2, what="every chain")
    print(f"every chain done at {time.monotonic() - began:.1f} s")
    steps = Step.objects.filter(chain__in=chains)
    assert steps.count() == 10 * 6
    assert steps.filter(attempts__gt=1).exists(), "no step of a killed worker was taken back"
    assert_each_department_acted_once(steps)
