"""``DIDSession.get`` in a real page: IndexedDB persistence, the wallet asked once, interop
with the real npm did-session on the same origin, and the browser faults (wallet refusing or
misbehaving, IndexedDB unavailable / corrupted / upgraded by another tab, two tabs at once).

Python runs in the harness page (``run_py``) with the test wallet as ``window.ethereum``.
Each harness load costs ~3 s, so assertions are grouped into a few tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from typing import Any

import pytest
from browser_kit import BrowserSession, RequestRecorder, SiteServer, open_harness, run_py
from playwright.sync_api import Page
from session_kit import (
    ACCOUNT,
    DID_PKH,
    PRELUDE,
    PUT_ENTRY,
    READ_ENTRY,
    finish_py,
    personal_signs,
    start_py,
)

# Hardhat account #1's private key: a PUBLIC test key (tools/js/test-wallet.mjs TEST_KEYS).
HARDHAT1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


def install_page_wallet(page: Page, **options: Any) -> None:
    """Swap the page's wallet (resets ``__walletCalls``) and remake the page's auth method."""
    page.evaluate("options => window.__installTestWallet(options)", options)
    run_py(page, "new_auth()")


def host_verify(jws: dict[str, Any], cacao: dict[str, Any]) -> Any:
    """CPython ``did_session.verify_jws`` (its own event loop: Playwright's sync API holds
    this thread's)."""
    from did_session import verify_jws

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        coro = verify_jws(jws, capability=cacao, issuer=DID_PKH)
        return pool.submit(asyncio.run, coro).result()


@pytest.mark.wallet()
def test_get_persists_across_reload_and_restart(
    harness_page: Page,
    server: SiteServer,
    browser_session: BrowserSession,
    request_recorder: RequestRecorder,
) -> None:
    page = harness_page
    assert run_py(page, PRELUDE) == ACCOUNT
    assert run_py(page, "await DIDSession.has_session_for(account, resources=RES)") is False
    cold = run_py(
        page,
        """
session, cold_ms = await timed(DIDSession.get(account, auth, resources=RES))
jws = await session.did.create_jws({"hello": "world"})
verified = await verify_jws(jws, capability=session.cacao, issuer=session.id)
warm, warm_ms = await timed(DIDSession.get(account, auth, resources=RES))
serialize_error = None
try:
    session.serialize()
except E.SessionNotSerializableError as e:
    serialize_error = str(e)
{"did": session.did.id, "id": session.id, "jws": jws, "cacao": session.cacao.to_json(),
 "kid": verified.kid, "payload": verified.payload.decode(), "cold_ms": cold_ms,
 "warm_ms": warm_ms, "warm_did": warm.did.id, "extractable": session.signer.extractable,
 "serialize_error": serialize_error, "alg": session.signer.alg,
 "has": await DIDSession.has_session_for(account, resources=RES)}
""",
    )
    did = cold["did"]
    assert personal_signs(page) == 1  # cold get asked once; the warm get did not ask
    assert did.startswith("did:key:zDn")
    assert cold["id"] == DID_PKH
    assert cold["alg"] == "ES256"
    assert cold["extractable"] is False
    assert cold["kid"] == f"{did}#{did.split(':')[2]}"
    assert cold["payload"] == '{"hello":"world"}'
    assert cold["warm_did"] == did
    assert cold["has"] is True
    assert cold["serialize_error"] == "Secure sessions cannot be serialized"
    assert cold["cacao"]["p"]["aud"] == did
    assert cold["cacao"]["p"]["domain"] == "127.0.0.1"
    assert cold["cacao"]["p"]["resources"] == ["ceramic://*"]
    # The same JWS verifies on the host, with CPython.
    verified = host_verify(cold["jws"], cold["cacao"])
    assert verified.kid == cold["kid"]
    assert verified.payload == b'{"hello":"world"}'

    # The stored entry, read from JS: the JS library's layout, a non-extractable key.
    entry = page.evaluate(READ_ENTRY, ACCOUNT)
    assert entry["valueKeys"] == ["cacao", "keypair"]
    assert entry["pairKeys"] == ["privateKey", "publicKey"]
    assert entry["cacao"] == cold["cacao"]
    assert entry["extractable"] is False
    assert entry["exportErrors"] == ["InvalidAccessError"] * 3
    assert entry["algorithm"] == {"name": "ECDSA", "namedCurve": "P-256"}
    assert entry["usages"] == ["sign"]
    from did_session import crypto
    from did_session.did_key import KeyType, encode_did_key

    public = crypto.p256_compress(bytes(entry["publicKey"]))
    assert encode_did_key(KeyType.P256, public) == did

    reuse = """
new_auth()
again, ms = await timed(DIDSession.get(account, auth, resources=RES))
has = await DIDSession.has_session_for(account, resources=RES)
jws = await again.did.create_jws({"n": 1})
await verify_jws(jws, capability=again.cacao, issuer=again.id)
{"has": has, "did": again.did.id, "ms": ms}
"""
    # A reload: no wallet call, same did.
    page.reload()
    page.wait_for_function("document.body.dataset.state === 'ready'")
    run_py(page, PRELUDE)
    after_reload = run_py(page, reuse)
    assert after_reload["has"] is True
    assert after_reload["did"] == did
    assert personal_signs(page) == 0

    # A browser restart on the same profile: still no wallet call, same did.
    browser_session.relaunch()
    page = browser_session.page
    open_harness(page, server)
    run_py(page, PRELUDE)
    after_restart = run_py(page, reuse)
    assert after_restart["has"] is True
    assert after_restart["did"] == did
    assert personal_signs(page) == 0

    # remove(): logged out.
    assert run_py(
        page,
        "await DIDSession.remove(account)\n"
        "[await DIDSession.has_session_for(account, resources=RES),"
        " await DIDSession.has_session_for(account, resources=[])]",
    ) == [False, False]
    assert page.evaluate(READ_ENTRY, ACCOUNT) is None
    print(
        f"\nget(): cold {cold['cold_ms']:.1f} ms, warm {cold['warm_ms']:.1f} ms, "
        f"first after reload {after_reload['ms']:.1f} ms, "
        f"first after restart {after_restart['ms']:.1f} ms"
    )
    assert request_recorder.foreign() == []


@pytest.mark.wallet()
def test_get_asks_again_and_wallet_faults(
    harness_page: Page, request_recorder: RequestRecorder
) -> None:
    page = harness_page
    run_py(page, PRELUDE)
    first = run_py(
        page,
        """
now = time.time()
same, later = at(lambda: now), at(lambda: now + 120)
s1 = await DIDSession.get(
    account, auth, resources=RES, expires_in_secs=60, time_policy=at(lambda: now))
# Not expired at now+30; expired at now+120 (an injected clock, no waiting).
{"did": s1.did.id, "exp": s1.cacao.payload.exp,
 "has_30": await DIDSession.has_session_for(
     account, resources=RES, time_policy=at(lambda: now + 30)),
 "has_120": await DIDSession.has_session_for(
     account, resources=RES, time_policy=at(lambda: now + 120))}
""",
    )
    assert first["has_30"] is True
    assert first["has_120"] is False
    assert personal_signs(page) == 1
    # Same clock: reused.
    assert (
        run_py(
            page,
            "(await DIDSession.get(account, auth, resources=RES, time_policy=same)).did.id",
        )
        == first["did"]
    )
    assert personal_signs(page) == 1
    # After expiry: asks again, replaces the entry.
    expired = run_py(
        page,
        "(await DIDSession.get(account, auth, resources=RES, time_policy=later)).did.id",
    )
    assert expired != first["did"]
    assert personal_signs(page) == 2
    assert page.evaluate(READ_ENTRY, ACCOUNT)["cacao"]["p"]["aud"] == expired

    # A resource not covered: asks again, replaces the entry (one session per account).
    other = run_py(
        page, "(await DIDSession.get(account, auth, resources=['ceramic://other'])).did.id"
    )
    assert other not in (first["did"], expired)
    assert personal_signs(page) == 3
    entry = page.evaluate(READ_ENTRY, ACCOUNT)
    assert entry["cacao"]["p"]["aud"] == other
    assert entry["cacao"]["p"]["resources"] == ["ceramic://other"]
    assert run_py(page, "await DIDSession.has_session_for(account, resources=RES)") is False

    # A valid session for RES is stored; then wallets that refuse or misbehave.
    valid = run_py(page, "(await DIDSession.get(account, auth, resources=RES)).did.id")
    stored = page.evaluate(READ_ENTRY, ACCOUNT)
    assert stored["cacao"]["p"]["aud"] == valid
    attempt = """[
  await error_of(DIDSession.get(account, auth, resources=["ceramic://new"])),
  await DIDSession.has_session_for(account, resources=RES),
  (await DIDSession.get(account, auth, resources=RES)).did.id,
]"""
    for mode, style, error in [
        ("reject", "error", "UserRejectedError"),
        # Rejected with a plain {code, message} object, not an Error: awaited as such from
        # Python it would never settle (Pyodide raises only Errors); the adapter copies it.
        ("reject", "plain", "UserRejectedError"),
        ("garbage", "error", "WalletResponseError"),
        ("other-account", "error", "WalletResponseError"),
        ("disconnect", "error", "WalletDisconnectedError"),  # 4900 between the two calls
        # The user switched the wallet to another account after connecting: the wallet
        # refuses to sign for the connected one (4100).
        ("switched", "error", "WalletUnauthorizedError"),
    ]:
        if mode == "switched":
            install_page_wallet(page, privateKey=HARDHAT1_KEY)
        else:
            install_page_wallet(page, mode=mode, errorStyle=style)
        assert run_py(page, attempt) == [error, True, valid], (mode, style)
        assert personal_signs(page) == 1, mode  # asked once, and not for the stored session
        assert page.evaluate(READ_ENTRY, ACCOUNT) == stored, mode  # the store is untouched

    # An entry corrupted by another script: not a session; get makes a new one (one ask).
    install_page_wallet(page)
    page.evaluate(PUT_ENTRY, [ACCOUNT, {"cacao": "x", "keypair": 1}])
    corrupted = run_py(
        page,
        "[await DIDSession.has_session_for(account, resources=RES),"
        " (await DIDSession.get(account, auth, resources=RES)).did.id,"
        " await DIDSession.has_session_for(account, resources=RES)]",
    )
    assert corrupted[0] is False
    assert corrupted[1] not in (valid, other, expired)
    assert corrupted[2] is True
    assert personal_signs(page) == 1
    assert page.evaluate(READ_ENTRY, ACCOUNT)["cacao"]["p"]["aud"] == corrupted[1]
    assert request_recorder.foreign() == []


@pytest.mark.wallet()
def test_interop_with_js_did_session(
    harness_page: Page, server: SiteServer, request_recorder: RequestRecorder
) -> None:
    page = harness_page
    page.add_script_tag(url=server.page_url("js/did-session-js.js"))
    run_py(page, PRELUDE)
    js_get = """async (resources) => {
      const {DIDSession, EthereumWebAuth, getAccountId} = window.DIDSessionJS;
      const accountId = await getAccountId(window.ethereum, window.ethereum.selectedAddress);
      const authMethod = await EthereumWebAuth.getAuthMethod(window.ethereum, accountId);
      const session = await DIDSession.get(accountId, authMethod, {resources});
      const jws = await session.did.createJWS({from: 'js'});
      return {did: session.did.id, account: accountId.toString(), jws, cacao: session.cacao,
              has: await DIDSession.hasSessionFor(accountId, resources)};
    }"""
    # Made by JS, reused by us.
    made_by_js = page.evaluate(js_get, ["ceramic://*"])
    assert made_by_js["account"] == ACCOUNT
    assert made_by_js["did"].startswith("did:key:zDn")
    assert personal_signs(page) == 1
    ours = run_py(
        page,
        """
s = await DIDSession.get(account, auth, resources=RES)
jws = await s.did.create_jws({"from": "python"})
{"did": s.did.id, "jws": jws, "cacao": s.cacao.to_json()}
""",
    )
    assert ours["did"] == made_by_js["did"]
    assert personal_signs(page) == 1
    assert ours["cacao"] == made_by_js["cacao"]
    host_verify(made_by_js["jws"], made_by_js["cacao"])
    host_verify(ours["jws"], ours["cacao"])

    # Made by us, reused by JS.
    made_by_us = run_py(
        page,
        "await DIDSession.remove(account)\n"
        "(await DIDSession.get(account, auth, resources=RES)).did.id",
    )
    assert made_by_us != made_by_js["did"]
    assert personal_signs(page) == 2
    reused_by_js = page.evaluate(js_get, ["ceramic://*"])
    assert reused_by_js["did"] == made_by_us
    assert reused_by_js["has"] is True
    assert personal_signs(page) == 2
    host_verify(reused_by_js["jws"], reused_by_js["cacao"])
    # JS verifies what our session signed.
    verified_by_js = page.evaluate(
        """async (jws) => {
          const {DID, KeyResolver} = window.DIDSessionJS;
          const did = new DID({resolver: KeyResolver.getResolver()});
          return (await did.verifyJWS(jws)).kid;
        }""",
        ours["jws"],
    )
    assert verified_by_js.startswith(made_by_js["did"] + "#")
    assert request_recorder.foreign() == []


IDB_FAULTS = """
(() => {
  const q = new URLSearchParams(location.search).get('idb');
  if (q === 'throw') {
    IDBFactory.prototype.open = function () {
      throw new DOMException('IndexedDB is disabled by the test', 'SecurityError');
    };
  } else if (q === 'none') {
    Object.defineProperty(window, 'indexedDB', {value: undefined, configurable: true});
  }
})();
"""


@pytest.mark.wallet()
def test_indexeddb_unavailable(
    browser_session: BrowserSession, server: SiteServer, request_recorder: RequestRecorder
) -> None:
    browser_session.add_init_script(IDB_FAULTS)
    page = browser_session.page
    check = """
from did_session.platform import default_platform
[default_platform().name,
 await error_of(DIDSession.has_session_for(account, resources=RES)),
 await error_of(DIDSession.get(account, auth, resources=RES)),
 await error_of(DIDSession.remove(account)),
 isinstance(E.StorageUnavailableError(""), E.StorageError)]
"""
    for query in ("?idb=throw", "?idb=none"):
        open_harness(page, server, query)
        assert page.evaluate("typeof window.indexedDB") == (
            "undefined" if query == "?idb=none" else "object"
        )
        run_py(page, PRELUDE)
        name, has, get, remove, _ = run_py(page, check)
        assert name == "browser", query
        assert [has, get, remove] == ["StorageUnavailableError"] * 3, query
        assert personal_signs(page) == 0, query  # failed before asking the wallet
    assert request_recorder.foreign() == []


@pytest.mark.wallet()
def test_versionchange_from_another_tab(
    harness_page: Page,
    server: SiteServer,
    browser_session: BrowserSession,
    request_recorder: RequestRecorder,
) -> None:
    page = harness_page
    run_py(page, PRELUDE)
    did = run_py(page, "(await DIDSession.get(account, auth, resources=RES)).did.id")
    other = browser_session.context.new_page()
    other.goto(server.page_url("harness/blank.html"))
    upgrade = """async (abort) => new Promise((resolve, reject) => {
      const req = indexedDB.open('did-session', 2);
      req.onupgradeneeded = () => { if (abort) req.transaction.abort(); };
      req.onsuccess = () => { const v = req.result.version; req.result.close(); resolve(v); };
      req.onerror = () => resolve('error: ' + req.error.name);
      req.onblocked = () => resolve('blocked');
    })"""
    # Another tab asks for version 2 and gives up: our connection was closed for it (the
    # request is not blocked), and our next operation reopens version 1.
    assert other.evaluate(upgrade, True) == "error: AbortError"
    assert run_py(page, "await DIDSession.has_session_for(account, resources=RES)") is True
    assert run_py(page, "(await DIDSession.get(account, auth, resources=RES)).did.id") == did
    assert personal_signs(page) == 1
    # Another tab upgrades to version 2 for real: not blocked by us; our next operations
    # raise StorageBlockedError at once (no hang, no wallet call).
    assert other.evaluate(upgrade, False) == 2
    errors = run_py(
        page,
        "[await error_of(DIDSession.has_session_for(account, resources=RES)),"
        " await error_of(DIDSession.get(account, auth, resources=RES))]",
    )
    assert errors == ["StorageBlockedError", "StorageBlockedError"]
    assert personal_signs(page) == 1
    # The other tab deletes the database (not blocked by us): we start afresh.
    deleted = other.evaluate(
        """() => new Promise((resolve) => {
          const req = indexedDB.deleteDatabase('did-session');
          req.onsuccess = () => resolve('deleted');
          req.onerror = () => resolve('error: ' + req.error.name);
          req.onblocked = () => resolve('blocked');
        })"""
    )
    assert deleted == "deleted"
    fresh = run_py(
        page,
        "[await DIDSession.has_session_for(account, resources=RES),"
        " (await DIDSession.get(account, auth, resources=RES)).did.id]",
    )
    assert fresh[0] is False
    assert fresh[1] != did
    assert personal_signs(page) == 2
    other.close()
    assert request_recorder.foreign() == []


@pytest.mark.wallet(sign_delay_ms=400)
def test_two_tabs_ask_the_wallet_once(
    harness_page: Page,
    server: SiteServer,
    browser_session: BrowserSession,
    request_recorder: RequestRecorder,
) -> None:
    tabs = [harness_page, browser_session.context.new_page()]
    open_harness(tabs[1], server)
    for tab in tabs:
        run_py(tab, PRELUDE)
    code = "(await DIDSession.get(account, auth, resources=RES)).did.id"
    for tab in tabs:
        start_py(tab, code)
    dids = [finish_py(tab) for tab in tabs]
    assert dids[0] == dids[1]
    assert dids[0].startswith("did:key:zDn")
    assert sum(personal_signs(tab) for tab in tabs) == 1
    assert tabs[0].evaluate(READ_ENTRY, ACCOUNT)["cacao"]["p"]["aud"] == dids[0]
    assert json.dumps(request_recorder.foreign()) == "[]"
