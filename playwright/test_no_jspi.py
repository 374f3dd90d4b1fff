"""Every page we ship hides WebAssembly stack switching (JSPI) before Pyodide loads.

With JSPI on, Chromium's renderer crashed now and then in our browser suite (web/no-jspi.js,
README "Tests"). Pyodide looks for JSPI once, when its module is evaluated: the pages load
web/no-jspi.js as a classic script ahead of PyScript's / Pyodide's module scripts, and
did-session-boot.mjs hides it itself. The browser here OFFERS JSPI (no init script hides it:
the control page shows it), so only the pages' own set-up can hide it.
"""

from __future__ import annotations

import pytest
from browser_kit import SiteServer
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
        page.goto(server.page_url(path))  # "load": module scripts (Pyodide's start) have run
        seen[path] = page.evaluate(HAS_JSPI)
    assert seen == dict.fromkeys(SHIPPED_PAGES, False)
