"""The demo dapp's logic (web/demo_logic.py) on CPython, with real did_session objects.

The wallet is tests/wallet.py (signs for real with eth-account), sessions live in a real
MemoryStore, keys come from the host back end; only the clock is ours, to jump past expiry.
playwright/test_demo.py drives the same logic through the page.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import json
from pathlib import Path

import pytest
from web.demo_logic import (
    PASSKEY_HINT,
    PREFS_KEY,
    WALLET_HINT,
    Demo,
    EthereumWallet,
    InputError,
    Notice,
    Prefs,
    fmt_duration,
    parse_payload,
    parse_resources,
    tampered,
)

from did_session import (
    DIDSession,
    MemoryStore,
    PasskeyRefusedError,
    StorageUnavailableError,
    TimePolicy,
    verify_jws,
)
from did_session.auth import AuthMethod
from tests.wallet import PasskeyTestAuthenticator, TestWallet

ADDRESS = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
ACCOUNT = f"eip155:1:{ADDRESS}"
PKH = f"did:pkh:{ACCOUNT}"
DOMAIN = "demo.example"
T0 = 1_800_000_000.0


class DictStorage:
    """The page's localStorage, in a dict."""

    def __init__(self, **items: str) -> None:
        self.items = dict(items)

    def get(self, key: str) -> str | None:
        return self.items.get(key)

    def set(self, key: str, value: str) -> None:
        self.items[key] = value


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class SoftwarePasskeys:
    """The page's passkeys (demo_logic.Passkeys) on CPython: one software authenticator
    (a real P-256 signer, tests/wallet.py), its did:key remembered once created, as the
    page's PasskeyStore does. ``mode="reject"``: the person cancels the creation."""

    def __init__(self, *, available: bool = True, mode: str = "sign") -> None:
        self.available = available
        self.mode = mode
        self.authenticator = PasskeyTestAuthenticator(rp_id=DOMAIN, origin=f"https://{DOMAIN}")
        self.dids: list[str] = []
        self.created = 0

    async def remembered(self) -> list[str]:
        return list(self.dids)

    async def create(self) -> str:
        if self.mode == "reject":
            raise PasskeyRefusedError("passkey creation failed: NotAllowedError: cancelled")
        self.created += 1
        self.dids.insert(0, self.authenticator.did)
        return self.authenticator.did

    def auth_method(self, did: str) -> AuthMethod:
        assert did in self.dids
        return self.authenticator


class Browser:
    """What survives a page reload: the session store, localStorage, the clock and the
    passkeys."""

    def __init__(self, mode: str = "sign") -> None:
        self.store = MemoryStore()
        self.storage = DictStorage()
        self.clock = Clock()
        self.wallet = TestWallet(mode=mode)
        self.passkeys = SoftwarePasskeys()
        self.renders = 0

    def demo(self, provider: object = "wallet") -> Demo:
        def render() -> None:
            self.renders += 1

        return Demo(
            EthereumWallet(self.wallet if provider == "wallet" else provider, domain=DOMAIN),
            self.storage,
            clock=self.clock,
            store=self.store,
            passkeys=self.passkeys,
            on_change=render,
        )

    def reload(self) -> Demo:
        self.wallet = TestWallet(mode=self.wallet.mode)  # a fresh page: no calls yet
        return self.demo()


async def started(browser: Browser) -> Demo:
    demo = browser.demo()
    await demo.start()
    return demo


async def connect(demo: Demo) -> Demo:
    assert await demo.run("connect", demo.connect)
    assert demo.error is None, demo.message
    return demo


async def with_session(demo: Demo, resources: str = "ceramic://*", lifetime: str = "3600") -> Demo:
    await connect(demo)
    await demo.run("create", lambda: demo.create(resources, lifetime))
    assert demo.error is None, demo.message
    return demo


async def test_a_first_visit_offers_connect_only() -> None:
    browser = Browser()
    demo = await started(browser)
    assert demo.phase == "ready" and demo.account is None and demo.session is None
    assert demo.message is None and demo.restored is None and demo.expired is None
    assert demo.wallet.available
    c = demo.controls()
    assert c.connect and c.load and c.connect_label == "Connect wallet"
    assert not (c.create or c.sign or c.tamper or c.authorize or c.renew_shown or c.logout_shown)
    assert not c.no_wallet_shown and c.session_hint == WALLET_HINT
    assert browser.wallet.calls == {}


async def test_connect_then_create_sign_verify_and_tamper() -> None:
    browser = Browser()
    demo = await connect(await started(browser))
    assert str(demo.account) == ACCOUNT and demo.account.chain == "eip155:1"
    assert demo.message.kind == "ok" and ADDRESS in demo.message.text
    assert json.loads(browser.storage.items[PREFS_KEY])["account"] == ACCOUNT
    assert demo.controls().connect_label == "Reconnect wallet" and demo.controls().create

    await demo.run("create", lambda: demo.create("ceramic://*, ceramic://demo\n", "3600"))
    assert demo.error is None, demo.message
    session = demo.session
    assert session is not None and session.id == PKH
    assert session.did.id.startswith("did:key:zDna")  # P-256, as DIDSession.get makes
    assert session.authorizations == ["ceramic://*", "ceramic://demo"]
    assert browser.wallet.signed[0].startswith(f"{DOMAIN} wants you to sign in")
    assert (demo.expired, demo.expires_in, demo.countdown()) == (False, 3600, "1 h 00 min 00 s")
    assert browser.wallet.calls["personal_sign"] == 1
    assert await DIDSession.has_session_for(
        ACCOUNT, resources=["ceramic://demo"], store=browser.store
    )
    assert json.loads(browser.storage.items[PREFS_KEY]) == {
        "account": ACCOUNT,
        "resources": ["ceramic://*", "ceramic://demo"],
        "lifetime": 3600,
        "session": True,
    }
    c = demo.controls()
    assert c.sign and not c.tamper and c.logout_shown and c.create_label == "Create new session"

    await demo.run("sign", lambda: demo.sign("gm from a test", as_json=False))
    signed = demo.signed
    assert signed is not None and signed.payload == "gm from a test"
    assert (signed.issuer, signed.signer) == (PKH, session.did.id)
    # What the page shows verifies for anyone, independently of the demo.
    assert (
        await verify_jws(
            signed.jws, capability=session.cacao, time_policy=TimePolicy(clock=browser.clock)
        )
    ).issuer == PKH
    assert demo.verify_notice() == Notice(
        "ok",
        "✓ Valid signature",
        "signed by the session key under your capability.",
        (("Issuer", PKH), ("Signer", session.did.id), ("Payload", "gm from a test")),
    )
    await demo.run("sign", lambda: demo.sign('{"hello": "world", "n": 1}', as_json=True))
    assert json.loads(demo.signed.payload) == {"hello": "world", "n": 1}
    assert demo.controls().tamper and demo.tamper_notice() is None

    await demo.run("tamper", demo.tamper_and_verify)
    assert demo.error is None and demo.tamper_verified is False
    assert demo.tamper.error_class == "InvalidSignatureError"
    notice = demo.tamper_notice()
    assert notice.kind == "bad" and notice.detail.startswith("InvalidSignatureError: ")
    assert demo.message.kind == "ok" and "does not verify" in demo.message.text
    assert demo.seq == 5 and not demo.busy


async def test_a_reload_restores_the_session_without_the_wallet() -> None:
    browser = Browser()
    first = await with_session(await started(browser), "ceramic://demo", "900")
    demo = browser.reload()
    await demo.start()
    assert demo.restored is True and browser.wallet.calls == {}
    assert demo.session.did.id == first.session.did.id
    assert demo.session.cacao.cid == first.session.cacao.cid
    assert demo.prefs.resources == ("ceramic://demo",) and demo.prefs.lifetime == 900
    assert demo.message.kind == "ok" and "restored" in demo.message.text
    assert demo.expires_in == 900 and not demo.controls().renew_shown
    await demo.run("sign", lambda: demo.sign("after a reload", as_json=False))
    assert demo.signed.payload == "after a reload" and browser.wallet.calls == {}


async def test_expiry_is_announced_once_and_renewal_asks_the_wallet_again() -> None:
    browser = Browser()
    demo = await with_session(await started(browser), lifetime="60")
    old = demo.session.did.id
    browser.clock.now += 30
    demo.tick()
    assert (demo.expired, demo.expires_in, demo.countdown()) == (False, 30, "0 min 30 s")
    browser.clock.now += 90
    demo.tick()
    assert (demo.expired, demo.expires_in, demo.countdown()) == (True, 0, "expired")
    assert demo.message.kind == "warn" and "expired" in demo.message.text
    c = demo.controls()
    assert c.renew_shown and c.renew and not c.sign
    renders = browser.renders
    demo.tick()  # announced once, not every second
    assert browser.renders == renders
    await demo.run("sign", lambda: demo.sign("too late", as_json=False))
    assert demo.error.startswith("InputError") and demo.signed is None

    await demo.run("renew", lambda: demo.create("ceramic://*", "60", renew=True))
    assert demo.error is None and demo.message.text == "Session renewed."
    assert demo.session.did.id != old and demo.expired is False and demo.expires_in == 60
    assert browser.wallet.calls["personal_sign"] == 2
    assert not demo.controls().renew_shown and demo.controls().sign


async def test_a_reload_after_expiry_offers_renewal() -> None:
    browser = Browser()
    await with_session(await started(browser), lifetime="60")
    browser.clock.now += 61
    demo = browser.reload()
    await demo.start()
    assert demo.restored is False and demo.session is None and demo.expired is True
    assert str(demo.account) == ACCOUNT and browser.wallet.calls == {}
    assert demo.message.kind == "warn" and "previous session has expired" in demo.message.text
    assert demo.controls().renew_shown and demo.controls().create
    await demo.run("renew", lambda: demo.create("ceramic://*", "60", renew=True))
    assert demo.session is not None and demo.expired is False and not demo.previous_expired


async def test_logout_deletes_the_session_also_for_the_next_visit() -> None:
    browser = Browser()
    demo = await with_session(await started(browser))
    await demo.run("sign", lambda: demo.sign("x", as_json=False))
    await demo.run("logout", demo.logout)
    assert demo.session is None and demo.logged_out is True and demo.signed is None
    assert demo.verify_notice() is None and not demo.controls().sign
    assert not await DIDSession.has_session_for(
        ACCOUNT, resources=["ceramic://*"], store=browser.store
    )
    assert len(browser.store) == 0
    assert json.loads(browser.storage.items[PREFS_KEY])["session"] is False
    demo = browser.reload()
    await demo.start()
    assert demo.session is None and demo.restored is None and demo.message is None
    assert str(demo.account) == ACCOUNT  # still known, so "Create session" is offered
    assert not demo.controls().renew_shown and demo.controls().create


@pytest.mark.parametrize(
    ("mode", "error", "kind", "text"),
    [
        ("reject", "UserRejectedError", "warn", "declined"),
        ("garbage", "WalletResponseError", "error", "WalletResponseError"),
        ("other-account", "WalletResponseError", "error", "WalletResponseError"),
    ],
)
async def test_a_wallet_that_will_not_sign_changes_nothing(
    mode: str, error: str, kind: str, text: str
) -> None:
    browser = Browser()
    demo = await connect(await started(browser))
    browser.wallet.mode = mode
    await demo.run("create", lambda: demo.create("ceramic://*", "3600"))
    assert demo.error.startswith(error), demo.error
    assert demo.message.kind == kind and text in demo.message.text
    assert demo.session is None and len(browser.store) == 0 and not demo.busy
    assert json.loads(browser.storage.items[PREFS_KEY]).get("session") is False
    await demo.run("authorize", lambda: demo.authorize("ceramic://*", "3600"))
    assert demo.error.startswith(error) and demo.portable is None and demo.serialized is None
    assert demo.controls().connect and demo.controls().create  # still usable


async def test_a_refused_connection() -> None:
    browser = Browser(mode="reject")
    demo = await started(browser)
    await demo.run("connect", demo.connect)
    assert demo.error.startswith("UserRejectedError") and demo.account is None
    assert demo.message.kind == "warn" and "declined" in demo.message.text
    assert PREFS_KEY not in browser.storage.items and demo.controls().connect


async def test_without_a_wallet() -> None:
    browser = Browser()
    demo = browser.demo(provider=None)
    await demo.start()
    assert not demo.wallet.available and demo.controls().no_wallet_shown
    await demo.run("connect", demo.connect)
    assert demo.error.startswith("WalletUnavailableError")
    assert demo.message.kind == "warn" and "MetaMask" in demo.message.text
    assert demo.message.text == EthereumWallet.missing_message
    await demo.run("load", lambda: demo.load("eyJub3QiOiJhIHNlc3Npb24ifQ"))  # loading still works
    assert demo.load_failure.error_class == "SerializedSessionError"
    # Signed in with a passkey instead: the notice about the missing wallet goes.
    await passkey_sign_in(demo)
    assert demo.error is None and demo.session is not None
    assert not demo.controls().no_wallet_shown


async def test_typing_mistakes_are_told_and_never_reach_the_wallet() -> None:
    browser = Browser()
    demo = await with_session(await started(browser))
    calls = dict(browser.wallet.calls)
    for flow, said in [
        (lambda: demo.create(" , \n", "3600"), "Type at least one resource"),
        (lambda: demo.authorize("", "3600"), "Type at least one resource"),
        (lambda: demo.create("ceramic://*", "soon"), "positive number"),
        (lambda: demo.sign("{oops", as_json=True), "not valid JSON"),
        (lambda: demo.sign("42", as_json=True), "object or an array"),
    ]:
        await demo.run("x", flow)
        assert demo.error.startswith("InputError"), demo.error
        assert demo.message.kind == "error" and said in demo.message.text
    assert browser.wallet.calls == calls and demo.signed is None


async def test_actions_before_their_prerequisites_are_refused() -> None:
    demo = await started(Browser())
    for name, flow in [
        ("create", lambda: demo.create("ceramic://*", "60")),
        ("authorize", lambda: demo.authorize("ceramic://*", "60")),
        ("sign", lambda: demo.sign("x", as_json=False)),
        ("tamper", demo.tamper_and_verify),
        ("copy", lambda: demo.copy(lambda text: asyncio.sleep(0, True))),
    ]:
        await demo.run(name, flow)
        assert demo.error.startswith("InputError"), (name, demo.error)


async def test_portable_session_copy_and_load() -> None:
    browser = Browser()
    demo = await connect(await started(browser))
    await demo.run("authorize", lambda: demo.authorize("ceramic://*", "3600"))
    assert demo.error is None
    portable, text = demo.portable, demo.serialized
    assert portable.did.id.startswith("did:key:z6Mk") and portable.id == PKH
    assert text == portable.serialize() and demo.copied is False
    assert text not in browser.storage.items[PREFS_KEY]  # the seed is never remembered
    assert "sessionKeySeed" not in demo.message.text

    copied: list[str] = []

    async def clipboard(value: str) -> bool:
        copied.append(value)
        return True

    await demo.run("copy", lambda: demo.copy(clipboard))
    assert copied == [text] and demo.copied is True and demo.message.kind == "ok"

    async def no_clipboard(value: str) -> bool:
        return False

    demo2 = await connect(await started(Browser()))
    await demo2.run("authorize", lambda: demo2.authorize("ceramic://*", "3600"))
    await demo2.run("copy", lambda: demo2.copy(no_clipboard))
    assert demo2.copied is False and demo2.message.kind == "warn"

    await demo.run("load", lambda: demo.load(f"  {text}\n"))
    assert demo.load_failure is None and demo.loaded.did.id == portable.did.id
    notice = demo.load_notice()
    assert (notice.kind, notice.title) == ("ok", "✓ Session loaded")
    assert dict(notice.facts)["Signed in as"] == PKH
    assert dict(notice.facts)["Expires in"] == "1 h 00 min 00 s"
    assert "Session key" in dict(notice.facts) and text not in repr(notice)

    browser.clock.now += 7200  # a portable session that expired still loads, and says so
    await demo.run("load", lambda: demo.load(text))
    notice = demo.load_notice()
    assert (notice.kind, notice.title) == ("warn", "Session loaded (expired)")
    assert dict(notice.facts)["Expires in"] == "expired"


@pytest.mark.parametrize(
    ("pasted", "error_class"),
    [
        ("this is not a session", "SerializedSessionError"),
        ("eyJub3QiOiJhIHNlc3Npb24ifQ", "SerializedSessionError"),
        ("truncated", None),
        ("other seed", "CapabilityMismatchError"),
    ],
)
async def test_a_malformed_pasted_session_is_refused_plainly(
    pasted: str, error_class: str | None
) -> None:
    demo = await connect(await started(Browser()))
    await demo.run("authorize", lambda: demo.authorize("ceramic://*", "3600"))
    good = demo.serialized
    await demo.run("load", lambda: demo.load(good))
    if pasted == "truncated":
        pasted = good[: len(good) // 2]
    elif pasted == "other seed":  # a real session's CACAO with another key's seed
        other = json.loads(_b64url(good))
        other["sessionKeySeed"] = "A" * 43 + "="
        pasted = _b64url_text(json.dumps(other))
    await demo.run("load", lambda: demo.load(pasted))
    assert demo.loaded is None and demo.error is None  # refused, not a failed action
    assert demo.load_failure is not None
    if error_class:
        assert demo.load_failure.error_class == error_class
    notice = demo.load_notice()
    assert notice.kind == "bad" and notice.detail == demo.load_failure.text
    assert demo.message.kind == "error" and "not a valid serialized session" in demo.message.text
    await demo.run("load", lambda: demo.load("   "))
    assert demo.load_notice() is None and demo.message.kind == "warn"


def _b64url(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def _b64url_text(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "saved",
    [
        "{not json",
        "[]",
        json.dumps({"account": "eip155:1:not-an-address", "session": True}),
        json.dumps({"account": 7, "resources": [1, ""], "lifetime": True, "session": "yes"}),
    ],
)
async def test_garbage_in_local_storage_is_a_first_visit(saved: str) -> None:
    browser = Browser()
    browser.storage.items[PREFS_KEY] = saved
    demo = await started(browser)
    assert demo.phase == "ready" and demo.account is None and demo.message is None
    assert demo.prefs.resources == ("ceramic://*",) and demo.prefs.lifetime is None
    await connect(demo)  # and the page works
    assert json.loads(browser.storage.items[PREFS_KEY])["account"] == ACCOUNT


def test_prefs_round_trip() -> None:
    prefs = Prefs(account=ACCOUNT, resources=("a://1", "b://2"), lifetime=60, session=True)
    assert Prefs.from_json(prefs.to_json()) == prefs
    assert Prefs.from_json(None) == Prefs()


class FailingStore(MemoryStore):
    """A session store that cannot be opened (IndexedDB blocked by the browser)."""

    async def load(self, account_id: str) -> None:
        raise StorageUnavailableError("IndexedDB is not available")


async def test_a_store_that_fails_at_start_up_leaves_the_page_usable() -> None:
    browser = Browser()
    await with_session(await started(browser))
    browser.store = FailingStore()
    demo = browser.reload()
    await demo.start()
    assert demo.phase == "ready" and demo.error.startswith("StorageUnavailableError")
    assert demo.message.kind == "error" and "Could not restore your session" in demo.message.text
    await demo.run("create", lambda: demo.create("ceramic://*", "60"))
    assert demo.error.startswith("StorageUnavailableError") and demo.session is None
    assert demo.controls().connect


async def test_one_action_at_a_time_and_renders_while_busy() -> None:
    demo = await started(Browser())
    release = asyncio.Event()
    seen: list[bool] = []

    async def slow() -> None:
        seen.append(demo.controls().connect)
        await release.wait()

    first = asyncio.ensure_future(demo.run("slow", slow))
    await asyncio.sleep(0)
    assert demo.busy and seen == [False]  # every button disabled while it runs
    assert not any(
        getattr(demo.controls(), name) for name in ("connect", "load", "renew", "logout")
    )
    assert await demo.run("connect", demo.connect) is False  # a second click does nothing
    release.set()
    assert await first is True
    assert not demo.busy and demo.seq == 1 and demo.action == "slow"


async def test_a_bug_in_a_flow_is_reported_and_the_page_stays_usable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = await started(Browser())

    async def broken() -> None:
        raise RuntimeError("boom")

    await demo.run("broken", broken)
    assert demo.error == "RuntimeError: boom"
    assert (
        demo.message.kind == "error" and demo.message.text == "Unexpected error: RuntimeError: boom"
    )
    assert 'raise RuntimeError("boom")' in capsys.readouterr().err and not demo.busy
    await connect(demo)


def test_small_helpers() -> None:
    assert parse_resources("a://1, b://2\n\n c://3 ") == ["a://1", "b://2", "c://3"]
    with pytest.raises(InputError):
        parse_resources(" ,\n")
    assert parse_payload("é", as_json=False) == "é".encode()
    assert parse_payload("[1]", as_json=True) == [1]
    assert [fmt_duration(s) for s in (-5, 59, 3600, 90061)] == [
        "0 min 00 s",
        "0 min 59 s",
        "1 h 00 min 00 s",
        "1 d 01 h 01 min",
    ]
    jws = {"payload": "aGk", "signatures": []}
    assert tampered(jws)["payload"] == "aGkgKHRhbXBlcmVkKQ" and jws["payload"] == "aGk"


def test_the_logic_uses_only_the_public_api_and_no_browser_module() -> None:
    source = Path(__file__).resolve().parents[2] / "web" / "demo_logic.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert "did_session" in imported
    assert not {m for m in imported if m.startswith("did_session.")}, imported
    assert not {m for m in imported if m.split(".")[0] in {"js", "pyodide", "pyscript"}}


# ---- a second wallet kind: Solana ------------------------------------------------------------


def two_kinds(browser: Browser, solana: object) -> Demo:
    from web.demo_logic import SolanaWallet

    return Demo(
        [EthereumWallet(browser.wallet, domain=DOMAIN), SolanaWallet(solana, domain=DOMAIN)],
        browser.storage,
        clock=browser.clock,
        store=browser.store,
    )


async def test_choose_the_solana_wallet_connect_create_sign_and_restore() -> None:
    from tests.wallet import SOLANA_TEST_ADDRESS, SolanaTestWallet

    browser = Browser()
    solana = SolanaTestWallet()
    demo = two_kinds(browser, solana)
    await demo.start()
    assert demo.wallet.kind == "ethereum"
    assert demo.wallet_choices == (("ethereum", "Ethereum"), ("solana", "Solana"))
    demo.choose_wallet("solana")
    assert demo.wallet.kind == "solana" and "Solana" in demo.message.text
    await demo.run("connect", demo.connect)
    account = f"solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:{SOLANA_TEST_ADDRESS}"
    assert demo.error is None and str(demo.account) == account
    await demo.run("create", lambda: demo.create("ceramic://*", "3600"))
    assert demo.error is None, demo.message
    assert demo.session is not None and demo.session.id == f"did:pkh:{account}"
    assert solana.signed[0].startswith(f"{DOMAIN} wants you to sign in with your Solana")
    assert browser.wallet.calls["personal_sign"] == 0  # the Ethereum wallet was not asked
    await demo.run("sign", lambda: demo.sign("gm from solana", as_json=False))
    assert demo.signed is not None and demo.signed.issuer == f"did:pkh:{account}"
    await demo.run("tamper", demo.tamper_and_verify)
    assert demo.tamper_verified is False

    again = two_kinds(browser, SolanaTestWallet())  # a reload: the Solana kind is remembered
    await again.start()
    assert again.wallet.kind == "solana" and again.restored is True
    assert again.session is not None and again.session.did.id == demo.session.did.id


async def test_switching_kinds_puts_the_other_account_away_and_refusals_are_told() -> None:
    from tests.wallet import SolanaTestWallet

    browser = Browser()
    demo = two_kinds(browser, SolanaTestWallet(mode="reject"))
    await demo.start()
    await connect(demo)
    assert demo.account is not None and demo.account.namespace == "eip155"
    demo.choose_wallet("solana")
    assert demo.account is None and demo.session is None
    await demo.run("connect", demo.connect)
    assert demo.message.kind == "warn" and "declined" in demo.message.text
    with pytest.raises(InputError):
        demo.choose_wallet("bitcoin")
    only_eth = two_kinds(browser, None)
    assert only_eth.wallet_choices == (("ethereum", "Ethereum"),)


# ---- passkeys ----------------------------------------------------------------------------


async def passkey_sign_in(demo: Demo, resources: str = "ceramic://*") -> Demo:
    assert await demo.run("passkey", lambda: demo.sign_in_with_passkey(resources, "3600"))
    return demo


async def test_sign_in_with_a_passkey_reload_and_sign_out() -> None:
    browser = Browser()
    authenticator = browser.passkeys.authenticator
    did = authenticator.did
    demo = await started(browser)
    c = demo.controls()
    assert c.passkey and c.passkey_shown
    await passkey_sign_in(demo)
    assert demo.error is None, demo.message
    assert browser.passkeys.created == 1 and authenticator.sign_count == 1
    assert demo.message is not None and "Passkey created" in demo.message.text
    assert demo.wallet.kind == "passkey" and str(demo.account) == did
    assert demo.session is not None and demo.session.id == did
    assert browser.wallet.calls == {}  # the Ethereum wallet was never asked
    c = demo.controls()  # the page speaks of the passkey, not of a wallet
    assert c.session_hint == PASSKEY_HINT and c.connect_label == "Connect wallet"
    assert json.loads(browser.storage.items[PREFS_KEY])["account"] == did
    await demo.run("sign", lambda: demo.sign("gm from a passkey", as_json=False))
    assert demo.signed is not None and demo.signed.issuer == did
    await demo.run("tamper", demo.tamper_and_verify)
    assert demo.tamper_verified is False

    # A reload: the passkey session is restored with no ceremony.
    again = browser.reload()
    await again.start()
    assert again.restored is True and again.wallet.kind == "passkey"
    assert again.session is not None and again.session.did.id == demo.session.did.id
    await passkey_sign_in(again)  # signing in again reuses it too
    assert again.error is None and again.session.did.id == demo.session.did.id
    assert authenticator.sign_count == 1 and browser.passkeys.created == 1

    # Sign out: the session is gone (also for the next visit), the passkey stays.
    await again.run("logout", again.logout)
    assert not await DIDSession.has_session_for(did, resources=[], store=browser.store)
    third = browser.reload()
    await third.start()
    assert third.session is None and third.restored is None
    await passkey_sign_in(third)  # the remembered passkey: one ceremony, no creation
    assert third.error is None and third.session is not None and third.session.id == did
    assert authenticator.sign_count == 2 and browser.passkeys.created == 1
    assert third.message is not None and third.message.text.startswith("Session ready")


async def test_passkey_refusals_and_absence_change_nothing() -> None:
    browser = Browser()
    demo = await started(browser)
    await with_session(demo)  # an Ethereum session first
    eth_did = demo.session.did.id if demo.session else None
    browser.passkeys.mode = "reject"
    await passkey_sign_in(demo)
    assert demo.message is not None and demo.message.kind == "warn"
    assert "cancelled" in demo.message.text and demo.error.startswith("PasskeyRefusedError")
    assert demo.session is not None and demo.session.did.id == eth_did  # still shown
    browser.passkeys.mode = "sign"
    await passkey_sign_in(demo)
    assert demo.error is None and demo.session is not None
    passkey_did = demo.session.did.id
    # The passkey refuses to sign for a new resource: both stored sessions stay.
    browser.passkeys.authenticator.mode = "reject"
    await passkey_sign_in(demo, "other://1")
    assert demo.error is not None and demo.error.startswith("PasskeyRefusedError")
    assert demo.message is not None and "cancelled" in demo.message.text
    stored = {k: v.signer.did for k, v in browser.store._sessions.items()}
    assert stored == {ACCOUNT: eth_did, browser.passkeys.authenticator.did: passkey_did}
    # A typing mistake is told before any ceremony.
    created = browser.passkeys.created
    await demo.run("passkey", lambda: demo.sign_in_with_passkey(" ", "3600"))
    assert demo.error is not None and demo.error.startswith("InputError")
    assert browser.passkeys.created == created

    # No passkeys in this page: no button, and the flow says why.
    browser.passkeys.available = False
    none = browser.reload()
    await none.start()
    c = none.controls()
    assert not c.passkey and not c.passkey_shown
    await passkey_sign_in(none)
    assert none.message is not None and none.message.kind == "warn"
    assert "not available" in none.message.text
