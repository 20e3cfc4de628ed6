"""Loading, in gunicorn's master before it forks, what every web worker would otherwise
load on its first requests.

Measured on a fresh process (2026-11-30): the first API request imported the URLconf with
every view and serializer (~450 ms of CPU), the first submission loaded pypinyin's
dictionaries (~600 ms) and built the URL resolver's reverse table (~180 ms) — about a
second per worker, five workers on two cores, in the first minute after every deployment.
Loaded once before the fork, the modules and tables are shared copy-on-write and each
worker starts warm. Nothing here touches the database: the name index, which does, is
loaded beside it (:func:`yilian.runner.load_name_index_before_fork`)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("yilian.web")


def before_fork() -> None:
    """Import and build what the first requests need; a failure only costs the warmth."""
    def web() -> None:
        from yilian.rules.engine import shipped_rules

        shipped_rules()

    _warm("before fork", web)


def chain_worker() -> None:
    """The same for a chain worker (``yilian worker``), before it takes its first
    message: its first chains imported the license's and the texts' modules (ReportLab's
    among them), built the reverse table for the texts' links and loaded pypinyin for the
    register's name check — 1.5 s of CPU a worker (py-spy, 2026-11-30), paid by the first
    few hundred chains after every start."""
    def chain() -> None:
        from yilian.departments import registry
        from yilian.forms import notice, parties  # noqa: F401  (the texts')
        from yilian.licenses import services  # noqa: F401  (issued by registration)

        registry.departments()

    _warm("for the chain", chain)


def _warm(what: str, more) -> None:
    from django.urls import get_resolver

    started = time.process_time()
    try:
        resolver = get_resolver()
        len(resolver.url_patterns)  # imports every view, serializer and form module
        len(resolver.reverse_dict)  # the reverse table every link (texts, QR codes) needs
        from pypinyin import lazy_pinyin

        lazy_pinyin("一链")  # the name checks' readings: pypinyin loads its tables lazily
        from yilian.refdata import kinds

        kinds.all_kinds()
        more()
    except Exception:
        log.exception("warming up %s failed; each process loads on first use", what)
        return
    log.info("warmed up %s in %.0f ms of CPU", what, (time.process_time() - started) * 1000)
