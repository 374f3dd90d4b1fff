"""Helpers for whole-page browser tests (Playwright sync API, Debian Chromium, .build/site).

Import in tests as ``from browser_kit import install_wallet, run_py, ...``: this directory has
no ``__init__.py`` on purpose (as a package named ``playwright`` it would shadow the real
``playwright`` library for the whole pytest process), so pytest puts it on ``sys.path``.
Fixtures live in conftest.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import (
    BrowserContext,
    CDPSession,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
)
from playwright.sync_api import Error as PlaywrightError
from tools import chromium

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / ".build" / "site"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 120_000  # 2 shared cores: a cold Pyodide start is 3-5 s, more under load


@dataclass(frozen=True)
class SiteServer:
    url: str  # "http://127.0.0.1:<port>/"
    root: Path

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def page_url(self, path: str = "") -> str:
        return urljoin(self.url, path.lstrip("/"))

    @property
    def localhost(self) -> SiteServer:
        """The same server as ``http://localhost:<port>/``: WebAuthn refuses IP addresses as
        RP ids, and localhost is a secure context (passkey pages load from there)."""
        return SiteServer(self.url.replace("127.0.0.1", "localhost", 1), self.root)


@dataclass
class RequestRecorder:
    """Every request URL of a browser, recorded passively (routing would disable caching).
    ``origin`` and ``aliases`` (the same server under another name) are local."""

    origin: str
    urls: list[str] = field(default_factory=list)
    aliases: tuple[str, ...] = ()

    def record(self, request: Request) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        """Requests that left the origin (data:, blob: and about: URLs are local)."""
        allowed = {urlsplit(o)[:2] for o in (self.origin, *self.aliases)}
        return [
            u
            for u in self.urls
            if urlsplit(u).scheme not in ("data", "blob", "about")
            and urlsplit(u)[:2] not in allowed
        ]


_SESSION_OF: dict[int, BrowserSession] = {}  # id(BrowserContext) -> its session


class BrowserSession:
    """Chromium on a persistent profile dir, restartable on the same dir (IndexedDB survives)."""

    def __init__(
        self,
        pw: Playwright,
        profile_dir: Path,
        recorder: RequestRecorder,
        *,
        jspi: bool | None = None,  # None: as DID_SESSION_JSPI says (tools/chromium.py)
    ) -> None:
        self._pw = pw
        self.jspi = jspi
        self.profile_dir = profile_dir
        self.recorder = recorder
        self.console: list[str] = []  # "[type] text" of console messages and page errors
        self._init_scripts: list[str] = []
        self._context: BrowserContext | None = None
        self.launch()

    @property
    def context(self) -> BrowserContext:
        if self._context is None:
            raise RuntimeError("browser is closed: call relaunch()")
        return self._context

    @property
    def page(self) -> Page:
        """The context's first page (a persistent context opens with one)."""
        pages = self.context.pages
        return pages[0] if pages else self.context.new_page()

    def launch(self) -> BrowserContext:
        ctx = self._pw.chromium.launch_persistent_context(
            str(self.profile_dir),
            executable_path=chromium.EXECUTABLE,
            headless=True,
            args=chromium.FLAGS,
        )
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.on("request", self.recorder.record)
        ctx.on("console", self._on_console)
        ctx.on("weberror", lambda e: self.console.append(f"[pageerror] {e.error}"))
        for script in [*chromium.init_scripts(jspi=self.jspi), *self._init_scripts]:
            ctx.add_init_script(script=script)
        self._context = ctx
        _SESSION_OF[id(ctx)] = self
        return ctx

    def _on_console(self, msg: ConsoleMessage) -> None:
        self.console.append(f"[{msg.type}] {msg.text}")

    def add_init_script(self, script: str) -> None:
        """Runs before any page script, in this context and after every relaunch."""
        self._init_scripts.append(script)
        self.context.add_init_script(script=script)

    def close(self) -> None:
        if self._context is not None:
            _SESSION_OF.pop(id(self._context), None)
            self._context.close()
            self._context = None

    def relaunch(self) -> BrowserContext:
        """Close the browser and start it again on the same profile dir."""
        self.close()
        return self.launch()

    def screenshots(self, stem: str) -> list[Path]:
        if self._context is None:
            return []
        ARTIFACTS.mkdir(exist_ok=True)
        paths = []
        for i, page in enumerate(self._context.pages):
            path = ARTIFACTS / f"{stem}-{i}.png"
            try:
                page.screenshot(path=str(path), full_page=True, timeout=10_000)
            except PlaywrightError:
                continue
            paths.append(path)
        return paths


_WALLET_KEYS = {
    "private_key": "privateKey",
    "chain_id": "chainId",
    "sign_delay_ms": "signDelayMs",
    "error_style": "errorStyle",
}


@cache
def _wallet_bundle() -> str:
    return (SITE / "js" / "test-wallet.js").read_text(encoding="utf-8")


def install_wallet(target: BrowserContext | BrowserSession, **config: Any) -> dict[str, Any]:
    """Make the test wallet ``window.ethereum`` in every page loaded from now on.

    Config keys are those of tools/js/test-wallet.mjs: ``mode`` ("sign" | "reject" |
    "garbage" | "other-account"), ``privateKey``/``private_key``, ``chainId``/``chain_id``,
    ``signDelayMs``/``sign_delay_ms``, ``errorStyle``/``error_style`` ("error" | "plain").
    Sets ``window.__testWalletConfig`` then runs test-wallet.js before any page script;
    re-installed after ``relaunch``. Returns the config.
    """
    js_config = {_WALLET_KEYS.get(k, k): v for k, v in config.items()}
    script = f"window.__testWalletConfig = {json.dumps(js_config)};\n{_wallet_bundle()}"
    session = target if isinstance(target, BrowserSession) else _SESSION_OF.get(id(target))
    if session is not None:
        session.add_init_script(script)
    else:
        target.add_init_script(script=script)
    return js_config


def relaunch(context: BrowserContext) -> BrowserContext:
    """Close the browser and start it again on the same profile dir; returns the new context."""
    return _SESSION_OF[id(context)].relaunch()


class HarnessError(AssertionError):
    pass


def open_harness(page: Page, server: SiteServer, query: str = "") -> float:
    """Load harness/ and wait until Pyodide and our wheels are ready; returns seconds taken.

    Raises ``HarnessError`` with the page's error text if the harness failed.
    """
    page.goto(server.page_url("harness/" + query))
    page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=TIMEOUT_MS)
    state = page.evaluate("document.body.dataset.state")
    if state != "ready":
        raise HarnessError(f"harness state {state!r}: {page.text_content('#error')}")
    return float(page.evaluate("window.harnessTimings.readyMs")) / 1000


def run_py(page: Page, code: str) -> Any:
    """Run Python in the harness page (``runPythonAsync``: top-level ``await`` works).

    Returns the value of the last expression as JSON-like data: dicts become dicts, tuples
    and sets lists, bytes a list of ints; other Python objects cannot cross.
    A Python exception raises ``playwright.sync_api.Error`` carrying the traceback.
    """
    return page.evaluate("code => window.runPython(code)", code)


def wallet_calls(page: Page) -> dict[str, int]:
    """``window.__walletCalls``: how many times each wallet method was called."""
    return dict(page.evaluate("() => ({...(window.__walletCalls || {})})"))


def wallet_log(page: Page) -> list[dict[str, Any]]:
    """``window.__walletLog``: every wallet call as ``{method, params}``."""
    return list(page.evaluate("() => window.__walletLog || []"))


def install_solana_wallet(page: Page, server: SiteServer, **options: Any) -> dict[str, Any]:
    """Make the Solana test wallet (tools/js/solana-test-wallet.mjs) the page's injected
    Solana wallet (``window.phantom.solana`` and ``window.solana``), now; again to change
    it. Options: ``secretKey`` (hex, or ``"random"``: a fresh key), ``mode`` ("sign" |
    "reject" | "garbage" | "other-account"), ``errorStyle`` ("error" | "plain").
    Returns its ``testInfo`` (``address``, ``mode``)."""
    if not page.evaluate("() => typeof window.__installSolanaTestWallet === 'function'"):
        page.add_script_tag(url=server.page_url("js/solana-test-wallet.js"))
    return dict(page.evaluate("(o) => window.__installSolanaTestWallet(o)", options))


def install_solana_wallet_at_start(session: BrowserSession, **options: Any) -> None:
    """The Solana test wallet in every page loaded from now on, before any page script
    (options as :func:`install_solana_wallet`)."""
    bundle = (SITE / "js" / "solana-test-wallet.js").read_text(encoding="utf-8")
    session.add_init_script(f"window.__solanaWalletConfig = {json.dumps(options)};\n{bundle}")


def solana_wallet_calls(page: Page) -> dict[str, int]:
    """``window.__solanaWalletCalls``: how many times each Solana wallet method was called."""
    return dict(page.evaluate("() => ({...(window.__solanaWalletCalls || {})})"))


class Authenticator:
    """Chromium's DevTools virtual authenticator for ``page`` (CTAP2, internal transport,
    resident keys, user verification on, presence simulated), over a CDP session. Its
    signature counter (``WebAuthn.getCredentials``) counts the ceremonies."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.cdp: CDPSession = context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        options = {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
        }
        self.id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})[
            "authenticatorId"
        ]

    def credentials(self) -> list[dict[str, Any]]:
        got = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})
        return list(got["credentials"])

    def sign_count(self) -> int:
        return sum(int(c["signCount"]) for c in self.credentials())

    def send(self, method: str, **params: Any) -> Any:
        return self.cdp.send(f"WebAuthn.{method}", {"authenticatorId": self.id, **params})
