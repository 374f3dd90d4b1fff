"""The did_session demo dapp's page layer (run by PyScript from index.html).

The dapp itself (state, flows, messages) is ``demo_logic.Demo``, plain Python tested on
CPython; this file only wires it to the page with PyScript's own API: ``pyscript.web`` to
find and build elements, ``when`` for the buttons, ``pyscript.ffi`` at the JS boundary.
Every change is rendered from the Demo's state by :func:`render`. What the page publishes
for tests and benchmarks is gathered under "Test and benchmark hooks" below.
"""

from __future__ import annotations

import asyncio
import json
import traceback

from pyscript import document, ffi, web, when, window

_t_import = window.performance.now()
try:
    from demo_logic import Demo, EthereumWallet, Notice, SolanaWallet, resources_text

    from did_session import __version__
except Exception as e:  # the library did not load: say so, never stay "loading"
    document.body.dataset.state = "error"
    document.getElementById("boot-text").textContent = f"Failed to load the demo: {e}"
    raise
_import_ms = round(window.performance.now() - _t_import, 1)

# ---------------------------------------------------------------------------- adapters


class BrowserPasskeys:
    """The page's passkeys (did_session.browser.webauthn) as demo_logic's Passkeys. Imported
    on first use: a visit that never touches passkeys does not pay for the module."""

    @property
    def available(self) -> bool:
        # WebAuthn refuses IP addresses as RP ids and needs a secure context.
        host = str(window.location.hostname)
        by_ip = host.replace(".", "").isdigit() or ":" in host or host.startswith("[")
        has_webauthn = getattr(window, "PublicKeyCredential", None) is not None
        return has_webauthn and bool(window.isSecureContext) and not by_ip

    async def remembered(self) -> list[str]:
        from did_session.browser.webauthn import remembered_passkeys

        return [passkey.did for passkey in await remembered_passkeys()]

    async def create(self) -> str:
        from did_session.browser.webauthn import create_passkey

        passkey = await create_passkey("did_session demo", display_name="did_session demo")
        return passkey.did

    def auth_method(self, did: str):
        from did_session.browser.webauthn import PasskeyAuth

        return PasskeyAuth(did)  # the remembered credential of did: one ceremony, no probe


class WebStorage:
    """``window.localStorage`` as demo_logic's Storage."""

    def get(self, key: str) -> str | None:
        value = window.localStorage.getItem(key)
        return None if ffi.is_none(value) else str(value)

    def set(self, key: str, value: str) -> None:
        window.localStorage.setItem(key, value)


async def write_clipboard(text: str) -> bool:
    try:
        await window.navigator.clipboard.writeText(text)
    except Exception:  # no clipboard permission: fall back to the selection
        area = ui["serialized"]
        area.focus()
        area.select()
        return bool(document.execCommand("copy"))
    return True


class Elements(dict):
    """The page's elements by id, looked up once."""

    def __missing__(self, id_: str) -> web.Element:
        element = web.page[id_]
        if element is None:
            raise KeyError(f"no #{id_} in the page")
        self[id_] = element
        return element


ui = Elements()


# ---------------------------------------------------------------------------- rendering

_shown: dict[tuple[str, str], object] = {}
_UNSET = object()


def put(id_: str, prop: str, value: object) -> bool:
    """Set ``#id_.prop`` unless it already shows ``value`` (a text rewritten every second
    would lose the user's selection). True if it changed."""
    if _shown.get((id_, prop), _UNSET) == value:
        return False
    _shown[(id_, prop)] = value
    if prop.startswith("data-"):
        setattr(ui[id_].dataset, prop[5:], value)
    elif prop.startswith("class:"):  # one class toggled
        (ui[id_].classes.add if value else ui[id_].classes.discard)(prop[6:])
    elif prop != "content":  # "content": a key for what a render_* function built
        setattr(ui[id_], prop, value)
    return True


def render_notice(id_: str, notice: Notice | None) -> None:
    put(id_, "hidden", notice is None)
    if notice is None or not put(id_, "content", notice):
        return
    box = ui[id_]
    box.className = f"notice {notice.kind}"
    box.textContent = ""
    box.append(web.strong(textContent=notice.title + (" — " if notice.detail else "")))
    if notice.detail:
        box.append(notice.detail)  # a text node, never HTML
    if notice.facts:
        box.append(facts_list(notice.facts))


def facts_list(facts: tuple[tuple[str, str], ...]) -> web.Element:
    items = []
    for key, value in facts:
        items += [web.dt(textContent=key), web.dd(web.code(textContent=value))]
    return web.dl(*items, classes=["facts"])


def render() -> None:
    """Show the Demo's state (cheap: only what changed touches the DOM)."""
    controls = demo.controls()
    for name in FLOWS:  # every action has its button (copy's is shown with its text only)
        put(name, "disabled", not getattr(controls, name, True))
    put("connect", "textContent", controls.connect_label)
    put("passkey", "hidden", not controls.passkey_shown)
    put("no-wallet", "hidden", not controls.no_wallet_shown)
    put("session-hint", "textContent", controls.session_hint)
    put("wallet-kind", "disabled", demo.busy)
    put("wallet-kind", "value", demo.wallet.kind)
    put("create", "textContent", controls.create_label)
    put("renew", "hidden", not controls.renew_shown)
    put("logout", "hidden", not controls.logout_shown)

    message = demo.message
    put("message", "textContent", message.text if message else "")
    put("message", "data-kind", message.kind if message else "info")
    put("message", "hidden", message is None)

    account = demo.account
    put("account-facts", "hidden", account is None)
    put("account", "textContent", str(account) if account else "")
    put("chain", "textContent", account.chain if account else "")

    session = demo.session
    put("session-facts", "hidden", session is None)
    put("session-empty", "hidden", session is not None)
    if session is not None:
        put("did", "textContent", session.did.id)
        put("pkh", "textContent", session.id)
        put("cid", "textContent", str(session.cacao.cid))
        resources = tuple(session.authorizations)
        if put("session-resources", "content", resources):
            ui["session-resources"].textContent = ""
            ui["session-resources"].append(
                *[web.span(textContent=r, classes=["tag"]) for r in resources]
            )
        extractable = bool(session.signer.extractable)
        put(
            "extractable",
            "textContent",
            "extractable!" if extractable else "non-extractable (WebCrypto)",
        )
        put("extractable", "className", "badge bad" if extractable else "badge")
        put("countdown", "textContent", demo.countdown())
        put("countdown", "class:expired", bool(demo.expired))

    render_notice("verify-result", demo.verify_notice())
    render_notice("tamper-result", demo.tamper_notice())
    render_notice("load-result", demo.load_notice())
    signed = demo.signed
    put("jws-details", "hidden", signed is None)
    if signed is not None:
        put("jws", "textContent", json.dumps(signed.jws, indent=2))
    put("portable-out", "hidden", demo.serialized is None)
    if demo.serialized is not None:
        put("serialized", "value", demo.serialized)

    publish_status()


# ---------------------------------------------------------------- test and benchmark hooks
# The page states its progress for tests (playwright/test_demo.py) and benchmarks
# (bench/startup.py): ``body[data-state]`` (loading | ready | error), ``body[data-busy]``,
# the JSON in ``<script id="status">`` (``seq`` counts finished actions) and
# ``window.readyMs``. Never a seed: the portable session's string stays in its textarea.

timings = {"python_start_ms": round(_t_import), "import_ms": _import_ms}
boot_error: str | None = None


def status() -> dict:
    session, account, signed = demo.session, demo.account, demo.signed
    portable, loaded = demo.portable, demo.loaded
    tamper, load_failure, message = demo.tamper, demo.load_failure, demo.message
    return {
        "state": page_state(),
        "version": __version__,
        "seq": demo.seq,
        "busy": demo.busy,
        "action": demo.action,
        "error": boot_error or demo.error,
        "message": message.text if message else None,
        "message_kind": message.kind if message else None,
        "wallet": demo.wallet.available,
        "wallet_kind": demo.wallet.kind,
        "wallet_kinds": [kind for kind, _ in demo.wallet_choices],
        "passkeys": demo.passkey_wallet.available,
        "passkey_created": demo.passkey_wallet.created,
        "account": str(account) if account else None,
        "chain": account.chain if account else None,
        "did": session.did.id if session else None,
        "pkh": session.id if session else None,
        "resources": session.authorizations if session else None,
        "cid": str(session.cacao.cid) if session else None,
        "extractable": bool(session.signer.extractable) if session else None,
        "expires_in": demo.expires_in,
        "expired": demo.expired,
        "restored": demo.restored,
        "logged_out": demo.logged_out,
        "jws_valid": True if signed else None,
        "jws_issuer": signed.issuer if signed else None,
        "jws_signer": signed.signer if signed else None,
        "jws_payload": signed.payload if signed else None,
        "tamper_valid": demo.tamper_verified,
        "tamper_error": tamper.text if tamper else None,
        "tamper_error_class": tamper.error_class if tamper else None,
        "portable_did": portable.did.id if portable else None,
        "portable_pkh": portable.id if portable else None,
        "copied": demo.copied,
        "loaded_did": loaded.did.id if loaded else None,
        "loaded_pkh": loaded.id if loaded else None,
        "loaded_expired": loaded.is_expired if loaded else None,
        "load_error": load_failure.text if load_failure else None,
        "load_error_class": load_failure.error_class if load_failure else None,
        **timings,
    }


def page_state() -> str:
    if boot_error:
        return "error"
    return demo.phase if "ready_ms" in timings else "loading"  # ready once wired


def publish_status() -> None:
    put("status", "textContent", json.dumps(status(), indent=1))
    document.body.dataset.busy = "true" if demo.busy else "false"
    document.body.dataset.state = page_state()


def mark_ready() -> None:
    ready_ms = window.performance.now()
    window.readyMs = ready_ms
    timings["ready_ms"] = round(ready_ms)
    shown = f"{timings['ready_ms'] / 1000:.1f} s"  # from the published figure, so they agree
    ui["boot-text"].textContent = f"Ready in {shown}"
    ui["ready-time"].textContent = f"did_session {__version__} · Python ready in {shown}"


# ---------------------------------------------------------------------------- events


def injected_solana_wallet() -> object:
    """The page's Solana wallet as wallets inject it (Phantom: ``window.phantom.solana``)."""
    phantom = getattr(window, "phantom", None)
    wallet = getattr(phantom, "solana", None) if phantom is not None else None
    return wallet if wallet is not None else getattr(window, "solana", None)


demo = Demo(
    [EthereumWallet(getattr(window, "ethereum", None)), SolanaWallet(injected_solana_wallet())],
    WebStorage(),
    passkeys=BrowserPasskeys(),
    on_change=render,
)
_tasks: set[asyncio.Future] = set()


def spawn(coroutine) -> None:
    task = asyncio.ensure_future(coroutine)
    _tasks.add(task)  # the loop keeps only weak references
    task.add_done_callback(_tasks.discard)


FLOWS = {
    "connect": lambda: demo.connect(),
    "passkey": lambda: demo.sign_in_with_passkey(ui["resources"].value, ui["lifetime"].value),
    "create": lambda: demo.create(ui["resources"].value, ui["lifetime"].value),
    "renew": lambda: demo.create(ui["resources"].value, ui["lifetime"].value, renew=True),
    "logout": lambda: demo.logout(),
    "sign": lambda: demo.sign(ui["payload"].value, as_json=ui["kind-json"].checked),
    "tamper": lambda: demo.tamper_and_verify(),
    "authorize": lambda: demo.authorize(ui["resources"].value, ui["lifetime"].value),
    "copy": lambda: demo.copy(write_clipboard),
    "load": lambda: demo.load(ui["paste"].value),
}


def on_click(name: str) -> None:
    @when("click", f"#{name}")
    def clicked(event) -> None:
        event.preventDefault()  # synchronously: some buttons sit in a form
        spawn(demo.run(name, FLOWS[name]))


async def ticker() -> None:
    while True:
        await asyncio.sleep(1)
        try:
            demo.tick()
            render()
        except Exception:  # never let the clock kill the page
            traceback.print_exc()


def wallet_chooser() -> None:
    """A choice of wallet kind, shown only when the page has more than one."""
    choices = demo.wallet_choices
    ui["wallet-kind-row"].hidden = len(choices) < 2
    for kind, label in choices:
        ui["wallet-kind"].append(web.option(textContent=label, value=kind))

    @when("change", "#wallet-kind")
    def chosen(event) -> None:
        demo.choose_wallet(ui["wallet-kind"].value)
        render()


async def main() -> None:
    wallet_chooser()
    await demo.start()
    prefs = demo.prefs
    ui["resources"].value = resources_text(prefs.resources)
    if str(prefs.lifetime) in {option.value for option in ui["lifetime"].options}:
        ui["lifetime"].value = str(prefs.lifetime)
    for name in FLOWS:
        on_click(name)
    mark_ready()
    render()
    spawn(ticker())


try:
    await main()  # noqa: F704  (PyScript runs this file with top-level await)
except Exception as e:
    boot_error = f"{type(e).__name__}: {e}"
    ui["boot-text"].textContent = "Failed to start"
    ui["message"].textContent = f"The page failed to start: {boot_error}"
    ui["message"].hidden = False
    publish_status()
    traceback.print_exc()
