"""End-to-end tests: Debian's Chromium, driven by Playwright, against the app served on
127.0.0.1 by pytest-django's live server.

One browser for all of them, a new browser context (its own cookies) for each test. When
a test fails, a screenshot of its page is written to TEST_SCREENSHOTS (default
test-screenshots/ in the project) as <test name>.png.

"Today" is fixed as elsewhere, with the frozen_today fixture: time-machine replaces the
clock process-wide, so the live server's thread sees the same day. Playwright is not
disturbed: its timeouts run in its driver process and on asyncio's monotonic clock, which
time-machine leaves alone. The session cookie's Expires date, computed from the frozen
clock, may lie in the browser's past, but Django also sends Max-Age, which wins.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from ..conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 10_000  # a page of this app answers in well under a second


def screenshot_folder():
    return Path(os.environ.get("TEST_SCREENSHOTS") or settings.BASE_DIR / "test-screenshots")


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, on 127.0.0.1 rather than localhost unless --liveserver
    or DJANGO_LIVE_TEST_SERVER_ADDRESS says otherwise."""
    address = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "127.0.0.1"
    )
    server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser():
    """Chromium, once for all the end-to-end tests (they are this package; pytest-django
    runs them together, after the other database tests).

    Playwright's sync API keeps an asyncio event loop running in this thread, so Django
    would refuse the tests' own database queries as "called from an async context"; the
    documented way out, DJANGO_ALLOW_ASYNC_UNSAFE, is set only while Playwright runs, and
    Playwright stops when the last of these tests is done, so the rest of the suite runs
    with Django's check in place and without the variable (a subprocess would inherit it).
    The app itself runs in the live server's thread, where no loop runs."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                # Chromium's sandbox cannot start as root (CI runs as root).
                args=["--no-sandbox"] if os.geteuid() == 0 else [],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) and its page, addressed relative to the live
    server: page.goto("/projects/")."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a test fails, save what its page shows (and drop the picture of an earlier
    failure once the test passes)."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if page is None:
        return report
    path = screenshot_folder() / (re.sub(r"[^\w.-]+", "_", item.name) + ".png")
    if report.failed and not page.is_closed():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=path, full_page=True)
        except Exception as error:  # the page may be gone; the failure itself matters more
            report.sections.append(("screenshot", f"none: {error}"))
        else:
            report.sections.append(("screenshot", str(path)))
    elif report.when == "call" and report.passed:
        path.unlink(missing_ok=True)
    return report


# --- helpers ---------------------------------------------------------------------------


def sign_in(page, user, password=PASSWORD):
    """Sign in through the sign-in form, as a person would, and land on the start page (a
    department editor's to-do, everyone else's dashboard)."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    expect(page.locator(".topbar .who")).to_contain_text(user.username)


PHONE_MENU_BELOW = 768  # px: the stylesheet folds the top bar's menu below 48rem


def open_menu(page):
    """On a phone the top bar's menu is folded: open it (on a wider screen it is open).
    Decided by the window's width, not by what shows at this instant: a page still loading
    its stylesheet shows the folded menu's button."""
    if page.viewport_size["width"] >= PHONE_MENU_BELOW:
        return
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("> summary").click()
    expect(menu.locator("nav")).to_be_visible()


def sign_out(page):
    open_menu(page)
    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()
