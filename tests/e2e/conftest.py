import pytest

from tests.e2e.browser import browser, desktop, new_desktop, phone, site  # noqa: F401


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test shows the logs of the processes it ran beside its traceback: those of
    any fixture with a ``process_logs()`` method (tests.e2e.cluster.Cluster)."""
    report = yield
    if report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if callable(getattr(value, "process_logs", None)):
                report.sections.append((f"logs of {name}", value.process_logs()))
    return report
