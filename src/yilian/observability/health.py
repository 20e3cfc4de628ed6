"""Readiness (就绪检查): may this process be sent requests? Each part is checked for
real — a query, a broker round trip, the name index in memory, the signing key read —
and a failing part is named without details (probes are public; the reason is logged).
"""

from __future__ import annotations

import logging

from django.conf import settings

log = logging.getLogger("yilian.health")

BROKER_TIMEOUT_SECONDS = 2.0


def database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker() -> None:
    """A round trip to the broker (Redis: PING), within a couple of seconds."""
    url = settings.BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                      socket_timeout=BROKER_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
        return
    from kombu import Connection

    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1)


def name_index() -> None:
    """Loaded in this process (web processes warm it at start; until then a name check
    would wait, so the process is not ready)."""
    from yilian.names import index

    if index.loaded() is None:
        raise RuntimeError("name index not loaded yet")


def signing_key() -> None:
    from yilian.licenses import signing

    signing.private_key()


def checks() -> dict:
    """The parts this deployment has: the broker only when one is configured."""
    parts = {"database": database, "name_index": name_index, "signing_key": signing_key}
    if settings.BROKER_URL:
        parts["broker"] = broker
    return parts


def readiness() -> dict[str, str]:
    """Each part → ``"ok"`` or ``"failing"``."""
    result = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as exc:
            log.warning("not ready: %s: %s: %s", name, type(exc).__name__, exc)
            result[name] = "failing"
        else:
            result[name] = "ok"
    return result
