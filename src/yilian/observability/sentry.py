"""Error reports to Sentry (错误上报) when ``YILIAN_SENTRY_DSN`` is set.

sentry-sdk is an optional extra (``pip install yilian[sentry]``): a deployment that does
not report errors carries no client. Personal data stays home — no request bodies, no
cookies, no user names (``send_default_pii`` off): applications hold ID numbers.
"""

from __future__ import annotations

import logging

log = logging.getLogger("yilian.sentry")


def init(dsn: str, environment: str = "") -> bool:
    """Start reporting; ``False`` (and a warning) when sentry-sdk is not installed."""
    try:
        import sentry_sdk
    except ImportError:
        log.warning("YILIAN_SENTRY_DSN is set but sentry-sdk is not installed "
                    "(pip install 'yilian[sentry]'); errors are not reported")
        return False
    from yilian import __version__

    sentry_sdk.init(dsn=dsn, environment=environment or None,
                    release=f"yilian@{__version__}", send_default_pii=False,
                    max_request_body_size="never", traces_sample_rate=0.0)
    return True


def tag(key: str, value: str) -> None:
    try:
        import sentry_sdk
    except ImportError:
        return
    sentry_sdk.set_tag(key, value)
