"""Fixtures for the tests that drive a real browser.

The browser is Debian's Chromium (``apt-get install chromium``, or
``CHROMIUM_PATH``), driven by Playwright through pytest-playwright's
``page`` fixture; Playwright never downloads a browser of its own. The
application is served by pytest-django's ``live_server`` on 127.0.0.1.

Without Chromium these tests are skipped with the reason, except under
``CI=true``, where they fail: CI must run them.
"""

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI and containers run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
# Test servers listen on this range (a shared machine sets it aside for
# them); the first free port is taken.
LIVE_SERVER_PORTS = range(8700, 8800)


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> str:
    if os.access(CHROMIUM_PATH, os.X_OK):
        return CHROMIUM_PATH
    reason = (
        f"Chromium not found at {CHROMIUM_PATH}: install it "
        "(bash scripts/system-deps.sh chromium) or set CHROMIUM_PATH"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}. CI must run the browser tests.", pytrace=False)
    pytest.skip(reason)


def _free_port(ports) -> int:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port on 127.0.0.1 in {ports.start}-{ports.stop - 1}.")


@pytest.fixture(scope="session", autouse=True)
def _live_server_address(request, chromium_path):
    """Serve on 127.0.0.1 (the tests check that no request leaves it),
    unless ``--liveserver`` or ``DJANGO_LIVE_TEST_SERVER_ADDRESS`` says
    otherwise. Runs just before ``live_server`` starts, so the port chosen
    is still free."""
    if request.config.getoption("liveserver") or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS"):
        return
    request.config.option.liveserver = f"127.0.0.1:{_free_port(LIVE_SERVER_PORTS)}"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    # Playwright launches each browser on a fresh temporary profile
    # (--user-data-dir) and deletes it when the browser closes.
    flags = list(CHROMIUM_FLAGS)
    if browser_type_launch_args.get("headless", True):
        flags.insert(0, "--headless")
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": flags}


# pytest-playwright starts Playwright once per session. Its sync API keeps an
# asyncio event loop running in the main thread from then on, and Django
# refuses database calls from a thread with a running loop
# (SynchronousOnlyOperation), though these tests and the fixtures around them
# (transactional_db's flush) are plain synchronous code. So Playwright, and
# the plugin fixtures built on it, live only while this package's tests run,
# and DJANGO_ALLOW_ASYNC_UNSAFE is set exactly for that time: the rest of the
# suite keeps Django's check.
@pytest.fixture(scope="package")
def playwright():
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            yield pw


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args():
    return {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def context(new_context):
    context = new_context()
    # A page that works answers in well under a second here; a broken one
    # should fail the test quickly rather than after Playwright's 30 s.
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def artifacts_dir() -> Path:
    """Where each test leaves a screenshot of its final page (git-ignored)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@dataclass
class Traffic:
    """What a page asked for, and how it was answered."""

    requests: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def request_failed(self, request) -> None:
        # A request the page cancels itself is no failure: select2 drops its
        # search when the next keystroke comes.
        if request.failure != "net::ERR_ABORTED":
            self.failures.append(f"{request.url}: {request.failure}")

    def off_host(self, host: str = "127.0.0.1") -> list[str]:
        """Requests that went anywhere but ``host`` (data: and blob: URLs
        never leave the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != host
        ]


@pytest.fixture
def traffic(page) -> Traffic:
    """Every request ``page`` makes from now on."""
    seen = Traffic()
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("response", lambda response: seen.statuses.update({response.url: response.status}))
    page.on("requestfailed", seen.request_failed)
    return seen
