"""Work is dispatched only after the transaction that made it ready commits."""

from __future__ import annotations

import queue

import pytest
from django.db import transaction

from tests import factories
from yilian.chain import dispatch
from yilian.chain.services import start_chain


def _empty_inbox() -> list[int]:
    out = []
    while True:
        try:
            out.append(dispatch.inbox.get_nowait())
        except queue.Empty:
            return out


@pytest.mark.django_db(transaction=True)
def test_nothing_is_dispatched_before_commit_and_nothing_after_rollback(monkeypatch):
    monkeypatch.setattr(dispatch, "_embedded_active", True)
    _empty_inbox()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        start_chain(factories.application())
        raise Abort
    assert _empty_inbox() == []

    with transaction.atomic():
        chain = start_chain(factories.application())
        assert _empty_inbox() == []
    assert _empty_inbox() == [chain.steps.get(code="registration").pk]
