"""Browser fixtures: a live dashboard server on a free loopback port and Playwright on Debian's chromium.

Every browser test fails on a console error and on any request that leaves the
machine (only 127.0.0.1 / localhost may be asked).
"""
from __future__ import annotations

import threading
import urllib.parse
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder is a browser test (``-m "not browser"`` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's chromium (Playwright's own browser download is not available offline)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server():
    """Serve the dashboard from a werkzeug server on a free loopback port, in a thread."""
    from werkzeug.serving import make_server

    from app import create_app
    from dashboard.warmup import warm_caches

    warm_caches(lambda line: None)  # as `python app.py` does before serving
    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def console_errors(page):
    """Collect console errors, page errors and off-machine requests; the test fails if any occur."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def guard(route) -> None:
        url = route.request.url
        host = urllib.parse.urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS or f"[{host}]" in LOCAL_HOSTS:
            route.continue_()
        else:
            errors.append(f"request left 127.0.0.1: {url}")
            route.abort()

    page.context.route("**/*", guard)
    yield errors
    assert not errors, f"browser console errors: {errors}"
