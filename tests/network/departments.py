"""Department systems as separate processes, for tests that put the network between
Yilian and its departments (部门接口, docs/department-protocol.md).

Each department is one ``yilian department-sim`` process (the reference departments' own
test harness, tests/deptsim/harness.py) on a free loopback port with its own data dir
(its own SQLite ledger) and its own secret. A test can SIGKILL one and start it again on
the same port and data dir, change its faults while it runs, and read its ledger the way
``yilian reconcile`` does: signed ``GET /v1/effects``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.deptsim.harness import DepartmentProcess

# The chain's departments Yilian can reach over HTTP (registration is Yilian itself).
CHAIN = ("seals", "tax", "social_security", "medical_insurance", "housing_fund", "bank")


class DepartmentSystem(DepartmentProcess):
    """One department's reference system (部门参考系统), as its own process, which never
    sees Yilian's database, broker or data dir."""

    def __init__(self, code: str, root: Path, options: dict[str, str]) -> None:
        super().__init__(code, root / code, options)
        self.home = root / "departments-home"

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": "",
                "YILIAN_DATA_DIR": str(self.home)}

    def restart(self) -> None:
        """SIGKILL (no goodbye: a reply half sent, callbacks due) and start again on the
        same port and data dir — the same system after a crash."""
        self.kill()
        self.start()

    def set_faults(self, **faults: str) -> dict:
        """Change its faults while it runs (the reference system's signed admin
        endpoint; ``yilian department-sim-set`` does the same)."""
        status, answer = self.call("PUT", "/v1/admin/faults", faults)
        assert status == 200, (status, answer)
        return answer

    def effects(self) -> list[dict]:
        """Its whole ledger, oldest first, paged as ``yilian reconcile`` pages it."""
        found, cursor = [], ""
        while True:
            status, page = self.call(
                "GET", "/v1/effects?limit=1000" + (f"&after={cursor}" if cursor else ""))
            assert status == 200, (status, page)
            found.extend(page["effects"])
            cursor = page.get("next")
            if not cursor:
                return found


class Departments(dict):
    """The departments of one test, by code; ``environment()`` is what Yilian needs to
    reach them (``YILIAN_DEPARTMENTS`` and each secret)."""

    def __init__(self, root: Path, codes=CHAIN,
                 options: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__()
        for code in codes:
            self[code] = DepartmentSystem(code, root, (options or {}).get(code, {}))

    def start(self) -> Departments:
        """All at once: each takes a second or two to import and listen."""
        with ThreadPoolExecutor(len(self)) as pool:
            list(pool.map(DepartmentSystem.start, self.values()))
        return self

    def environment(self) -> dict[str, str]:
        urls = ",".join(f"{code}={system.base}" for code, system in self.items())
        return {"YILIAN_DEPARTMENTS": urls,
                **{f"YILIAN_DEPARTMENT_{code.upper()}_SECRET": system.secret
                   for code, system in self.items()}}

    def close(self) -> None:
        for system in self.values():
            system.kill()
            system.http.close()
