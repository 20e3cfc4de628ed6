"""One host for tests/names/test_hosts.py: a long-lived process with its own data dir and
name index, on the shared database. Reads one command a line from stdin and answers one
JSON line: ``warm``; ``check NAME``; ``reserve USER NAME``; ``register NAME``."""

from __future__ import annotations

import itertools
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from yilian.codes import uscc  # noqa: E402
from yilian.names import index, services  # noqa: E402
from yilian.registry.models import Enterprise  # noqa: E402

ZONE = "371071"
_serial = itertools.count(os.getpid() * 100)


def answer(command: str, argument: str) -> dict:
    if command == "warm":
        return {"names": len(services.warm_index(save=False)), "pid": os.getpid()}
    if command == "check":
        verdict = services.check_name(argument, ZONE)
        return {"acceptable": verdict.acceptable,
                "rules": [c.rule for c in verdict.conflicts],
                "reserved": [c.reserved for c in verdict.conflicts],
                "index_size": len(index.loaded() or [])}
    if command == "reserve":
        username, _, name = argument.partition(" ")
        user, _ = get_user_model().objects.get_or_create(username=username)
        try:
            services.reserve(name, ZONE, user)
        except services.NameUnavailable as refused:
            return {"reserved": False, "reason": str(refused)}
        return {"reserved": True}
    if command == "register":
        Enterprise.objects.create(uscc=uscc.make(ZONE, next(_serial)), name=argument,
                                  division_code=ZONE, established=timezone.localdate())
        return {"registered": True}
    return {"error": f"unknown command {command}"}


for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    print(json.dumps(answer(command, argument), ensure_ascii=False), flush=True)
