"""The fast page (web/fast.html): Pyodide from the build's memory snapshot with did_session
imported (web/did-session-boot.mjs), its fallbacks, the service worker, and randomness.

The page states what ran in ``<script id="status">``: ``path`` ("snapshot" | "normal") and
``reason`` (why the snapshot was not used). ``window.pyodide`` is the page's interpreter.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from browser_kit import SITE, TIMEOUT_MS, BrowserSession, RequestRecorder, SiteServer
from playwright.sync_api import BrowserContext, Page, Route

HARDHAT0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
PKH = f"did:pkh:eip155:1:{HARDHAT0}"
SNAPSHOT_DIR = SITE / "snapshot"


def snapshot_meta() -> dict[str, Any]:
    return dict(json.loads((SNAPSHOT_DIR / "snapshot.json").read_text()))


def open_fast(page: Page, server: SiteServer, query: str = "?sw=0") -> dict[str, Any]:
    page.goto(server.page_url("fast.html" + query))
    page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=TIMEOUT_MS)
    status = dict(json.loads(page.text_content("#status") or "{}"))
    assert status["state"] == "ready", status
    return status


def py(page: Page, code: str) -> Any:
    """Run Python in the page's interpreter; the last expression's value, as JSON data."""
    return page.evaluate(
        "async code => { const r = await window.pyodide.runPythonAsync(code);"
        " return r && r.toJs ? r.toJs({dict_converter: Object.fromEntries}) : r; }",
        code,
    )


def sign_in_and_sign(page: Page) -> str:
    page.click("#sign")
    page.wait_for_selector("#result:not([hidden])", timeout=TIMEOUT_MS)
    return page.text_content("#result") or ""


@pytest.mark.wallet()
def test_snapshot_page_gets_a_session_signs_and_verifies(page: Page, server: SiteServer) -> None:
    status = open_fast(page, server)
    assert status["path"] == "snapshot" and status["reason"] == "", status
    # The page's button: DIDSession.get with the wallet, create_jws, verify_jws.
    result = sign_in_and_sign(page)
    assert result.startswith(f"Valid signature: {PKH} signed through did:key:zDna"), result
    # The same session is in IndexedDB (non-extractable WebCrypto key), and it verifies on
    # the page's interpreter too; the @noble bundle (read from the re-unpacked wheel) works.
    got = py(
        page,
        """
from did_session import DIDSession, get_account_id, EthereumWebAuth, verify_jws
import did_session.crypto as c
account = await get_account_id(None, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
s = await DIDSession.get(account, EthereumWebAuth.get_auth_method(None, account),
                         resources=["ceramic://*"])
v = await verify_jws(await s.did.create_jws({"n": 1}), capability=s.cacao, issuer=s.id)
{"issuer": v.issuer, "extractable": s.signer.extractable, "backend": c.BACKEND}
""",
    )
    assert got["issuer"] == PKH and got["extractable"] is False, got
    assert "noble" in got["backend"]
    assert page.evaluate("window.__walletCalls.personal_sign") == 1  # restored, not re-signed


@pytest.mark.jspi(True)  # the browser offers JSPI: the page itself hides it
def test_fast_page_hides_jspi_its_snapshot_made_without(page: Page, server: SiteServer) -> None:
    """The snapshot records the engine's features (a Node-made one, without JSPI or the
    WebAssembly call trampoline, broke run_sync in Chromium or killed the interpreter).
    It is made without JSPI, as the pages run: with JSPI Chromium's renderer crashed now and
    then (web/no-jspi.js). A page that keeps JSPI starts the normal way, saying why."""
    assert snapshot_meta()["engine"]["jspi"] == "none"
    assert open_fast(page, server)["path"] == "snapshot"
    check = """
import js
from pyodide.ffi import can_run_sync
[can_run_sync(), js.eval("'Suspending' in WebAssembly"), js.pyodide._module.jspiSupported]
"""
    assert py(page, check) == [False, False, False]

    status = open_fast(page, server, "?sw=0&jspi=1")
    assert (status["path"], status["reason"]) == (
        "normal",
        'snapshot made with JSPI "none", this page has "new"',
    ), status
    got = py(
        page,
        """
import js
from pyodide.ffi import can_run_sync, run_sync
async def f():
    return [can_run_sync(), run_sync(js.Promise.resolve(41)) + 1]
await f()
""",
    )
    assert got == [True, 42]  # JSPI kept, and working, on the normal path


def _serve(context: BrowserContext, path: str, body: bytes, status: int = 200) -> None:
    def handler(route: Route) -> None:
        route.fulfill(status=status, body=body, content_type="application/octet-stream")

    context.route(f"**/snapshot/{path}", handler)


@pytest.mark.wallet()
def test_altered_snapshot_falls_back_to_the_normal_start(
    context: BrowserContext, page: Page, server: SiteServer
) -> None:
    data = bytearray((SNAPSHOT_DIR / snapshot_meta()["file"]).read_bytes())
    data[len(data) // 2] ^= 0x55  # one byte of the interpreter's memory
    _serve(context, snapshot_meta()["file"], bytes(data))
    status = open_fast(page, server)
    assert status["path"] == "normal", status
    assert status["reason"].startswith("snapshot not loaded (altered, truncated"), status
    assert "normal way (snapshot not loaded" in (page.text_content("#boot") or "")
    assert sign_in_and_sign(page).startswith(f"Valid signature: {PKH}")


def test_snapshot_of_another_pyodide_build_falls_back(
    context: BrowserContext, page: Page, server: SiteServer
) -> None:
    meta = snapshot_meta()
    data = bytearray((SNAPSHOT_DIR / meta["file"]).read_bytes())
    data[16] ^= 0x01  # the build id Pyodide writes in the header (bytes 16-47)
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    _serve(context, meta["file"], bytes(data))
    _serve(context, "snapshot.json", json.dumps({**meta, "integrity": f"sha256-{digest}"}).encode())
    status = open_fast(page, server)
    assert status["path"] == "normal", status
    assert status["reason"].startswith("Snapshot build id mismatch"), status
    assert py(page, "import did_session; did_session.__version__")


def test_missing_snapshot_or_other_engine_falls_back(
    context: BrowserContext, page: Page, server: SiteServer
) -> None:
    _serve(context, "snapshot.json", b"not here", status=404)
    status = open_fast(page, server)
    assert (status["path"], status["reason"]) == (
        "normal",
        "no snapshot (snapshot.json: HTTP 404)",
    ), status
    context.unroute("**/snapshot/snapshot.json")
    meta = snapshot_meta()
    other = {**meta, "engine": {**meta["engine"], "jspi": "new"}}  # made with JSPI on
    _serve(context, "snapshot.json", json.dumps(other).encode())
    status = open_fast(page, server)
    assert status["path"] == "normal", status
    assert status["reason"] == 'snapshot made with JSPI "new", this page has "none"', status


@pytest.mark.wallet()
def test_randomness_is_fresh_after_each_snapshot_load(page: Page, server: SiteServer) -> None:
    """Two loads of one snapshot: the SIWE nonce, the session key (Ed25519 seed from
    os.urandom; P-256 from WebCrypto), os.urandom and `random` all differ."""
    code = """
import os, random
from did_session import DIDSession, EthereumWebAuth, get_account_id
from did_session.auth import random_nonce
from did_session.platform import default_platform
account = await get_account_id(None, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
s = await DIDSession.authorize(EthereumWebAuth.get_auth_method(None, account),
                               resources=["ceramic://*"])
p256 = await default_platform().keys.generate_secure_key()
{"nonce": s.cacao.payload.nonce, "ed25519": s.did.id, "p256": p256.did,
 "urandom": os.urandom(16).hex(), "random": random.random(), "random_nonce": random_nonce()}
"""
    loads = []
    for _ in range(2):
        assert open_fast(page, server)["path"] == "snapshot"
        loads.append(py(page, code))
    first, second = loads
    assert first["ed25519"].startswith("did:key:z6Mk") and first["p256"].startswith("did:key:zDna")
    for key in first:
        assert first[key] != second[key], (key, first[key])


@pytest.mark.wallet()
def test_second_visit_works_offline_from_the_service_worker(
    page: Page,
    server: SiteServer,
    context: BrowserContext,
    browser_session: BrowserSession,
    request_recorder: RequestRecorder,
) -> None:
    status = open_fast(page, server, query="")
    assert status["path"] == "snapshot"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed + precached
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)
    version = page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('did-session-')))")
    assert len(version) == 1, version

    context.set_offline(True)
    responses = []
    page.on("response", lambda r: responses.append((r.url, r.from_service_worker)))
    page.reload()
    page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=TIMEOUT_MS)
    status = json.loads(page.text_content("#status") or "{}")
    assert status["state"] == "ready" and status["path"] == "snapshot", status
    not_from_worker = [url for url, sw in responses if not sw and not url.startswith("data:")]
    assert not_from_worker == [], not_from_worker
    assert len(responses) >= 8  # the page, Pyodide, stdlib, snapshot, wheel...
    # Offline, the whole flow still runs: WebCrypto, IndexedDB and the wallet are local.
    assert sign_in_and_sign(page).startswith(f"Valid signature: {PKH}")


def test_a_new_build_replaces_the_service_worker_cache(page: Page, server: SiteServer) -> None:
    """sw.js carries the build's VERSION: another version installs, fills its own cache and
    deletes the old one (never a mix of two builds: a snapshot fits only its Pyodide)."""
    open_fast(page, server, query="")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)
    keys = "caches.keys().then(k => k.filter(n => n.startsWith('did-session-')))"
    (old,) = page.evaluate(keys)
    sw = SITE / "sw.js"
    served = sw.read_text(encoding="utf-8")
    version = old.removeprefix("did-session-")
    assert f'const VERSION = "{version}";' in served  # stamped by tools/build.py
    try:  # what a new build serves (restored below: the site is shared by the tests)
        sw.write_text(served.replace(version, "0123456789abcdef"), encoding="utf-8")
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        # The new worker installs (precaches), activates and deletes the old cache.
        got = page.evaluate(
            """async (OLD) => {
              for (let i = 0; i < 600; i++) {
                const k = (await caches.keys()).filter(n => n.startsWith('did-session-'));
                if (k.length === 1 && k[0] !== OLD) return k;
                await new Promise(r => setTimeout(r, 200));
              }
              return await caches.keys();
            }""",
            old,
        )
    finally:
        sw.write_text(served, encoding="utf-8")
    assert got == ["did-session-0123456789abcdef"]
