"""Every page we ship hides WebAssembly stack switching (JSPI) from Pyodide.

With JSPI on, Chromium's renderer crashed now and then in our browser suite (web/no-jspi.js,
README "Tests"). Pyodide looks for JSPI once, when loadPyodide starts: PyScript pages use
web/pyodide-no-jspi.mjs as their interpreter (it hides JSPI when PyScript imports it, in
workers too: playwright/test_worker.py), bare Pyodide pages load web/no-jspi.js first, and
did-session-boot.mjs hides it itself. The browser here OFFERS JSPI (no init script hides it:
the control page shows it), so only the pages' own set-up can hide it.
"""

from __future__ import annotations

import pytest
from browser_kit import TIMEOUT_MS, SiteServer
from playwright.sync_api import Page

SHIPPED_PAGES = [
    "index.html",  # the PyScript demo
    "micropip.html",
    "files.html",
    "pyodide-did-session.html",  # bare Pyodide + did_session
    "fast.html?sw=0",  # the snapshot page (did-session-boot.mjs)
]
HAS_JSPI = "'Suspending' in WebAssembly || 'Suspender' in WebAssembly"


@pytest.mark.jspi(True)
def test_shipped_pages_hide_jspi_before_pyodide_loads(page: Page, server: SiteServer) -> None:
    page.goto(server.page_url("harness/blank.html"))  # control: this browser has JSPI
    assert page.evaluate(HAS_JSPI) is True
    seen = {}
    for path in SHIPPED_PAGES:
        page.goto(server.page_url(path))
        page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=TIMEOUT_MS)
        seen[path] = [page.evaluate("document.body.dataset.state"), page.evaluate(HAS_JSPI)]
    # Python started on every page (none failed to load through the wrapper), JSPI hidden.
    assert {path: got[1] for path, got in seen.items()} == dict.fromkeys(SHIPPED_PAGES, False)
    assert not [path for path, got in seen.items() if got[0] == "error"], seen
