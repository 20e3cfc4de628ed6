"""Department systems as separate processes, for tests that put the network between
Yilian and its departments (部门接口, docs/department-protocol.md).

Each department is one ``yilian department-sim`` process on a free loopback port with its
own data dir (its own SQLite ledger) and its own secret. A test can SIGKILL one and start
it again on the same port and data dir, change its faults while it runs, and read its
ledger the way ``yilian reconcile`` does: signed ``GET /v1/effects``.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path

import httpx

from tests.e2e.processes import YILIAN, free_port, kill, wait_for
from yilian.departments import protocol

# The chain's departments Yilian can reach over HTTP (registration is Yilian itself).
CHAIN = ("seals", "tax", "social_security", "medical_insurance", "housing_fund", "bank")


def secret_variable(code: str) -> str:
    return f"YILIAN_DEPARTMENT_{code.upper()}_SECRET"


class DepartmentSystem:
    """One department's reference system (部门参考系统), as its own process."""

    def __init__(self, code: str, root: Path, env: dict[str, str], *args: str) -> None:
        self.code = code
        self.port = free_port()
        self.secret = secrets.token_hex(16)
        self.data_dir = root / code
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = root / f"{code}.log"
        self.args = list(args)
        self.env = {**env, secret_variable(code): self.secret}
        self.proc: subprocess.Popen | None = None
        self.http = httpx.Client(base_url=self.url, timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        """Start the process without waiting for it (several start side by side)."""
        command = [YILIAN, "department-sim", self.code, "--port", str(self.port),
                   "--data-dir", str(self.data_dir), *self.args]
        self.proc = subprocess.Popen(command, env=self.env, stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_up(self, timeout: float = 60) -> None:
        wait_for(self.answers, timeout, interval=0.1,
                 what=f"department {self.code} to answer (log: {self.log})")

    def start(self) -> None:
        self.spawn()
        self.wait_up()

    def kill(self) -> None:
        """SIGKILL: no goodbye, whatever it was doing (a reply half sent, a callback due)."""
        if self.proc is not None:
            kill(self.proc)
            self.proc = None

    def restart(self) -> None:
        """Again on the same port and data dir: the same system after a crash."""
        self.kill()
        self.start()

    def signed(self, method: str, path: str, body: bytes = b"") -> httpx.Response:
        headers = protocol.signed_headers(self.secret, self.code, method, path, body)
        return self.http.request(method, path, content=body or None, headers=headers)

    def answers(self) -> bool:
        """Up: it answers its health endpoint at all (503 in an outage is an answer)."""
        try:
            return self.signed("GET", "/v1/health").status_code in (200, 503)
        except httpx.HTTPError:
            return False

    def set_faults(self, **faults) -> dict:
        """Change its fault settings while it runs (the reference system's admin
        endpoint, signed like every other request)."""
        body = json.dumps(faults).encode()
        response = self.signed("PUT", "/v1/admin/faults", body)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def effects(self) -> list[dict]:
        """Its whole ledger, oldest first, paged as ``yilian reconcile`` pages it."""
        found, cursor = [], ""
        while True:
            path = "/v1/effects?limit=1000" + (f"&after={cursor}" if cursor else "")
            response = self.signed("GET", path)
            assert response.status_code == 200, (response.status_code, response.text)
            page = response.json()
            found.extend(page["effects"])
            cursor = page.get("next")
            if not cursor:
                return found

    def close(self) -> None:
        self.kill()
        self.http.close()


class Departments(dict):
    """The departments of one test, by code; ``environment()`` is what Yilian needs to
    reach them (``YILIAN_DEPARTMENTS`` and each secret)."""

    def __init__(self, root: Path, env: dict[str, str], codes=CHAIN,
                 args: dict[str, tuple[str, ...]] | None = None) -> None:
        super().__init__()
        args = args or {}
        for code in codes:
            self[code] = DepartmentSystem(code, root, env, *args.get(code, ()))

    def start(self) -> Departments:
        for system in self.values():
            system.spawn()
        for system in self.values():
            system.wait_up()
        return self

    def environment(self) -> dict[str, str]:
        urls = ",".join(f"{code}={system.url}" for code, system in self.items())
        return {"YILIAN_DEPARTMENTS": urls,
                **{secret_variable(code): system.secret for code, system in self.items()}}

    def close(self) -> None:
        for system in self.values():
            system.close()
