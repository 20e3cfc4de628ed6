"""Several hosts on one machine (多主机部署), for the multi-host test: web nodes and
workers, each with a data dir of its own (nothing on disk is shared, as between real
hosts), behind a real load balancer (Debian's haproxy) on loopback, sharing only what a
deployment of many hosts shares: PostgreSQL, Redis, the secret key and the signing key
(given to every process through the environment, the signing key as a mounted secret
file: ``YILIAN_SIGNING_KEY_FILE``).

A test sends a request to a chosen node through the balancer with the ``X-Yilian-Node``
header (haproxy's ``use-server``); the balancer names the node that served every answer
in the same header, and :class:`NodeClient` and :class:`Visitor` check that it is the one
asked for — so "signed on one, verified on the other" is what happened, not what the
round robin happened to do.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from tests.e2e.processes import Client, child_env, free_port, kill, start, wait_for

HAPROXY = "/usr/sbin/haproxy"
NODE = "X-Yilian-Node"  # asked of the balancer by a test, and said back by it
NODES = ("a", "b")


def haproxy_config(port: int, nodes: dict[str, int]) -> str:
    """A round-robin balancer on 127.0.0.1:``port`` over ``nodes`` (name → port), as a
    deployment's would be: readiness checks (``/readyz``), X-Forwarded-For, an access log
    on stderr; plus the test's routing by header."""
    chosen = "".join(f"    use-server {name} if {{ req.hdr({NODE}) -m str {name} }}\n"
                     for name in nodes)
    servers = "".join(f"    server {name} 127.0.0.1:{node_port} check\n"
                      for name, node_port in nodes.items())
    return (
        "global\n"
        "    log stderr format raw local0\n"
        "defaults\n"
        "    mode http\n"
        "    log global\n"
        "    option httplog\n"
        "    option forwardfor\n"
        "    timeout connect 2s\n"
        "    timeout client 30s\n"
        "    timeout server 30s\n"
        "    timeout check 10s\n"
        "frontend yilian\n"
        f"    bind 127.0.0.1:{port}\n"
        "    default_backend web\n"
        "backend web\n"
        "    balance roundrobin\n"
        "    option httpchk GET /readyz\n"
        "    default-server inter 1s fall 3 rise 1\n"
        f"{chosen}"
        # Sent where asked even while a health check is failing (a loaded machine): the
        # test, not the check, decides where a chosen request goes.
        f"    force-persist if {{ req.hdr({NODE}) -m found }}\n"
        f"    http-response set-header {NODE} %s\n"
        f"{servers}"
    )


@dataclass
class Host:
    """One process of the cluster: its ``yilian`` command, its environment (its own data
    dir among it) and its log; started again with the same three after a kill."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int = 0  # a web node's
    process: subprocess.Popen | None = None
    log_start: int = 0  # where this run's lines begin in the log

    @property
    def data_dir(self) -> Path:
        return Path(self.env["YILIAN_DATA_DIR"])

    def start(self) -> None:
        self.log_start = self.log.stat().st_size if self.log.exists() else 0
        self.process = start(self.args, self.env, self.log)

    def says(self, text: str) -> bool:
        """Whether this run of the process (since its last start) logged ``text``."""
        with self.log.open("rb") as log:
            log.seek(self.log_start)
            return text.encode() in log.read()

    def kill(self) -> None:
        if self.process is not None:
            kill(self.process)


class Cluster:
    """Two web nodes (``yilian serve``), workers (``worker_args``), haproxy in front.

    ``env`` is given to every process (the SMS provider, the simulators' latency …);
    the keys are made here, once, and given to all."""

    def __init__(self, root: Path, broker: str, worker_args: list[str], *,
                 workers: int = 2, web_workers: int = 1, **env: str) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        keys = root / "secrets"
        keys.mkdir(mode=0o700)
        (root / "static").mkdir()
        from yilian.licenses.keys import new_key_pem

        signing_key = keys / "signing_key.pem"
        signing_key.write_bytes(new_key_pem())
        signing_key.chmod(0o400)
        shared = {
            "YILIAN_BROKER_URL": broker,
            "YILIAN_SECRET_KEY": secrets.token_urlsafe(50),
            "YILIAN_SIGNING_KEY": "",  # the test run's own: not this deployment's
            "YILIAN_SIGNING_KEY_FILE": str(signing_key),
            "YILIAN_PUBLIC_URL": self.url,  # links in texts and QR codes: the balancer
            # Static files collected in advance, as the image does (and none read here):
            # not again into every node's data dir at each start.
            "YILIAN_STATIC_ROOT": str(root / "static"),
            **env,
        }
        self.nodes = {}
        for name in NODES:
            port = free_port()
            self.nodes[name] = self._host(
                name, ["serve", "--port", str(port), "--workers", str(web_workers)], shared)
            self.nodes[name].port = port
        self.workers = [self._host(f"worker-{i + 1}", worker_args, shared)
                        for i in range(workers)]
        self.balancer_log = root / "haproxy.log"
        self.balancer: subprocess.Popen | None = None

    def _host(self, name: str, args: list[str], shared: dict[str, str]) -> Host:
        data_dir = self.root / name
        data_dir.mkdir(mode=0o700)
        return Host(name, args, child_env(YILIAN_DATA_DIR=str(data_dir), **shared),
                    self.root / f"{name}.log")

    def start(self, timeout: float = 90) -> None:
        """Everything at once, then wait until each node answers directly and through
        the balancer."""
        for host in self.hosts():
            host.start()
        config = self.root / "haproxy.cfg"
        config.write_text(haproxy_config(self.port, {n: self.nodes[n].port for n in NODES}))
        self.balancer = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)], stdout=self.balancer_log.open("ab"),
            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for name in NODES:
                wait_for(lambda n=name: self._ready(n, direct=True), timeout, interval=0.2,
                         what=f"node {name} to be ready")
                wait_for(lambda n=name: self._ready(n), timeout, interval=0.2,
                         what=f"node {name} ready through the balancer")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.process_logs()}") from exc

    def _ready(self, node: str, direct: bool = False) -> bool:
        """``/readyz`` answers 200 from ``node`` (through the balancer unless ``direct``)."""
        client = Client(f"http://127.0.0.1:{self.nodes[node].port}") if direct \
            else Client(self.url, {NODE: node})
        try:
            status, _ = client.call("GET", "/readyz")
        except (OSError, ValueError):  # not listening yet; haproxy's own 503 page
            return False
        return status == 200 and (direct or client.answered.get(NODE) == node)

    def client(self, node: str) -> NodeClient:
        return NodeClient(self.url, node)

    def hosts(self) -> list[Host]:
        return [*self.nodes.values(), *self.workers]

    def stop(self) -> None:
        for host in self.hosts():
            host.kill()
        if self.balancer is not None:
            kill(self.balancer)

    def process_logs(self, lines: int = 60) -> str:
        """The tail of every process's log, the balancer's access log included."""
        parts = []
        for log in sorted(self.root.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"----- {log.name} (last {len(tail)} lines) -----\n"
                         + "\n".join(tail))
        return "\n".join(parts)


class NodeClient(Client):
    """The API through the balancer, every request sent to one node, checked to have been
    served by it."""

    def __init__(self, base: str, node: str, token: str = "") -> None:
        super().__init__(base, {NODE: node})
        self.node, self.token = node, token

    def call(self, method: str, path: str, body=None, raw: bool = False):
        answer = super().call(method, path, body, raw)
        served = self.answered.get(NODE)
        assert served == self.node, f"{method} {path} asked of node {self.node}, " \
                                    f"served by {served}"
        return answer

    def on(self, node: str) -> NodeClient:
        """The same account (its token) on another node."""
        return NodeClient(self.base, node, self.token)


class Visitor:
    """A person with a browser's cookie jar, reading pages through the balancer from a
    chosen node (checked, as :class:`NodeClient` does)."""

    def __init__(self, cluster: Cluster) -> None:
        self.base = cluster.url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()))

    def page(self, node: str, path: str, form: dict[str, str] | None = None
             ) -> tuple[int, str, str]:
        """``(status, html, final path)`` of a GET, or of a POST of ``form`` with the CSRF
        token of the page (``path``) read first; redirects followed, on the same node."""
        data = None
        if form is not None:
            _, html, _ = self.page(node, path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **form}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={NODE: node})
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        with contextlib.closing(response):
            served = response.headers.get(NODE)
            assert served == node, f"{path} asked of node {node}, served by {served}"
            return (response.status, response.read().decode(),
                    urllib.parse.urlsplit(response.url).path)


def sms_code(provider, phone: str, after: int = 0) -> str:
    """The code in the newest text the SMS provider was given for ``phone`` (or its masked
    form, 139****0001) among those after the first ``after`` it received: production
    shows codes nowhere but on the phone, and the workers deliver them."""
    head, tail = phone[:3], phone[-4:]

    def newest() -> str:
        texts = [m["text"] for m in list(provider.sent.values())[after:]
                 if m["to"][:3] == head and m["to"][-4:] == tail and "验证码" in m["text"]]
        return re.search(r"\d{6}", texts[-1]).group(0) if texts else ""

    return wait_for(newest, 30, interval=0.05, what=f"a code texted to {phone}")


def haproxy_missing() -> str:
    """Why the multi-host test cannot run here, or ``""``."""
    return "" if os.access(HAPROXY, os.X_OK) else f"{HAPROXY} (Debian's haproxy) is missing"
