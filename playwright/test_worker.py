"""did_session in a PyScript worker (``<script type="py" worker>``, no ``window``), in
Chromium: no silent downgrade.

``get`` in the worker makes a non-extractable WebCrypto key, stores it in the origin's
IndexedDB (the same store as the main thread's and npm did-session's) and signs with the
main page's wallet, reached through PyScript's ``window`` proxy: that needs a cross-origin
isolated page (tools/serve.py ``--isolated``). Without it, a typed error and nothing stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import (
    TIMEOUT_MS,
    BrowserSession,
    RequestRecorder,
    SiteServer,
    open_harness,
    run_py,
)
from playwright.sync_api import Page
from session_kit import ACCOUNT, DID_PKH, PRELUDE, READ_ENTRY, personal_signs
from tools import serve

from did_session import Verifier


@pytest.fixture(scope="module")
def isolated_server(server: SiteServer) -> Iterator[SiteServer]:
    httpd, url = serve.start_server(server.root, isolated=True)
    try:
        yield SiteServer(url, server.root)
    finally:
        httpd.shutdown()
        httpd.server_close()


class _TwoOrigins(RequestRecorder):
    def __init__(self, *origins: str) -> None:
        super().__init__(origins[0])
        self.origins = origins

    def foreign(self) -> list[str]:
        left = set(RequestRecorder.foreign(self))
        for origin in self.origins[1:]:
            left &= set(RequestRecorder(origin, self.urls).foreign())
        return sorted(left)


@pytest.fixture
def request_recorder(server: SiteServer, isolated_server: SiteServer) -> RequestRecorder:
    return _TwoOrigins(server.origin, isolated_server.origin)


def open_worker_page(page: Page, server: SiteServer) -> None:
    page.goto(server.page_url("harness/worker.html"))
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=TIMEOUT_MS)


PLAIN_WORKER_HAS_JSPI = """() => new Promise((resolve) => {
  const code = "postMessage('Suspending' in WebAssembly)";
  const w = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
})"""


def ask(page: Page, op: str) -> dict[str, Any]:
    reply: dict[str, Any] = page.evaluate("op => window.askWorker(op)", op)
    assert not str(reply.get("error", "")).startswith("bug"), reply
    return reply


@pytest.mark.wallet()
def test_get_in_a_worker_persists_a_non_extractable_key(
    browser_session: BrowserSession, isolated_server: SiteServer
) -> None:
    page = browser_session.page
    open_worker_page(page, isolated_server)
    env = ask(page, "environment")["ok"]
    assert page.evaluate(PLAIN_WORKER_HAS_JSPI) is True  # the browser offers it in workers
    assert env == {
        "jspi": False,  # ... and web/pyodide-no-jspi.mjs hid it from the worker's Pyodide
        "window": False,  # really a worker
        "isolated": True,
        "platform": "browser",
        "hostname": "127.0.0.1",  # the page's, although the worker's URL is a blob:
        "store": "IndexedDBStore",
        "keys": "WebCryptoKeyBackend",
    }
    made = ask(page, "get")["ok"]
    assert made["extractable"] is False and made["alg"] == "ES256"
    assert made["did"].startswith("did:key:zDn") and made["id"] == DID_PKH
    assert made["domain"] == "127.0.0.1"
    # The wallet that signed is the main page's injected test wallet.
    assert personal_signs(page) == 1
    verified = Verifier(domains=["127.0.0.1"], required_resources=["ceramic://*"]).verify(
        made["jws"], made["cacao"]
    )
    assert verified.issuer == DID_PKH and verified.payload_json() == {"from": "worker"}
    # Stored in the origin's did-session database, in the JS layout, key non-extractable.
    entry = page.evaluate(READ_ENTRY, ACCOUNT)
    assert entry["cacao"]["p"]["aud"] == made["did"]
    assert entry["pairKeys"] == ["privateKey", "publicKey"]
    assert entry["extractable"] is False
    assert entry["exportErrors"] == ["InvalidAccessError"] * 3

    # A reload: the worker finds the stored session; the wallet is not asked.
    open_worker_page(page, isolated_server)
    again = ask(page, "get")["ok"]
    assert again["did"] == made["did"] and personal_signs(page) == 0

    # The main thread of another tab of the origin sees the same session.
    main = browser_session.context.new_page()
    open_harness(main, isolated_server)
    run_py(main, PRELUDE)
    seen = run_py(
        main,
        "[await DIDSession.has_session_for(account, resources=RES),"
        " (await DIDSession.get(account, auth, resources=RES)).did.id]",
    )
    assert seen == [True, made["did"]]
    assert personal_signs(main) == 0


@pytest.mark.wallet()
def test_worker_without_isolation_refuses(
    browser_session: BrowserSession, server: SiteServer
) -> None:
    # No COOP/COEP: PyScript cannot give the worker the page's window. A clear, typed error
    # before anything is made or stored; never a key of another kind or a memory store.
    page = browser_session.page
    open_worker_page(page, server)
    env = ask(page, "environment")["ok"]
    assert env["isolated"] is False and env["store"] == "IndexedDBStore"
    refused = ask(page, "get")
    assert refused["error"] == "WalletUnavailableError"
    assert "cross-origin isolated" in refused["message"]
    assert personal_signs(page) == 0
    assert page.evaluate(READ_ENTRY, ACCOUNT) is None
