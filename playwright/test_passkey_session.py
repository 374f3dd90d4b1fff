"""Passkey sessions in real Chromium with the DevTools virtual authenticator:
``DIDSession.get`` with a passkey (one ceremony, then none after a reload), the IndexedDB
entry under the passkey's did:key in the wallet sessions' format, a JWS verified by ours
(page and CPython) and by npm did-session / key-webauthn, a refused ceremony (typed, the
stored sessions intact), ``remove``, and ``authorize`` + ``serialize`` / ``from_session``.

The authenticator's signature counter counts the ceremonies. Few tests: each page load
costs seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from browser_kit import Authenticator, SiteServer, open_harness, run_py
from playwright.sync_api import Page
from session_kit import PY_HELPERS, READ_ENTRY

PRELUDE = """
import js
from did_session import DIDSession, verify_jws
from did_session import errors as E
from did_session.browser.webauthn import (
    PasskeyAuth, PasskeyStore, create_passkey, remembered_passkeys,
)
RES = ["ceramic://*"]
"""

# JS did-session's DID (key-did-resolver) with key-webauthn's CACAO verifier.
JS_VERIFY = """async ([jws, block, issuer]) => {
  const { DID, KeyResolver } = window.DIDSessionJS;
  const { WebauthnAuth, Cacao } = window.KeyWebauthnJS;
  const capability = await Cacao.fromBlockBytes(new Uint8Array(block));
  const did = new DID({ resolver: KeyResolver.getResolver() });
  try {
    const r = await did.verifyJWS(jws, { capability, issuer,
                                         verifiers: WebauthnAuth.getVerifier() });
    return "ok:" + r.kid;
  } catch (e) {
    return "error:" + e.message;
  }
}"""


def host_verify(jws: dict[str, Any], block: list[int], issuer: str) -> Any:
    """CPython ``verify_jws`` (its own event loop: Playwright's sync API holds this one)."""
    from did_session import verify_jws
    from did_session.cacao import Cacao

    cacao = Cacao.from_block(bytes(block))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        coro = verify_jws(jws, capability=cacao, issuer=issuer)
        return pool.submit(asyncio.run, coro).result()


def open_page(page: Page, server: SiteServer) -> None:
    open_harness(page, server)
    page.add_script_tag(url=server.page_url("js/did-session-js.js"))
    page.add_script_tag(url=server.page_url("js/key-webauthn-js.js"))
    run_py(page, PRELUDE + PY_HELPERS)


def new_passkey(page: Page, server: SiteServer, name: str) -> str:
    """Open the page and create a passkey (``pk`` in the page's Python); its did:key."""
    open_page(page, server)
    return str(run_py(page, f'pk = await create_passkey("{name}"); pk.did'))


def test_passkey_get_reload_refuse_remove(
    passkey_page: tuple[Page, Authenticator], local_server: SiteServer
) -> None:
    page, authenticator = passkey_page
    did = new_passkey(page, local_server, "alice")
    count = authenticator.sign_count()
    first = run_py(
        page,
        """
before = await DIDSession.has_session_for(pk, resources=RES)
session, cold_ms = await timed(DIDSession.get(pk, PasskeyAuth(pk), resources=RES))
again, warm_ms = await timed(DIDSession.get(pk.did, PasskeyAuth(pk), resources=RES))  # text
jws = await session.did.create_jws({"hello": "passkey"})
ours = await verify_jws(jws, capability=session.cacao, issuer=pk.did)
{"before": before, "did": session.did.id, "again": again.did.id, "id": session.id,
 "cold_ms": cold_ms, "warm_ms": warm_ms,
 "jws": jws, "block": session.cacao.block, "kid": ours.kid,
 "has": await DIDSession.has_session_for(pk, resources=RES),
 "extractable": session.signer.extractable}
""",
    )
    assert first["before"] is False and first["has"] is True
    assert first["id"] == did and first["again"] == first["did"]
    assert first["did"].startswith("did:key:zDn") and first["extractable"] is False
    assert authenticator.sign_count() == count + 1  # one ceremony for two get()s
    session_did = first["did"]
    kid = f"{session_did}#{session_did.split(':')[2]}"
    assert first["kid"] == kid
    assert host_verify(first["jws"], first["block"], did).kid == kid
    assert page.evaluate(JS_VERIFY, [first["jws"], first["block"], did]) == f"ok:{kid}"
    # The IndexedDB entry: under the did:key, the wallet sessions' format.
    entry = page.evaluate(READ_ENTRY, did)
    assert entry["valueKeys"] == ["cacao", "keypair"]
    assert entry["pairKeys"] == ["privateKey", "publicKey"]
    assert entry["extractable"] is False and entry["cacao"]["p"]["iss"] == did

    # A reload: the remembered passkey, the stored session, no ceremony.
    page.reload()
    open_page(page, local_server)
    after = run_py(
        page,
        """
pks, list_ms = await timed(remembered_passkeys())
pk = pks[0]
s, reload_ms = await timed(DIDSession.get(pk, PasskeyAuth(pk), resources=RES))
jws = await s.did.create_jws({"n": 1})
await verify_jws(jws, capability=s.cacao, issuer=pk.did)
{"n": len(pks), "did": pk.did, "session": s.did.id, "list_ms": list_ms, "ms": reload_ms,
 "has": await DIDSession.has_session_for(pk, resources=RES)}
""",
    )
    times = {k: after.pop(k) for k in ("list_ms", "ms")}
    assert after == {"n": 1, "did": did, "session": session_did, "has": True}
    print(
        f"\npasskey get(): cold (one ceremony) {first['cold_ms']:.1f} ms, warm"
        f" {first['warm_ms']:.1f} ms; after a reload remembered_passkeys()"
        f" {times['list_ms']:.1f} ms + get() {times['ms']:.1f} ms (no ceremony)"
    )
    assert authenticator.sign_count() == count + 1

    # A second identity, then a refused ceremony (user verification fails): typed error,
    # both stored sessions and the remembered passkeys intact.
    bob = run_py(
        page,
        'bob = await create_passkey("bob")\n'
        "bob_session = await DIDSession.get(bob, PasskeyAuth(bob), resources=RES)\n"
        "bob.did",
    )
    count = authenticator.sign_count()
    authenticator.send("setUserVerified", isUserVerified=False)
    refused = run_py(
        page,
        """
strict = PasskeyAuth(pk, user_verification="required", timeout_ms=5000)
error = await error_of(DIDSession.get(pk, strict, resources=["other://1"]), message=True)
s = await DIDSession.get(pk, PasskeyAuth(pk), resources=RES)
b = await DIDSession.get(bob, PasskeyAuth(bob), resources=RES)
{"error": error, "did": s.did.id, "bob": b.did.id == bob_session.did.id,
 "remembered": sorted(p.did for p in await remembered_passkeys()),
 "has": [await DIDSession.has_session_for(x, resources=RES) for x in (pk, bob)]}
""",
    )
    assert refused["error"].startswith(
        "PasskeyRefusedError: passkey signature failed: NotAllowedError"
    ), refused["error"]
    assert refused["did"] == session_did and refused["bob"] is True
    assert refused["remembered"] == sorted([did, bob]) and refused["has"] == [True, True]
    assert authenticator.sign_count() == count  # the refused ceremony signed nothing
    assert page.evaluate(READ_ENTRY, did)["cacao"] == entry["cacao"]

    # remove(): that session only; the passkey stays remembered.
    removed = run_py(
        page,
        """
await DIDSession.remove(pk)
{"has": [await DIDSession.has_session_for(x, resources=RES) for x in (pk, bob)],
 "remembered": len(await remembered_passkeys())}
""",
    )
    assert removed == {"has": [False, True], "remembered": 2}
    assert page.evaluate(READ_ENTRY, did) is None


def test_passkey_authorize_serialize_round_trip(
    passkey_page: tuple[Page, Authenticator], local_server: SiteServer
) -> None:
    page, authenticator = passkey_page
    did = new_passkey(page, local_server, "carol")
    count = authenticator.sign_count()
    out = run_py(
        page,
        """
session = await DIDSession.authorize(PasskeyAuth(pk), resources=RES, expires_in_secs=3600)
text = session.serialize()
loaded = await DIDSession.from_session(text)  # checks the passkey's signature (WebCrypto)
jws = await loaded.did.create_jws({"portable": True})
await verify_jws(jws, capability=loaded.cacao, issuer=pk.did)
{"id": loaded.id, "did": loaded.did.id, "same": loaded.did.id == session.did.id,
 "block": loaded.cacao.block, "jws": jws, "text": text,
 "stored": await DIDSession.has_session_for(pk, resources=RES)}
""",
    )
    assert out["id"] == did and out["same"] is True and out["did"].startswith("did:key:z6Mk")
    assert out["stored"] is False  # authorize() stores nothing
    assert authenticator.sign_count() == count + 1
    kid = f"{out['did']}#{out['did'].split(':')[2]}"
    assert host_verify(out["jws"], out["block"], did).kid == kid
    assert page.evaluate(JS_VERIFY, [out["jws"], out["block"], did]) == f"ok:{kid}"
    # The serialized text loads on CPython too (pure / native P-256).
    from did_session import DIDSession

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        loaded = pool.submit(asyncio.run, DIDSession.from_session(out["text"])).result()
    assert loaded.id == did and loaded.did.id == out["did"]
