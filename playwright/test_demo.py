"""The demo dapp (web/index.html + app.py), driven through its UI: clicks and typing.

The page states its progress in the DOM: ``body[data-state]`` and the JSON in
``<script id="status">`` (``seq`` counts finished actions), so these tests read data, not
pixels. Flows are grouped into few tests: each Chromium launch + Pyodide start costs seconds.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest
from browser_kit import (
    ARTIFACTS,
    ROOT,
    TIMEOUT_MS,
    Authenticator,
    BrowserSession,
    RequestRecorder,
    SiteServer,
    wallet_calls,
)
from playwright.sync_api import BrowserContext, Page

import did_session

HARDHAT0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
ACCOUNT = f"eip155:1:{HARDHAT0}"
PKH = f"did:pkh:eip155:1:{HARDHAT0}"
# The README's screenshot: refreshed only on request (DID_SESSION_UPDATE_DOCS=1), so that a
# test run never dirties the checkout.
DOCS_PNG = ROOT / "docs" / "demo.png"


def status(page: Page) -> dict[str, Any]:
    return dict(json.loads(page.text_content("#status") or "{}"))


def open_demo(page: Page, server: SiteServer, path: str = "") -> dict[str, Any]:
    page.goto(server.page_url(path))
    # Never blank: the pure HTML/CSS progress indicator is there before Python runs.
    assert page.is_visible("#boot-pill")
    page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=TIMEOUT_MS)
    st = status(page)
    assert page.evaluate("document.body.dataset.state") == "ready", st
    assert st["state"] == "ready"
    return st


def click(page: Page, button: str) -> dict[str, Any]:
    """Click ``#button`` and wait until the page has finished that action."""
    seq = status(page)["seq"]
    page.click(f"#{button}")
    page.wait_for_function(
        "seq => { const s = JSON.parse(document.getElementById('status').textContent);"
        " return s.seq > seq && !s.busy; }",
        arg=seq,
    )
    return status(page)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"demo-{name}.png"), full_page=True)


@pytest.mark.wallet()
def test_demo_session_lifecycle(
    page: Page,
    server: SiteServer,
    browser_session: BrowserSession,
    request_recorder: RequestRecorder,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    st = open_demo(page, server)
    assert st["wallet"] is True and st["account"] is None
    assert 0 < st["ready_ms"] < TIMEOUT_MS
    assert page.text_content("#boot-text") == f"Ready in {st['ready_ms'] / 1000:.1f} s"
    assert page.is_hidden("#boot")  # the progress bar is gone
    assert page.is_disabled("#create")  # nothing to do before connecting

    # Connect the wallet.
    st = click(page, "connect")
    assert st["error"] is None, st
    assert st["account"] == ACCOUNT and st["chain"] == "eip155:1"
    assert page.text_content("#account") == ACCOUNT

    # A persisted session for typed resources and a chosen lifetime; the wallet signs once.
    page.fill("#resources", "")
    page.type("#resources", "ceramic://*, ceramic://demo")
    page.select_option("#lifetime", "3600")
    st = click(page, "create")
    assert st["error"] is None, st
    assert st["did"].startswith("did:key:zDna")  # P-256 WebCrypto key
    assert st["pkh"] == PKH
    assert st["resources"] == ["ceramic://*", "ceramic://demo"]
    assert st["cid"].startswith("bafyrei")
    assert st["extractable"] is False
    assert 3500 < st["expires_in"] <= 3600
    assert page.text_content("#cid") == st["cid"]
    assert "non-extractable" in (page.text_content("#extractable") or "")
    calls = wallet_calls(page)
    assert calls.get("personal_sign") == 1 and calls.get("eth_requestAccounts") == 1, calls
    countdown = page.text_content("#countdown")
    page.wait_for_function(
        "before => document.getElementById('countdown').textContent !== before", arg=countdown
    )  # a live countdown

    # Sign text, then JSON; both verify. Then tamper: verification fails, with the reason.
    page.fill("#payload", "")
    page.type("#payload", "gm from a test")
    st = click(page, "sign")
    assert st["jws_valid"] is True, st
    assert st["jws_payload"] == "gm from a test"
    assert st["jws_issuer"] == PKH and st["jws_signer"] == st["did"]
    # What the user typed is shown as text, never parsed as HTML.
    markup = '<img src="x" onerror="window.pwned = 1"> hi'
    page.fill("#payload", markup)
    st = click(page, "sign")
    assert st["jws_payload"] == markup
    assert markup in (page.text_content("#verify-result") or "")
    assert page.locator("#verify-result img").count() == 0
    assert page.evaluate("window.pwned") is None
    page.check("#kind-json")
    page.fill("#payload", '{"hello": "world", "n": 1}')
    st = click(page, "sign")
    assert st["jws_valid"] is True, st
    assert json.loads(st["jws_payload"]) == {"hello": "world", "n": 1}
    jws = json.loads(page.text_content("#jws") or "{}")
    assert set(jws) == {"payload", "signatures"}
    assert "Valid signature" in (page.text_content("#verify-result") or "")
    shot(page, "signed")
    assert (ARTIFACTS / "demo-signed.png").stat().st_size < 300_000
    if os.environ.get("DID_SESSION_UPDATE_DOCS") == "1":
        shutil.copyfile(ARTIFACTS / "demo-signed.png", DOCS_PNG)
    st = click(page, "tamper")
    assert st["tamper_valid"] is False
    assert st["tamper_error_class"] == "InvalidSignatureError"
    assert "InvalidSignatureError" in (page.text_content("#tamper-result") or "")
    shot(page, "signed-and-tampered")
    did, cid = st["did"], st["cid"]

    # Restart the browser on the same profile: the session comes back, no wallet prompt.
    browser_session.relaunch()
    page = browser_session.page
    page.set_viewport_size({"width": 1280, "height": 900})
    st = open_demo(page, server)
    assert st["restored"] is True, st
    assert (st["did"], st["cid"], st["account"]) == (did, cid, ACCOUNT)
    assert st["extractable"] is False
    assert wallet_calls(page) == {}  # the wallet was not asked anything
    st = click(page, "sign")
    assert st["jws_valid"] is True

    # A portable session: copy its string, paste it into the loader: the same did:key.
    browser_session.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=server.origin
    )
    st = click(page, "authorize")
    assert st["error"] is None, st
    assert st["portable_did"].startswith("did:key:z6Mk")  # Ed25519
    assert st["portable_pkh"] == PKH
    assert wallet_calls(page).get("personal_sign") == 1
    assert "sessionKeySeed" not in json.dumps(st)  # the seed stays in the textarea only
    st = click(page, "copy")
    assert st["copied"] is True
    page.focus("#paste")
    page.keyboard.press("ControlOrMeta+V")
    serialized = page.input_value("#serialized")
    assert page.input_value("#paste") == serialized
    st = click(page, "load")
    assert st["load_error"] is None
    assert (st["loaded_did"], st["loaded_pkh"]) == (st["portable_did"], PKH)
    shot(page, "portable")

    # A bad string is refused plainly; a truncated real one too.
    page.fill("#paste", "this is not a session")
    st = click(page, "load")
    assert st["loaded_did"] is None
    assert st["load_error_class"] == "SerializedSessionError", st
    assert "SerializedSessionError" in (page.text_content("#load-result") or "")
    page.fill("#paste", serialized[: len(serialized) // 2])
    st = click(page, "load")
    assert st["load_error"] and st["loaded_did"] is None
    assert page.evaluate("document.body.dataset.state") == "ready"

    # Log out: the session is gone, also after a reload.
    st = click(page, "logout")
    assert st["logged_out"] is True and st["did"] is None
    assert page.is_disabled("#sign")
    st = open_demo(page, server)
    assert st["restored"] is not True and st["did"] is None
    assert page.is_visible("#session-empty") and page.is_hidden("#renew")
    assert wallet_calls(page) == {}
    assert request_recorder.foreign() == []


@pytest.mark.wallet(mode="reject")
def test_demo_wallet_refusal(
    page: Page, server: SiteServer, request_recorder: RequestRecorder
) -> None:
    open_demo(page, server)
    st = click(page, "connect")
    assert st["error"].startswith("UserRejectedError"), st
    assert st["message_kind"] == "warn"
    assert "declined" in (page.text_content("#message") or "")
    assert st["account"] is None
    # Still usable: the buttons work and the page did not crash.
    assert page.is_enabled("#connect")
    page.fill("#paste", "eyJub3QiOiJhIHNlc3Npb24ifQ")
    st = click(page, "load")
    assert st["load_error_class"] == "SerializedSessionError"
    assert page.evaluate("document.body.dataset.state") == "ready"
    shot(page, "refused")
    assert request_recorder.foreign() == []


def test_demo_without_wallet_and_micropip_page(
    page: Page, server: SiteServer, request_recorder: RequestRecorder
) -> None:
    st = open_demo(page, server)
    assert st["wallet"] is False
    assert page.is_visible("#no-wallet")
    assert "MetaMask" in (page.text_content("#no-wallet") or "")
    st = click(page, "connect")
    assert st["error"].startswith("WalletUnavailableError"), st
    assert "MetaMask" in (page.text_content("#message") or "")
    shot(page, "no-wallet")

    # The usual PyScript way: `packages` through micropip (from the site's own lock/wheels).
    page.goto(server.page_url("micropip.html"))
    page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=TIMEOUT_MS)
    version = did_session.__version__
    assert page.evaluate("({...document.body.dataset})") == {"state": "ready", "version": version}
    assert page.text_content("#version") == version
    assert any(u.endswith("/micropip-0.11.1-py3-none-any.whl") for u in request_recorder.urls)
    assert request_recorder.foreign() == []


@pytest.mark.wallet()
def test_demo_expired_session_offers_renewal(
    page: Page, server: SiteServer, request_recorder: RequestRecorder
) -> None:
    open_demo(page, server)
    click(page, "connect")
    page.select_option("#lifetime", "60")
    st = click(page, "create")
    assert st["error"] is None and 0 < st["expires_in"] <= 60, st
    old_did = st["did"]
    # Jump the page's clock (Date, timers: what Python's time.time() and asyncio use).
    page.clock.install()
    page.clock.fast_forward("02:00")
    page.wait_for_function("JSON.parse(document.getElementById('status').textContent).expired")
    st = status(page)
    assert st["expires_in"] == 0
    assert page.text_content("#countdown") == "expired"
    assert page.is_visible("#renew") and page.is_disabled("#sign")
    assert "expired" in (page.text_content("#message") or "")
    st = click(page, "renew")
    assert st["error"] is None and st["expired"] is False, st
    assert st["did"] != old_did and st["expires_in"] > 0
    assert wallet_calls(page).get("personal_sign") == 2  # renewal asks the wallet once more
    assert page.is_hidden("#renew") and page.is_enabled("#sign")
    st = click(page, "sign")
    assert st["jws_valid"] is True
    assert request_recorder.foreign() == []


@pytest.mark.wallet()
def test_demo_with_a_solana_wallet(
    page: Page, server: SiteServer, browser_session: BrowserSession
) -> None:
    """Both kinds in the page: the person chooses Solana, connects, creates, signs."""
    from browser_kit import install_solana_wallet_at_start, solana_wallet_calls

    install_solana_wallet_at_start(browser_session, secretKey=os.urandom(32).hex())
    st = open_demo(page, server)
    assert st["wallet_kinds"] == ["ethereum", "solana"] and st["wallet_kind"] == "ethereum"
    assert page.is_visible("#wallet-kind")
    page.select_option("#wallet-kind", "solana")
    page.wait_for_function(
        "() => JSON.parse(document.getElementById('status').textContent).wallet_kind === 'solana'"
    )
    st = click(page, "connect")
    address = page.evaluate("() => window.__solanaTestWallet.testInfo.address")
    assert st["error"] is None, st
    assert st["account"] == f"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:{address}"
    st = click(page, "create")
    assert st["error"] is None, st
    assert st["pkh"] == f"did:pkh:{st['account']}" and st["did"].startswith("did:key:zDna")
    assert solana_wallet_calls(page) == {"connect": 1, "signMessage": 1}
    assert wallet_calls(page).get("personal_sign") is None  # Ethereum's was not asked
    page.fill("#payload", "gm from solana")
    st = click(page, "sign")
    assert st["jws_valid"] is True and st["jws_issuer"] == st["pkh"], st

    # A reload restores the Solana session without asking the wallet.
    st = open_demo(page, server)
    assert st["wallet_kind"] == "solana" and st["restored"] is True, st
    assert page.input_value("#wallet-kind") == "solana"


def test_demo_sign_in_with_a_passkey(
    page: Page, context: BrowserContext, local_server: SiteServer
) -> None:
    """No wallet at all: the passkey button (the page on localhost: WebAuthn refuses IP RP
    ids), the virtual authenticator, a reload with no ceremony, sign out, a refusal."""
    st = open_demo(page, local_server)
    assert st["passkeys"] is True and st["wallet"] is False
    assert page.is_visible("#passkey") and page.is_enabled("#passkey")
    assert page.is_visible("#no-wallet")
    authenticator = Authenticator(context, page)
    st = click(page, "passkey")
    assert st["error"] is None, st
    did = st["account"]
    assert did.startswith("did:key:zDn") and st["pkh"] == did and st["chain"].startswith("passkey")
    assert st["did"].startswith("did:key:zDn") and st["extractable"] is False
    assert st["passkey_created"] is True and "Passkey created" in st["message"]
    # The page now speaks of the passkey: no "No Ethereum wallet found", the passkey's hint.
    assert not page.is_visible("#no-wallet")
    assert (page.text_content("#session-hint") or "").startswith("Your passkey signs")
    (credential,) = authenticator.credentials()
    assert credential["rpId"] == "localhost"
    count = authenticator.sign_count()
    session_did = st["did"]
    page.fill("#payload", "gm from a passkey")
    st = click(page, "sign")
    assert st["jws_valid"] is True and st["jws_issuer"] == did, st
    assert st["jws_signer"] == session_did

    # A reload: the session comes back with no ceremony.
    page.reload()
    st = open_demo(page, local_server)
    assert st["restored"] is True and st["did"] == session_did and st["account"] == did
    st = click(page, "sign")
    assert st["jws_valid"] is True, st
    assert authenticator.sign_count() == count

    # Sign out, then in again: the remembered passkey signs once; no new passkey.
    st = click(page, "logout")
    assert st["logged_out"] is True and st["did"] is None
    st = click(page, "passkey")
    assert st["error"] is None and st["passkey_created"] is False, st
    assert st["account"] == did and st["did"] != session_did
    assert authenticator.sign_count() == count + 1 and len(authenticator.credentials()) == 1
    shot(page, "passkey")

    # The authenticator loses the credential: asking it for a wider session is refused,
    # typed and told; the session shown and stored stays.
    kept = st["did"]
    authenticator.send("clearCredentials")
    page.fill("#resources", "ceramic://*, ceramic://more")
    st = click(page, "passkey")
    assert st["error"].startswith("PasskeyRefusedError"), st
    assert st["message_kind"] == "warn" and st["did"] == kept
    page.reload()
    st = open_demo(page, local_server)
    assert st["restored"] is True and st["did"] == kept
