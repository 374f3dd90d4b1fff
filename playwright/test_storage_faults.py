"""Storage faults provoked for real in Chromium: the tab (or the whole browser) going away
in the middle of a session write, and IndexedDB refusing writes for lack of quota.

Real Chromium, real IndexedDB, real WebCrypto; the test wallet is the only stand-in. The
moment of the close is chosen with an init script that watches the real
``IDBObjectStore.prototype.put`` (it calls the original) and, when asked, keeps the page's
main thread busy when the wallet is asked to sign, right after the put is issued, inside the
put's success event (written in the transaction, not committed) or right after the
transaction committed: a console message tells the test that the page is there, and the
test closes it then. No timing assertion: each case checks what is stored afterwards.

Quota: Chromium's per-origin quota override (DevTools ``Storage.overrideQuotaForOrigin``)
makes IndexedDB itself abort the write with QuotaExceededError.

An entry corrupted by another script is covered in test_get_session.py
(``test_get_asks_again_and_wallet_faults``).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from browser_kit import BrowserSession, RequestRecorder, SiteServer, open_harness, run_py
from playwright.sync_api import Page
from session_kit import ACCOUNT, PRELUDE, READ_ENTRY, personal_signs, start_py

from did_session import crypto
from did_session.did_key import KeyType, encode_did_key

# Installed in every page of the context. ``window.__closePlan`` (set by the test) picks the
# moment: "wallet" (the wallet is asked to sign), "issued" (the put is issued, its
# transaction not committed), "success" (the put succeeded: the value is in the database's
# transaction, which commits once the page's task ends), "committed" (its transaction has
# committed), "put" (the put is issued; the page is not held). At the first four the page
# is held busy for BUSY_MS, long enough for the test to close it while it is there.
BUSY_MS = 5000
MARK = "did-session-test:"
HOOK = """
(() => {
  const BUSY_MS = __BUSY_MS__, MARK = "__MARK__";
  const hold = (what) => {
    console.log(MARK + what);
    const end = performance.now() + BUSY_MS;
    while (performance.now() < end) {}
  };
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    const req = put.apply(this, args);
    const plan = window.__closePlan;
    if (plan === 'issued') hold('issued');
    else if (plan === 'put') console.log(MARK + 'put');
    else if (plan === 'success') req.addEventListener('success', () => hold('success'));
    else if (plan === 'committed') {
      // Registered before the library's own oncomplete: runs first, after the commit.
      this.transaction.addEventListener('complete', () => hold('committed'));
    }
    return req;
  };
  window.__watchWallet = () => {
    const provider = window.ethereum, request = provider.request;
    provider.request = function (args) {
      if (args && args.method === 'personal_sign' && window.__closePlan === 'wallet') {
        hold('wallet');
      }
      return request.call(this, args);
    };
  };
})();
""".replace("__BUSY_MS__", str(BUSY_MS)).replace("__MARK__", MARK)

# Check the stored session in a freshly loaded harness page: loaded by DIDSession.get with
# no wallet prompt, signs, verifies, covers what it claims; the key is a non-extractable
# CryptoKey. Raises (an untyped error included) if anything is off.
CHECK_STORED = """
stored = await DIDSession.get(account, auth, resources=want)
jws = await stored.did.create_jws({"after": "close"})
checked = await verify_jws(jws, capability=stored.cacao, issuer=stored.id)
{"did": stored.did.id, "authorized": stored.is_authorized(want),
 "has": await DIDSession.has_session_for(account, resources=want),
 "expired": stored.is_expired, "extractable": stored.signer.extractable,
 "key_is_cryptokey": (js.Object.prototype.toString.call(stored.signer.key_pair.privateKey)
                      == "[object CryptoKey]"),
 "kid_ok": checked.kid.startswith(stored.did.id + "#")}
"""


def did_of(entry: dict[str, Any]) -> str:
    return encode_did_key(KeyType.P256, crypto.p256_compress(bytes(entry["publicKey"])))


def assert_complete(entry: dict[str, Any] | None) -> None:
    """The raw IndexedDB entry is a whole session: the JS layout, a non-extractable
    CryptoKey, and a CACAO whose audience is that very key (not a mix of two sessions)."""
    assert entry is not None, "the stored session is gone"
    assert entry["valueKeys"] == ["cacao", "keypair"]
    assert entry["pairKeys"] == ["privateKey", "publicKey"]
    assert entry["extractable"] is False
    assert entry["exportErrors"] == ["InvalidAccessError"] * 3
    assert entry["cacao"]["p"]["aud"] == did_of(entry)


def check_stored_session(page: Page, entry: dict[str, Any]) -> None:
    """``DIDSession.get`` loads the stored entry in ``page`` without asking the wallet."""
    want = entry["cacao"]["p"]["resources"]
    run_py(page, f"want = {want!r}")
    result = run_py(page, CHECK_STORED)
    assert result == {
        "did": entry["cacao"]["p"]["aud"],
        "authorized": True,
        "has": True,
        "expired": False,
        "extractable": False,
        "key_is_cryptokey": True,
        "kid_ok": True,
    }
    assert personal_signs(page) == 0


def browser_pid(profile_dir: Path) -> int:
    """The pid of the Chromium browser process on ``profile_dir`` (started by this test)."""
    found: dict[int, int] = {}  # pid -> ppid, of processes on this profile
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if f"--user-data-dir={profile_dir}".encode() in cmdline and not any(
            arg.startswith(b"--type=") for arg in cmdline
        ):
            found[int(entry.name)] = ppid
    roots = [pid for pid, ppid in found.items() if ppid not in found]
    assert len(roots) == 1, found
    return roots[0]


# how the page goes away -> [(moment, delay after it in s, what may be stored afterwards:
# "old" only, "new" only or either)]. Split in two tests each (~10 s apiece: a harness load
# per case).
EITHER = ("old", "new")
Case = tuple[str, float, tuple[str, ...]]
TIMINGS: dict[str, list[Case]] = {
    # The tab is closed (page.close): what committed stays, what did not is dropped.
    "page-close-1": [
        ("wallet", 0, ("old",)),
        ("issued", 0, ("old",)),
        ("success", 0, ("old",)),
    ],
    "page-close-2": [
        ("committed", 0, ("new",)),
        ("put", 0, EITHER),
        ("put", 0.02, EITHER),
    ],
    # The whole browser is killed (SIGKILL) and restarted on its profile: a committed
    # transaction may not have reached the disk (Chromium's default IndexedDB durability is
    # "relaxed"), so after "committed" either is fine.
    "browser-kill-1": [
        ("issued", 0, ("old",)),
        ("success", 0, ("old",)),
    ],
    "browser-kill-2": [
        ("committed", 0, EITHER),
        ("put", 0.01, EITHER),
    ],
}


@pytest.mark.wallet()
@pytest.mark.parametrize("cases", list(TIMINGS))
def test_closed_during_write(
    cases: str,
    browser_session: BrowserSession,
    server: SiteServer,
    request_recorder: RequestRecorder,
) -> None:
    """A stored session; then gets that must write a new one, each interrupted at a chosen
    moment by closing the tab or killing the browser. Afterwards the entry is the complete
    old session or the complete new one, loaded by DIDSession.get without the wallet."""
    how = cases.rsplit("-", 1)[0]
    browser_session.add_init_script(HOOK)
    page = browser_session.page
    open_harness(page, server)
    run_py(page, PRELUDE)
    run_py(page, "(await DIDSession.get(account, auth, resources=RES)).did.id")
    old = page.evaluate(READ_ENTRY, ACCOUNT)
    assert_complete(old)
    outcomes: list[str] = []
    for n, (moment, delay, allowed) in enumerate(TIMINGS[cases]):
        case = f"{how} #{n} at {moment!r} +{delay * 1000:.0f} ms"
        new_resources = [f"ceramic://write-{n}"]  # not covered by what is stored: a write
        page.evaluate("window.__watchWallet()")
        page.evaluate("plan => { window.__closePlan = plan; }", moment)
        with page.expect_event(
            "console", lambda m, mark=MARK + moment: m.text == mark, timeout=30_000
        ):
            start_py(
                page, f"(await DIDSession.get(account, auth, resources={new_resources!r})).did.id"
            )
        time.sleep(delay)
        if how == "page-close":
            page.close()
        else:
            pid = browser_pid(browser_session.profile_dir)
            with browser_session.context.expect_event("close"):  # Playwright saw it die
                os.kill(pid, signal.SIGKILL)
            browser_session.relaunch()
        page = browser_session.page
        open_harness(page, server)
        run_py(page, PRELUDE)
        entry = page.evaluate(READ_ENTRY, ACCOUNT)
        assert_complete(entry)
        if entry["cacao"] == old["cacao"]:
            outcome = "old"
            assert entry["publicKey"] == old["publicKey"], case
        else:
            outcome = "new"
            assert entry["cacao"]["p"]["resources"] == new_resources, case
            assert entry["publicKey"] != old["publicKey"], case
        assert outcome in allowed, f"{case}: {outcome} stored"
        check_stored_session(page, entry)
        outcomes.append(f"{moment}+{delay * 1000:.0f}ms: {outcome}")
        old = entry
    print(f"\n{cases}: " + ", ".join(outcomes))
    errors = [line for line in browser_session.console if line.startswith("[pageerror]")]
    assert errors == []
    assert request_recorder.foreign() == []


ATTEMPT = """
async def attempt(resources):
    # get() under a quota: the typed error's class and message, or None if it worked.
    try:
        await DIDSession.get(account, auth, resources=resources)
    except E.StorageError as e:
        return [type(e).__name__, str(e), isinstance(e, E.DIDSessionError)]
    except BaseException as e:
        return [f"UNEXPECTED {type(e).__name__}", str(e), False]
    return None

async def bounded(coro):
    # A hang is a failure, not a stuck test.
    import asyncio
    try:
        return await asyncio.wait_for(coro, 20)
    except TimeoutError:
        return ["HANG", "", False]
"""

QUOTA_MESSAGE = (
    "IndexedDB write failed: QuotaExceededError (the browser's storage quota for this site is"
    " exhausted: nothing was written; free some space or clear this site's data)"
)


@pytest.mark.wallet()
def test_quota_exceeded(
    harness_page: Page, browser_session: BrowserSession, server: SiteServer
) -> None:
    """Chromium's quota override for the origin (DevTools ``Storage.overrideQuotaForOrigin``,
    what "Simulate custom storage quota" does): IndexedDB itself aborts the write with
    QuotaExceededError."""
    page = harness_page
    run_py(page, PRELUDE)
    run_py(page, ATTEMPT)

    sessions: dict[int, Any] = {}

    def set_quota(size: int | None) -> dict[str, Any]:
        # Through the current page's DevTools session, kept open: the override lasts as long
        # as the session. None lifts it.
        page = browser_session.page
        if id(page) not in sessions:
            sessions[id(page)] = browser_session.context.new_cdp_session(page)
        cdp = sessions[id(page)]
        params: dict[str, Any] = {"origin": server.origin}
        if size is not None:
            params["quotaSize"] = size
        cdp.send("Storage.overrideQuotaForOrigin", params)
        return dict(cdp.send("Storage.getUsageAndQuota", {"origin": server.origin}))

    # 1. A fresh origin (no database yet) with a quota of 1 byte: the database opens, the
    # write of the first session is refused.
    usage = set_quota(1)
    assert usage["overrideActive"] is True and usage["quota"] == 1
    assert run_py(page, "await bounded(attempt(RES))") == ["StorageQuotaError", QUOTA_MESSAGE, True]
    assert personal_signs(page) == 1  # the wallet signed; the write failed
    assert page.evaluate(READ_ENTRY, ACCOUNT) is None
    assert run_py(page, "await DIDSession.has_session_for(account, resources=RES)") is False

    # 2. The quota lifted: a session is stored.
    set_quota(None)
    did = run_py(page, "(await DIDSession.get(account, auth, resources=RES)).did.id")
    assert personal_signs(page) == 2
    stored = page.evaluate(READ_ENTRY, ACCOUNT)
    assert_complete(stored)
    assert stored["cacao"]["p"]["aud"] == did

    # 3. Over quota: the browser restarted on the profile, the origin's quota set to 1 byte
    # before the page opens (Chromium's IndexedDB caches the space left while its database
    # is in use: a lower quota set later is only seen by a new browser). Reads still work
    # and use the stored session; a get that needs a new session fails with
    # StorageQuotaError after the wallet signed, and the stored session is left intact.
    browser_session.relaunch()
    page = browser_session.page
    usage = set_quota(1)
    assert usage["overrideActive"] is True and usage["quota"] == 1
    open_harness(page, server)
    run_py(page, PRELUDE)
    run_py(page, ATTEMPT)
    assert run_py(
        page,
        "[await DIDSession.has_session_for(account, resources=RES),"
        " (await DIDSession.get(account, auth, resources=RES)).did.id]",
    ) == [True, did]
    assert personal_signs(page) == 0  # the stored session was used: no wallet prompt
    assert run_py(page, "await bounded(attempt(['ceramic://more']))") == [
        "StorageQuotaError",
        QUOTA_MESSAGE,
        True,
    ]
    assert personal_signs(page) == 1
    assert page.evaluate(READ_ENTRY, ACCOUNT) == stored
    assert run_py(page, "await DIDSession.has_session_for(account, resources=RES)") is True

    # 4. The quota lifted, in a new page: the old session loads without the wallet, and
    # writes work again.
    set_quota(None)
    page.close()
    page = browser_session.page
    open_harness(page, server)
    run_py(page, PRELUDE)
    check_stored_session(page, stored)
    newer = run_py(
        page, "(await DIDSession.get(account, auth, resources=['ceramic://more'])).did.id"
    )
    assert newer != did
    assert personal_signs(page) == 1
    assert page.evaluate(READ_ENTRY, ACCOUNT)["cacao"]["p"]["aud"] == newer
    errors = [line for line in browser_session.console if line.startswith("[pageerror]")]
    assert errors == []
