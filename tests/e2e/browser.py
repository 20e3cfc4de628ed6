"""A real browser for the UI tests: Debian's Chromium driven by Playwright.

One demo server (the README's ``yilian demo``, on its own data dir) serves every browser
test of a session; each test makes its own applicants and applications, so tests do not
depend on each other's order. Screenshots go to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import random
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
        row = page.locator("#outbox tbody tr[data-kind=code]",
                           has=page.locator("td.to", has_text=phone)).first
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


def fresh_people(data: dict) -> dict:
    """The example with each of its people replaced by a person of the identity
    simulator's synthetic population nobody else used this run — same roles, same
    person in several roles — so flows that text the parties never share a number's
    daily allowance with one another (nor with the README's walk-through)."""
    from yilian.departments import identity

    taken: dict[str, identity.Resident] = {}
    def swap(number: str) -> identity.Resident:
        if number not in taken:
            taken[number] = identity.synthetic(random.randrange(3_000_000))
        return taken[number]

    for row in [*data["investors"], *data["people"]]:
        person = swap(row["id_number"])
        row.update(name=person.name, id_number=person.id_number, phone=person.phone)
    return data


def confirm_on_their_phones(site, page, browser, options: dict) -> None:
    """On the parties page: send each party their code, and each confirms on their own
    phone (a fresh browser, not signed in) with the link and the code from the outbox."""
    page.reload()
    while page.locator(".party button[value^='invite:']").count():
        row = page.locator(".party", has=page.locator("button[value^='invite:']")).first
        with page.expect_navigation():
            row.locator("button[value^='invite:']").click()
        link = page.locator(".party a.party-link").first.get_attribute("href")
        path = re.search(r"/me/confirm/[^/]+/", link).group(0)
        context = browser.new_context(locale="zh-CN", **options)
        try:
            other = context.new_page()
            other.goto(site.url(path))
            phone = other.locator("label[for=code]").inner_text()
            masked = re.search(r"\d{3}\*{4}\d{4}", phone).group(0)
            code = site.api.demo_code(masked)
            other.locator("#code").fill(code)
            with other.expect_navigation():
                other.get_by_role("button", name="确认", exact=True).click()
            assert other.locator("#state").inner_text() == "已确认"
        finally:
            context.close()
        page.reload()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser-demo")
    port = free_port()
    # Every browser and API client of the session is one address and mostly one
    # account (demo-applicant), like a service hall behind one NAT: the text-message
    # limits are tested on their own (tests/forms/test_invitation_limits.py).
    env = {"PATH": "/usr/bin:/bin", "YILIAN_DATA_DIR": str(data_dir), "HOME": str(data_dir),
           "YILIAN_DATABASE_URL": "", "YILIAN_BROKER_URL": "",
           "YILIAN_CODES_PER_CLIENT": "1000", "YILIAN_CODES_PER_ACCOUNT": "1000",
           # Kinds whose every part is not in yet, opened for their browser tests
           # (tests/e2e/test_kinds_flow.py); the shipped catalogue keeps them closed.
           "YILIAN_KINDS_OPEN": "individual_business,partnership_general"}
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


class Keystrokes:
    """Counts the characters a test types into one page: every ``fill``,
    ``press_sequentially`` and ``type`` of a locator, page or keyboard aimed at it, by
    field. A date input (``type="date"``) is a picker on a phone — a person taps a day,
    the test can only ``fill`` it — so its value is noted as picked, not typed.
    ``paused()`` leaves out a test's own probes (a deliberate mistake, say)."""

    def __init__(self, page) -> None:
        self.page = page
        self.typed: list[tuple[str, str]] = []
        self.picked: list[tuple[str, str]] = []
        self.counting = False

    @property
    def total(self) -> int:
        return sum(len(text) for _, text in self.typed)

    def by_field(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for where, text in self.typed:
            counts[where] = counts.get(where, 0) + len(text)
        return counts

    def _note(self, page, where: str, text: str) -> None:
        if self.counting and page is self.page and text:
            self.typed.append((where, text))

    def install(self, monkeypatch) -> Keystrokes:
        from playwright.sync_api import Keyboard, Locator, Page

        for name in ("fill", "press_sequentially", "type"):
            monkeypatch.setattr(Locator, name, self._on_locator(getattr(Locator, name)))
            if hasattr(Page, name):
                monkeypatch.setattr(Page, name, self._on_page(getattr(Page, name)))

        counter = self

        def on_keyboard(keyboard, text, *args, _original=Keyboard.type, **kwargs):
            if counter.counting and keyboard is counter.page.keyboard:
                counter.typed.append(("keyboard", text))
            return _original(keyboard, text, *args, **kwargs)

        monkeypatch.setattr(Keyboard, "type", on_keyboard)
        return self

    def _on_locator(self, original):
        def on_locator(loc, text, *args, **kwargs):
            where = re.search(r"selector='([^']*)'", str(loc))
            where = where.group(1) if where else str(loc)
            if self.counting and loc.page is self.page and loc.get_attribute("type") == "date":
                self.picked.append((where, text))
            else:
                self._note(loc.page, where, text)
            return original(loc, text, *args, **kwargs)
        return on_locator

    def _on_page(self, original):
        def on_page(page, selector, text, *args, **kwargs):
            self._note(page, selector, text)
            return original(page, selector, text, *args, **kwargs)
        return on_page

    def paused(self):
        import contextlib

        @contextlib.contextmanager
        def pause():
            was, self.counting = self.counting, False
            try:
                yield
            finally:
                self.counting = was
        return pause()


def pick_street(page, street: str) -> None:
    """Pick a street in the place picker and wait until the domicile's prefix says it."""
    pick_place(page, "street", street, "s => document.querySelector("
               "'#domicile-prefix-text').textContent.endsWith(s)", street)


def pick_county(page, county: str, code: str) -> None:
    """Pick a district or zone and wait until the derived code is ``code``."""
    pick_place(page, "county", county, "c => document.querySelector('#division-code')"
               ".textContent.trim() === c", code)


def pick_place(page, level: str, label: str, follows: str, arg: str, tries: int = 3) -> None:
    """Choose ``label`` in the picker's ``level`` and wait until ``follows(arg)`` holds.

    A picker that htmx has just swapped in is not wired for its first moments (htmx binds
    its handlers as the swap settles); a test, unlike a person, can choose in that window
    and the choice then asks nothing. So the choice is made again when the page does not
    follow it within a few seconds."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries - 1):
        page.locator(f"#division-{level}").select_option(label=label)
        try:
            page.wait_for_function(follows, arg=arg, timeout=5000)
            return
        except PlaywrightTimeout:
            continue
    page.locator(f"#division-{level}").select_option(label=label)
    page.wait_for_function(follows, arg=arg)
