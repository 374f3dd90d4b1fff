"""Fixtures for whole-page browser tests (helpers: browser_kit.py).

    server           session: tools/serve.py on a free 127.0.0.1 port, serving .build/site
                     -> ``SiteServer`` (``.url`` "http://127.0.0.1:<port>/", ``.origin``,
                     ``.page_url(path)``)
    pw               module: Playwright's sync API
    browser_profile  a fresh, empty Chromium profile dir per test (cold HTTP cache, empty
                     IndexedDB: tests are isolated)
    browser_session  ``BrowserSession``: persistent-profile Chromium on that dir;
                     ``.relaunch()`` restarts it on the same profile
    context, page    its ``BrowserContext`` and first page
    harness_page     ``page`` on harness/ with Pyodide and our wheels ready
    local_server     ``server.localhost``: the same server as http://localhost:<port>/
    passkey_page     (page, Authenticator): harness/ from localhost with the virtual
                     authenticator and ``window.KeyWebauthnJS`` (npm key-webauthn 2.0.2)
    request_recorder every request URL; the test FAILS (at teardown) if any request left the
                     server's origin (127.0.0.1 or localhost: ``server.localhost``, where
                     passkey pages load from)

    @pytest.mark.wallet(**config)   install the test wallet before the first navigation

One Chromium per test: a persistent launch costs about 0.5 s here (measured), a fresh profile
isolates IndexedDB and the HTTP cache, and persistent contexts can restart on the same profile.
Playwright's sync API is module-scoped: two cannot run at once, and while one runs
``asyncio.run`` fails in this thread, so tests here are synchronous. Screenshots and the
browser console of failed tests go to playwright/artifacts/ and the test output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    SITE,
    Authenticator,
    BrowserSession,
    RequestRecorder,
    SiteServer,
    install_wallet,
    open_harness,
)
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright
from tools import chromium, serve


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wallet(**config): install the test wallet before the first navigation"
    )
    config.addinivalue_line(
        "markers",
        "jspi(on): a browser whose pages keep (True) or lose (False) WebAssembly stack"
        " switching before their scripts run (default: DID_SESSION_JSPI, tools/chromium.py)",
    )


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def server() -> Iterator[SiteServer]:
    if not (SITE / "harness" / "index.html").exists():
        pytest.fail(f"{SITE} is not built: run ./dev setup (or python tools/build.py)")
    httpd, url = serve.start_server(SITE)
    try:
        yield SiteServer(url, SITE)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def pw() -> Iterator[Playwright]:
    chromium.check_executable()
    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser_profile(tmp_path: Path) -> Path:
    path = tmp_path / "chromium-profile"
    path.mkdir()
    return path


@pytest.fixture
def request_recorder(server: SiteServer) -> RequestRecorder:
    return RequestRecorder(server.origin, aliases=(server.localhost.origin,))


@pytest.fixture
def browser_session(
    request: pytest.FixtureRequest,
    pw: Playwright,
    browser_profile: Path,
    request_recorder: RequestRecorder,
) -> Iterator[BrowserSession]:
    jspi = request.node.get_closest_marker("jspi")
    session = BrowserSession(
        pw, browser_profile, request_recorder, jspi=None if jspi is None else bool(jspi.args[0])
    )
    marker = request.node.get_closest_marker("wallet")
    if marker is not None:
        install_wallet(session, **marker.kwargs)
    try:
        yield session
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if any(r.failed for r in reports.values()):
            stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for path in session.screenshots(stem):
                print(f"screenshot: {path}")
            print("browser console:\n  " + "\n  ".join(session.console))
        session.close()
    foreign = request_recorder.foreign()
    if foreign:
        pytest.fail(f"requests left {request_recorder.origin}: {foreign}", pytrace=False)


@pytest.fixture
def context(browser_session: BrowserSession) -> BrowserContext:
    return browser_session.context


@pytest.fixture
def page(browser_session: BrowserSession) -> Page:
    return browser_session.page


@pytest.fixture
def harness_page(page: Page, server: SiteServer) -> Page:
    open_harness(page, server)
    return page


@pytest.fixture
def local_server(server: SiteServer) -> SiteServer:
    return server.localhost


@pytest.fixture
def passkey_page(
    page: Page, context: BrowserContext, local_server: SiteServer
) -> tuple[Page, Authenticator]:
    open_harness(page, local_server)
    page.add_script_tag(url=local_server.page_url("js/key-webauthn-js.js"))
    return page, Authenticator(context, page)
