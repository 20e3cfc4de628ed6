"""A real browser for the UI tests: Debian's Chromium driven by Playwright.

One demo server (the README's ``yilian demo``, on its own data dir) serves every browser
test of a session; each test makes its own applicants and applications, so tests do not
depend on each other's order. Screenshots go to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.processes import Client, free_port, kill, start, wait_for

CHROMIUM = os.environ.get("YILIAN_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 860}}
PASSWORD = "yilian-demo"


def missing_browser() -> str:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if not fonts.strip():
        return "no CJK font: pages would show boxes (apt-get install fonts-noto-cjk)"
    return ""


class Site:
    """The running demo: its URL, its data dir, and helpers every flow needs."""

    def __init__(self, base: str, data_dir: Path) -> None:
        self.base = base
        self.data_dir = data_dir
        self.api = Client(base)

    def url(self, path: str) -> str:
        return self.base + path

    def sign_in(self, page, username: str, password: str = PASSWORD) -> None:
        page.goto(self.url("/accounts/login/"))
        page.get_by_label(re.compile("用户名|Username")).fill(username)
        page.get_by_label(re.compile("^密码$|^Password$")).fill(password)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()

    def latest_code(self, page, phone: str) -> str:
        """Read the newest code sent to ``phone`` from the demo outbox (as a person would)."""
        page.goto(self.url("/accounts/outbox/"))
        row = page.locator("#outbox tbody tr", has=page.locator("td.to", has_text=phone)).first
        return re.search(r"\d{6}", row.locator("td.body").inner_text()).group(0)

    def sign_in_by_phone(self, page, phone: str) -> None:
        page.goto(self.url("/accounts/login/phone/"))
        page.locator("#phone").fill(phone)
        page.locator("form button[type=submit]").click()
        page.locator("#code").wait_for()
        code = self.latest_code(page.context.new_page(), phone)
        page.locator("#code").fill(code)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser-demo")
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "YILIAN_DATA_DIR": str(data_dir), "HOME": str(data_dir),
           "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": ""}
    log = data_dir / "demo.log"
    proc = start(["demo", "--port", str(port), "--data-dir", str(data_dir)], env, log)
    running = Site(f"http://127.0.0.1:{port}", data_dir)
    try:
        wait_for(running.api.up, 90, interval=0.2, what=f"the demo to answer (log: {log})")
        yield running
    finally:
        kill(proc)


@pytest.fixture(scope="session")
def browser():
    problem = missing_browser()
    if problem:
        pytest.fail(f"browser tests need Debian's Chromium and a CJK font: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _page(browser, options: dict, language: str = "zh-CN"):
    context = browser.new_context(locale=language, accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def new_desktop(browser):
    """A factory of further desktop pages (a clerk beside an applicant, say)."""
    contexts = []

    def make():
        context, page = _page(browser, DESKTOP)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
