"""Processes: the embedded worker (threads beside the web server), the web server
(gunicorn) and the production worker (Celery).

The embedded worker runs the same :func:`yilian.chain.engine.advance` as Celery; it reads
step ids from an in-process inbox and a sweeper thread refills the inbox with every step
that is ready or abandoned, so nothing depends on a message being delivered. Every
process with a worker runs the sweeper; one at a time, the lease holder, does its work
(:mod:`yilian.chain.sweeper`).
"""

from __future__ import annotations

import logging
import os

from django.conf import settings

from yilian import warmup
from yilian.chain import dispatch, engine
from yilian.chain.sweeper import Sweeper
from yilian.chain.workers import InboxThreads
from yilian.observability import metrics
from yilian.observability.logs import gunicorn_logger_class

log = logging.getLogger("yilian.runner")

#: Threads per web process (gunicorn's gthread workers): docs/DECISIONS.md.
WEB_THREADS = 8


class EmbeddedWorker:
    """Threads running steps from the in-process inbox, and the sweeper (under its lease,
    like every worker's: :mod:`yilian.chain.sweeper`)."""

    def __init__(self, threads: int, sweep_seconds: float) -> None:
        self.threads = InboxThreads(threads)
        self.sweeper = Sweeper(every=sweep_seconds)

    @property
    def sweep_seconds(self) -> float:
        return self.sweeper.every

    def start(self) -> None:
        dispatch.activate_embedded()
        # Whatever was left ready (by a stopped process, or before we started) goes first.
        dispatch.send(engine.ready_step_ids(limit=100_000))
        self.threads.start()
        self.sweeper.start()
        log.info("embedded worker: %d threads, sweep every %ss", self.threads.count,
                 self.sweep_seconds)

    def stop(self) -> None:
        self.threads.stop(timeout=5)
        self.sweeper.stop()


def _gunicorn(host: str, port: int, workers: int, embedded: bool, on_ready=None,
             threads: int = 0) -> int:
    from gunicorn.app.base import BaseApplication

    from yilian.wsgi import application

    def post_worker_init(worker) -> None:
        # The index came with the fork (load_name_index_before_fork); catching it up with
        # what was registered since runs beside serving (a check that comes first waits).
        from yilian.names import index
        from yilian.names.services import warm_in_background

        inherited = index.loaded()
        if inherited is not None:
            log.info("name index inherited from the master: %d names", len(inherited))
        warm_in_background()
        if embedded:
            EmbeddedWorker(settings.EMBEDDED_WORKERS, settings.SWEEP_SECONDS).start()

    def when_ready(server) -> None:
        if on_ready:
            on_ready()

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads or WEB_THREADS,
        "post_worker_init": post_worker_init,
        "child_exit": lambda server, worker: metrics.worker_exited(worker.pid),
        # gunicorn's own lines (start, workers booted, timeouts) in the same JSON lines.
        "logger_class": gunicorn_logger_class() if settings.LOG_JSON else None,
        "when_ready": when_ready,
        "accesslog": "-" if settings.DEBUG else None,
        "timeout": 60,
        # gunicornc's socket beside this instance's other state: gunicorn's default is one
        # path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), so each server
        # started on a machine took it from the one before, and the first to stop deleted
        # it under the others.
        "control_socket": str(settings.DATA_DIR / "gunicorn.ctl"),
    }

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self):
            return application

    warmup.before_fork()
    load_name_index_before_fork()
    Server().run()
    return 0


def load_name_index_before_fork() -> None:
    """Load the name index (名称比对索引) once per host, in gunicorn's master, so that every
    worker forked from it starts with it: its arrays are shared copy-on-write (the pages
    a worker does not change stay one copy in memory), and no worker reads the snapshot
    or the register again. Each worker then only catches up (by id, from the database,
    which stays the truth: registrations and reservations made on any host are seen)."""
    from django.db import connections

    from yilian.names.services import warm_index

    try:
        warm_index()
    except Exception:  # each worker builds it on first check instead; say why
        log.exception("name index: loading before fork failed")
    finally:
        connections.close_all()  # a connection must not be shared across the fork


def _collectstatic() -> None:
    if settings.STATIC_COLLECTED:
        return  # collected when the image was built, into a folder this user can't write
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def run_server(host: str, port: int, workers: int = 0, threads: int = 0) -> int:
    """``yilian serve``: gunicorn; on the embedded database one process with the
    embedded worker (SQLite has one writer), else ``workers`` processes, each of
    ``threads`` threads (:data:`WEB_THREADS` by default)."""
    _collectstatic()
    embedded = settings.EMBEDDED_WORKER
    if settings.EMBEDDED_DATABASE:
        workers = 1
    workers = workers or (2 * (os.cpu_count() or 1) + 1)
    return _gunicorn(host, port, workers, embedded, threads=threads)


def run_demo(host: str, port: int) -> int:
    """``yilian demo``: demo data and accounts, then web + embedded worker."""
    from yilian.accounts.demo import seed_demo

    lines = seed_demo()
    _collectstatic()

    def announce() -> None:
        print(f"\nYilian (一链) demo is running at http://{host}:{port}/", flush=True)
        print(f"Applicants sign in by phone; the demo's text messages (codes) are at "
              f"http://{host}:{port}/accounts/outbox/", flush=True)
        print(f"Staff sign in at http://{host}:{port}/accounts/login/", flush=True)
        print(f"API: http://{host}:{port}/api/v1/  ·  schema: /api/v1/schema/", flush=True)
        for line in lines:
            print(line, flush=True)
        print(f"Data dir: {settings.DATA_DIR}   (Ctrl-C stops)\n", flush=True)

    return _gunicorn(host, port, 1, settings.EMBEDDED_WORKER, on_ready=announce)


def run_worker(concurrency: int, beat: bool = False, pool: str = "threads") -> int:
    """``yilian worker``: a Celery worker. Each one runs the sweeper in a thread of its
    main process (:class:`yilian.celery.SweeperStep`); ``--beat`` is still accepted and
    changes nothing — a Celery beat beside it would only send the same work twice."""
    if settings.EMBEDDED_WORKER:
        raise SystemExit("yilian worker needs YILIAN_BROKER_URL (redis://...); without it "
                         "`yilian serve` runs the embedded worker")
    # Celery runs Django's system checks as a worker starts, and they import the URLconf
    # and every view (a third of a worker's start, and memory kept for nothing): the web
    # process needs them (`yilian manage migrate` runs them, `yilian manage check`); a
    # worker runs no view.
    os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
    from yilian.celery import app

    if beat:
        log.info("--beat is no longer needed: every worker runs the sweeper, one at a "
                 "time (the lease holder) does its work")
    warmup.chain_worker()  # before the pool, which a prefork pool forks with it
    argv = ["worker", f"--concurrency={concurrency}", f"--pool={pool}", "--loglevel=INFO",
            "--without-gossip", "--without-mingle"]
    app.worker_main(argv)
    return 0
