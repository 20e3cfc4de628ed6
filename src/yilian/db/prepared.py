"""Cursors for the statements every chain step runs (预编译语句).

Django binds parameters on the client and never prepares statements, so PostgreSQL
parsed and planned each of a step's fifteen or so statements afresh, every step: a third
of its backends' CPU per chain (docs/BENCHMARKS.md, "The production chain on
PostgreSQL"). The engine's own SQL goes through :func:`cursor` instead: bound on the
server, and prepared once a connection has run it ``YILIAN_DATABASE_PREPARE_THRESHOLD``
times (the ORM's queries keep Django's cursors). Those statements must let PostgreSQL
infer each parameter's type; where it cannot (a value only selected), they cast it.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def cursor():
    """A cursor on the default connection, as ``connection.cursor()`` gives, bound on
    the server on PostgreSQL (the same cursor elsewhere)."""
    # The thread's connection looked up once: each attribute read through
    # django.db.connection looks it up again.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What Django's own cursor() does, with the server-binding class.
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return db._prepare_cursor(ServerBindingCursor(db.connection))
