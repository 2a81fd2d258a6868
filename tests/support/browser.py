"""Browser tests: Debian's Chromium (/usr/bin/chromium, installed by `make chromium`),
driven headless by Playwright's Python package. `playwright install` downloads a browser
build, which this project cannot rely on, so Playwright is pointed at the system one.

Fixtures (a test module imports them: `from tests.support.browser import browser, tab`):
- `browser`: one Chromium per test module. Not per session: while Playwright's sync API
  runs, no other asyncio loop can run in the thread (the `conversation` fixture's could
  not), and two sync Playwrights can't run at once; so it is stopped after each module.
- `tab`: a fresh browser profile (no storage, no cookies) with one page, closed after the
  test; see `BrowserTab` for what it records.
"""

import os
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# A phone-sized screen (an iPhone 12/13/14's CSS pixels) with touch.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


class BrowserTab:
    """One page in a fresh browser profile, recording what tests check: dialogs opened
    (alert/confirm/prompt, dismissed at once), uncaught page errors, and requests that
    tried to leave the machine (refused, as there is no outside network in tests)."""

    def __init__(self, browser, **context_options) -> None:
        self.context = browser.new_context(**context_options)
        self.dialogs: List[str] = []
        self.page_errors: List[str] = []
        self.outside_requests: List[str] = []
        self.context.route(lambda url: urlsplit(url).hostname not in LOCAL_HOSTS, self._refuse)
        self.page = self.new_page()

    def new_page(self):
        """Another page (a second browser tab) sharing this profile's storage."""
        page = self.context.new_page()
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        return page

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _refuse(self, route) -> None:
        self.outside_requests.append(route.request.url)
        route.abort()

    def screenshot(self, name: str, page=None) -> Path:
        """Saves the page as tests/artifacts/screenshots/<name>.png (a test artefact)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (page or self.page).screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser) -> Iterator[BrowserTab]:
    opened = BrowserTab(browser)
    yield opened
    opened.close()
