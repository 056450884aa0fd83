"""Real Chromium driven by Playwright, for the browser journeys.

Debian's ``chromium`` is used (``playwright install`` is never run). When it is missing the
fixture installs it with apt-get; the tests skip only if it can be neither found nor installed,
and say why.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
INSTALL = "command -v chromium || (apt-get update && apt-get install -y chromium)"


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        if found := shutil.which(name):
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def install_chromium() -> str:
    """Try the same install step as the Makefile; returns why it failed, or ""."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available on this machine"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "installing chromium with apt-get needs root"
    try:
        result = subprocess.run(
            ["sh", "-c", INSTALL], capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"apt-get failed: {error}"
    if result.returncode != 0:
        return f"apt-get failed: {result.stderr.strip()[-500:]}"
    return ""


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        why = install_chromium()
        path = find_chromium()
        if path is None:
            message = f"Chromium cannot be found or installed: {why or 'not on PATH after install'}"
            print(message)
            pytest.skip(message)
    return path


@pytest.fixture
def browser_page(chromium_path, monkeypatch):
    """A fresh Chromium page; screenshots go to test-artifacts/browser/."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test body still
    # talks to the database synchronously, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def browser(chromium_path, monkeypatch):
    """One Chromium for a whole check; each role gets its own context and page."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test body still
    # talks to the database synchronously, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


# The walk over the matrix, done once for the tests that read it (the narrow-screen and the axe
# tests): loading every page is what takes the minutes, and the dataset is built the same way
# for each test.
_MATRIX_WALK = []


@pytest.fixture
def matrix_walk(request):
    """What the walk over every page of the URL × role matrix found (pages.walk_matrix)."""
    if not _MATRIX_WALK:
        from tests.browser.pages import walk_matrix

        browser = request.getfixturevalue("browser")
        live_server = request.getfixturevalue("live_server")
        world = request.getfixturevalue("world")
        _MATRIX_WALK.append(walk_matrix(browser, live_server, world))
    return _MATRIX_WALK[0]


@pytest.fixture
def screenshot(browser_page):
    """``screenshot("name")`` saves the whole page as test-artifacts/browser/NN-name.png."""
    taken = []

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{len(taken) + 1:02d}-{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return take


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the page as it was when a browser test failed, to see why."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("browser_page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"failed-{item.name}.png"), full_page=True)
        (ARTIFACTS / f"failed-{item.name}.html").write_text(page.content())
