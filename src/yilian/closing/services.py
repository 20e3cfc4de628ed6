"""What happens to a closing application (注销) once it is accepted."""

from __future__ import annotations


def accepted(application, actor=None) -> None:
    """The closing was accepted: its chain starts (tax clearance first)."""
    from yilian.chain.services import start_chain

    start_chain(application, actor)


def needs_consent(application, party) -> bool:
    """Whether ``party`` must confirm the closing application."""
    return True
