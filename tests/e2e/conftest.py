from tests.e2e.browser import browser, desktop, new_desktop, phone, site  # noqa: F401
