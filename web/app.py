"""The did_session demo dapp (run by PyScript from index.html).

Everything the page does goes through the public did_session API; the page states its
progress in the DOM for tests: ``body[data-state]`` (loading | ready | error) and the JSON
in ``<script id="status">``. Seeds are never shown or logged, except inside the
serialized portable session the user asked for (its textarea only).
"""

import asyncio
import base64
import json
import traceback

import js
from pyodide.ffi import create_proxy

_t_import = js.performance.now()
try:
    from did_session import (
        AccountId,
        DIDSession,
        DIDSessionError,
        EthereumWebAuth,
        UserRejectedError,
        WalletUnavailableError,
        __version__,
        get_account_id,
        request_accounts,
        verify_jws,
    )
except Exception as e:  # the library did not load: say so, never stay "loading"
    js.document.body.dataset.state = "error"
    js.document.getElementById("boot-text").textContent = f"Failed to load did_session: {e}"
    raise

document = js.document
STORAGE_KEY = "did-session-demo"  # localStorage: {account, resources, lifetime, session}

_FIELDS = (
    "action error message wallet account chain did pkh resources cid expires_in expired"
    " extractable restored logged_out jws_valid tamper_valid tamper_error portable_did"
    " loaded_did load_error"
)
status = {"state": "loading", "version": __version__, "seq": 0, "busy": False}
status["python_start_ms"] = round(_t_import)  # app.py started (PyScript + Pyodide ready)
status["import_ms"] = round(js.performance.now() - _t_import, 1)  # importing the API
status.update(dict.fromkeys(_FIELDS.split()))
app = {
    "account": None,  # AccountId
    "session": None,  # persisted DIDSession
    "jws": None,  # last JWS signed
    "portable": None,  # DIDSession made by authorize
}
_tasks = set()
_proxies = []


# ---------------------------------------------------------------------------- DOM helpers


def el(id_):
    return document.getElementById(id_)


def show(id_, visible=True):
    el(id_).hidden = not visible


def text(id_, value):
    el(id_).textContent = value


def publish(**changes):
    """Update the machine-readable status (for tests and curious people)."""
    status.update(changes)
    el("status").textContent = json.dumps(status, indent=1)
    document.body.dataset.busy = "true" if status["busy"] else "false"


def say(message, kind="info"):
    node = el("message")
    node.textContent = message
    node.dataset.kind = kind
    node.hidden = not message
    publish(message=message, message_kind=kind)


def describe(error):
    return f"{type(error).__name__}: {error}"


def fmt_duration(secs):
    secs = max(0, int(secs))
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h {minutes:02d} min"
    if hours:
        return f"{hours} h {minutes:02d} min {seconds:02d} s"
    return f"{minutes} min {seconds:02d} s"


def read_resources():
    raw = el("resources").value.replace(",", "\n").split("\n")
    return [r.strip() for r in raw if r.strip()]


def remember(**changes):
    try:
        saved = json.loads(js.localStorage.getItem(STORAGE_KEY) or "{}")
    except ValueError:
        saved = {}
    saved.update(changes)
    js.localStorage.setItem(STORAGE_KEY, json.dumps(saved))


def remembered():
    try:
        saved = json.loads(js.localStorage.getItem(STORAGE_KEY) or "{}")
    except ValueError:
        return {}
    return saved if isinstance(saved, dict) else {}


def has_wallet():
    return getattr(js.window, "ethereum", None) is not None


# ---------------------------------------------------------------------------- rendering


def refresh():
    """Enable / show the controls that make sense now."""
    busy = status["busy"]
    ready = status["state"] == "ready"
    account = app["account"]
    session = app["session"]
    expired = session is not None and session.is_expired
    el("connect").disabled = busy or not ready
    el("connect").textContent = "Reconnect wallet" if account else "Connect wallet"
    el("create").disabled = busy or not ready or account is None
    el("create").textContent = "Create new session" if session else "Create session"
    show("renew", expired)
    el("renew").disabled = busy
    show("logout", session is not None)
    el("logout").disabled = busy
    el("sign").disabled = busy or session is None or expired
    el("tamper").disabled = busy or app["jws"] is None or session is None
    el("authorize").disabled = busy or not ready or account is None
    el("load").disabled = busy or not ready


def render_account():
    account = app["account"]
    show("account-facts", account is not None)
    if account is not None:
        text("account", str(account))
        text("chain", account.chain)
        publish(account=str(account), chain=account.chain)
    else:
        publish(account=None, chain=None)


def render_session():
    session = app["session"]
    show("session-facts", session is not None)
    show("session-empty", session is None)
    if session is None:
        publish(
            did=None,
            pkh=None,
            resources=None,
            cid=None,
            expires_in=None,
            expired=None,
            extractable=None,
        )
        return
    text("did", session.did.id)
    text("pkh", session.id)
    box = el("session-resources")
    box.textContent = ""
    for resource in session.authorizations:
        tag = document.createElement("span")
        tag.className = "tag"
        tag.textContent = resource
        box.appendChild(tag)
    text("cid", session.cacao.cid)
    extractable = bool(session.signer.extractable)
    badge = el("extractable")
    badge.textContent = "extractable!" if extractable else "non-extractable (WebCrypto)"
    badge.className = "badge bad" if extractable else "badge"
    publish(
        did=session.did.id,
        pkh=session.id,
        resources=session.authorizations,
        cid=str(session.cacao.cid),
        extractable=extractable,
    )
    tick()


def tick():
    session = app["session"]
    if session is None:
        return
    secs = session.expires_in_secs
    expired = session.is_expired
    node = el("countdown")
    node.textContent = "expired" if expired else fmt_duration(secs)
    node.classList.toggle("expired", expired)
    if expired and not status.get("expired"):
        publish(expires_in=0, expired=True)
        say("Your session has expired: renew it to sign again (your wallet will ask once).", "warn")
        refresh()
    else:
        publish(expires_in=int(secs), expired=expired)


async def ticker():
    while True:
        await asyncio.sleep(1)
        try:
            tick()
        except Exception:  # never let the clock kill the page
            js.console.error(traceback.format_exc())


# ---------------------------------------------------------------------------- actions


def action(name):
    """Run ``handler`` as a task on click: one at a time, errors shown as messages."""

    def wrap(handler):
        async def run():
            if status["busy"]:
                return
            publish(busy=True, action=name, error=None)
            refresh()
            try:
                await handler()
            except UserRejectedError as e:
                say("You declined the request in your wallet. Nothing was changed.", "warn")
                publish(error=describe(e))
            except WalletUnavailableError as e:
                say(
                    "No Ethereum wallet found: install a browser wallet such as MetaMask, "
                    "then reload this page.",
                    "warn",
                )
                publish(error=describe(e))
            except DIDSessionError as e:
                say(describe(e), "error")
                publish(error=describe(e))
            except Exception as e:  # a bug: say so plainly, keep the page usable
                js.console.error(traceback.format_exc())
                say(f"Unexpected error: {describe(e)}", "error")
                publish(error=describe(e))
            finally:
                publish(busy=False, seq=status["seq"] + 1)
                refresh()

        def on_click(event):
            event.preventDefault()
            task = asyncio.ensure_future(run())
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)

        proxy = create_proxy(on_click)
        _proxies.append(proxy)
        el(name).addEventListener("click", proxy)
        return handler

    return wrap


@action("connect")
async def connect():
    say("Waiting for your wallet…")
    addresses = await request_accounts(None)
    account = await get_account_id(None, addresses[0])
    app["account"] = account
    remember(account=str(account))
    render_account()
    say(f"Connected {account.address} on {account.chain}.", "ok")


async def create_session(renew=False):
    account = app["account"]
    resources = read_resources()
    if not resources:
        say("Type at least one resource, e.g. ceramic://*", "error")
        return
    lifetime = int(el("lifetime").value)
    say("Sign the message in your wallet to create the session…")
    auth = EthereumWebAuth.get_auth_method(None, account)
    session = await DIDSession.get(account, auth, resources=resources, expires_in_secs=lifetime)
    app["session"] = session
    app["jws"] = None
    remember(account=str(account), resources=resources, lifetime=lifetime, session=True)
    show("verify-result", False)
    show("tamper-result", False)
    show("jws-details", False)
    publish(restored=False, jws_valid=None, tamper_valid=None, tamper_error=None, logged_out=False)
    render_session()
    say("Session renewed." if renew else "Session ready: this browser now signs for you.", "ok")


@action("create")
async def create():
    await create_session()


@action("renew")
async def renew():
    await create_session(renew=True)


@action("logout")
async def logout():
    account = app["account"]
    if account is not None:
        await DIDSession.remove(account)
        remember(session=False)
    app["session"] = None
    app["jws"] = None
    show("verify-result", False)
    show("tamper-result", False)
    show("jws-details", False)
    render_session()
    publish(logged_out=True, jws_valid=None, tamper_valid=None)
    say("Logged out: the session key was deleted from this browser.", "ok")


def read_payload():
    raw = el("payload").value
    if el("kind-json").checked:
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise ValueError(f"the payload is not valid JSON ({e})") from None
        if not isinstance(value, (dict, list)):
            raise ValueError("a JSON payload must be an object or an array")
        return value
    return raw.encode("utf-8")


def show_verification(ok, detail, facts=None, box_id="verify-result"):
    box = el(box_id)
    box.className = "notice ok" if ok else "notice bad"
    box.textContent = ""
    head = document.createElement("strong")
    head.textContent = ("✓ Valid signature" if ok else "✗ Verification failed") + " — "
    box.appendChild(head)
    box.appendChild(document.createTextNode(detail))
    if facts:
        dl = document.createElement("dl")
        dl.className = "facts"
        for key, value in facts:
            dt = document.createElement("dt")
            dt.textContent = key
            dd = document.createElement("dd")
            code = document.createElement("code")
            code.textContent = value
            dd.appendChild(code)
            dl.append(dt, dd)
        box.appendChild(dl)
    box.hidden = False


@action("sign")
async def sign():
    session = app["session"]
    try:
        payload = read_payload()
    except ValueError as e:
        say(f"Cannot sign: {e}", "error")
        publish(error=f"ValueError: {e}")
        return
    jws = await session.did.create_jws(payload)
    app["jws"] = jws
    show("tamper-result", False)
    text("jws", json.dumps(jws, indent=2))
    show("jws-details")
    verified = await verify_jws(jws, capability=session.cacao, issuer=session.id)
    try:
        shown = json.dumps(verified.payload_json())
    except DIDSessionError:
        shown = verified.payload.decode("utf-8", "replace")
    show_verification(
        True,
        "signed by the session key under your capability.",
        [("Issuer", verified.issuer), ("Signer", verified.signer_did), ("Payload", shown)],
    )
    publish(
        jws_valid=True,
        jws_issuer=verified.issuer,
        jws_signer=verified.signer_did,
        jws_payload=shown,
        tamper_valid=None,
        tamper_error=None,
    )
    say("Signed and verified.", "ok")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@action("tamper")
async def tamper():
    session = app["session"]
    jws = app["jws"]
    original = base64.urlsafe_b64decode(jws["payload"] + "=" * (-len(jws["payload"]) % 4))
    forged = {**jws, "payload": b64url(original + b" (tampered)")}
    try:
        await verify_jws(forged, capability=session.cacao, issuer=session.id)
    except DIDSessionError as e:
        show_verification(
            False, describe(e), [("Changed", "the payload, after signing")], box_id="tamper-result"
        )
        publish(tamper_valid=False, tamper_error=describe(e), tamper_error_class=type(e).__name__)
        say("As expected, the tampered JWS does not verify.", "ok")
    else:
        show_verification(True, "a tampered JWS verified: this is a bug!", box_id="tamper-result")
        publish(tamper_valid=True, tamper_error=None)
        say("A tampered JWS verified: please report this bug.", "error")


@action("authorize")
async def authorize():
    resources = read_resources()
    if not resources:
        say("Type at least one resource, e.g. ceramic://*", "error")
        return
    say("Sign the message in your wallet to create a portable session…")
    auth = EthereumWebAuth.get_auth_method(None, app["account"])
    portable = await DIDSession.authorize(
        auth, resources=resources, expires_in_secs=int(el("lifetime").value)
    )
    app["portable"] = portable
    el("serialized").value = portable.serialize()
    show("portable-out")
    publish(portable_did=portable.did.id, portable_pkh=portable.id, copied=False)
    say("Portable session created: copy it, then load it here or elsewhere.", "ok")


@action("copy")
async def copy():
    area = el("serialized")
    try:
        await js.navigator.clipboard.writeText(area.value)
    except Exception:  # no clipboard permission: fall back to the selection
        area.focus()
        area.select()
        if not document.execCommand("copy"):
            say("Select the text and copy it yourself (the clipboard is not available).", "warn")
            return
    publish(copied=True)
    say("Copied to the clipboard. It holds a private key: paste it only where you trust.", "ok")


@action("load")
async def load():
    box = el("load-result")
    box.hidden = True
    pasted = el("paste").value.strip()
    if not pasted:
        say("Paste a serialized session first.", "warn")
        return
    try:
        loaded = await DIDSession.from_session(pasted)
    except DIDSessionError as e:
        box.className = "notice bad"
        box.textContent = f"Not a valid session — {describe(e)}"
        box.hidden = False
        publish(loaded_did=None, load_error=describe(e), load_error_class=type(e).__name__)
        say("That string is not a valid serialized session.", "error")
        return
    box.className = "notice ok" if not loaded.is_expired else "notice warn"
    box.textContent = ""
    head = document.createElement("strong")
    head.textContent = "✓ Session loaded" if not loaded.is_expired else "Session loaded (expired)"
    box.appendChild(head)
    dl = document.createElement("dl")
    dl.className = "facts"
    facts = [
        ("Session key", loaded.did.id),
        ("Signed in as", loaded.id),
        ("Resources", ", ".join(loaded.authorizations)),
        ("CACAO CID", str(loaded.cacao.cid)),
        ("Expires in", "expired" if loaded.is_expired else fmt_duration(loaded.expires_in_secs)),
    ]
    for key, value in facts:
        dt = document.createElement("dt")
        dt.textContent = key
        dd = document.createElement("dd")
        dd.textContent = value
        dl.append(dt, dd)
    box.appendChild(dl)
    box.hidden = False
    publish(
        loaded_did=loaded.did.id,
        loaded_pkh=loaded.id,
        load_error=None,
        load_error_class=None,
        loaded_expired=loaded.is_expired,
    )
    say("Serialized session loaded and its CACAO signature checked.", "ok")


# ---------------------------------------------------------------------------- start-up


async def restore():
    """Restore the remembered account's session, without asking the wallet."""
    saved = remembered()
    if not saved.get("account"):
        return
    try:
        account = AccountId.parse(saved["account"])
    except DIDSessionError:
        return
    app["account"] = account
    render_account()
    resources = saved.get("resources") or ["ceramic://*"]
    el("resources").value = "\n".join(resources)
    if str(saved.get("lifetime")) in {o.value for o in el("lifetime").options}:
        el("lifetime").value = str(saved["lifetime"])
    if await DIDSession.has_session_for(account, resources=resources):
        auth = EthereumWebAuth.get_auth_method(None, account)
        app["session"] = await DIDSession.get(account, auth, resources=resources)
        render_session()
        publish(restored=True)
        say("Welcome back: your session was restored from this browser, no wallet prompt.", "ok")
    elif saved.get("session"):
        publish(restored=False, expired=True)
        show("renew")
        say("Your previous session has expired (or was removed): create or renew it.", "warn")


async def main():
    publish(wallet=has_wallet())
    show("no-wallet", not has_wallet())
    try:
        await restore()
    except DIDSessionError as e:
        say(f"Could not restore your session: {describe(e)}", "error")
        publish(error=describe(e))
    ready_ms = js.performance.now()
    js.window.readyMs = ready_ms
    text("boot-text", f"Ready in {ready_ms / 1000:.1f} s")
    text("ready-time", f"did_session {__version__} · Python ready in {ready_ms / 1000:.1f} s")
    publish(state="ready", ready_ms=round(ready_ms))
    document.body.dataset.state = "ready"
    refresh()
    _tasks.add(asyncio.ensure_future(ticker()))


try:
    await main()  # noqa: F704  (PyScript runs this file with top-level await)
except Exception as e:
    js.console.error(traceback.format_exc())
    text("boot-text", "Failed to start")
    say(f"The page failed to start: {describe(e)}", "error")
    publish(state="error", error=describe(e))
    document.body.dataset.state = "error"
