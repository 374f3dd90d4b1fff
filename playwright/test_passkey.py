"""Passkeys in real Chromium with the DevTools virtual authenticator (CTAP2, internal
transport, resident keys, user verification), driven over a CDP session.

WebAuthn refuses IP addresses as RP ids, so these pages load from ``http://localhost``
(a secure context) on the test server's port. The authenticator's signature counter
(``WebAuthn.getCredentials``) counts the ceremonies: one per CACAO for a remembered passkey.
"""

from __future__ import annotations

import sys
from pathlib import Path

from browser_kit import Authenticator, SiteServer, open_harness, run_py
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from did_session import crypto  # noqa: E402
from did_session import webauthn as wa  # noqa: E402
from did_session.cacao import Cacao  # noqa: E402
from did_session.crypto import _native, p256  # noqa: E402

SESSION_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


PY_SIGN = f"""
import time
from did_session._time import format_iso_ms
from did_session.auth import AuthRequest
from did_session.browser.webauthn import PasskeyAuth, PasskeyStore, create_passkey
from did_session.codecs.bases import b64url_encode
from did_session import webauthn as wa

async def sign(auth):
    now = time.time()  # the session decides the times; the auth method signs them
    req = AuthRequest(
        uri="{SESSION_DID}",
        resources=("ceramic://*",),
        issued_at=format_iso_ms(now),
        expiration_time=format_iso_ms(now + 7 * 86400),
    )
    cacao = await auth(req)
    await wa.verify_webauthn_cacao_async(cacao, expected_origins=[js.location.origin])
    return cacao
import js
"""


def host_verify(block: list[int], origin: str) -> wa.WebAuthnAssertion:
    """CPython: the same CACAO passes on the pure and the native P-256 back end."""
    cacao = Cacao.from_block(bytes(block))
    results = []
    impls = [p256.verify] + ([_native.p256_verify] if _native.HAVE_CRYPTOGRAPHY else [])
    for impl in impls:
        saved, crypto._p256_verify = crypto._p256_verify, impl  # type: ignore[attr-defined]
        try:
            results.append(wa.verify_webauthn_cacao(cacao, expected_origins=[origin]))
        finally:
            crypto._p256_verify = saved  # type: ignore[attr-defined]
    assert all(r == results[0] for r in results)
    return results[0]


def test_create_sign_verify_and_reuse(
    passkey_page: tuple[Page, Authenticator], local_server: SiteServer
) -> None:
    page, authenticator = passkey_page
    created = run_py(page, PY_SIGN + 'pk = await create_passkey("alice"); pk.did')
    count = authenticator.sign_count()
    out = run_py(
        page,
        PY_SIGN
        + """
pk = (await PasskeyStore().passkeys())[0]
cacao = await sign(PasskeyAuth())
stored = [(p.did, b64url_encode(p.credential_id)) for p in await PasskeyStore().passkeys()]
{"did": pk.did, "id": b64url_encode(pk.credential_id), "iss": cacao.payload.iss,
 "block": cacao.block, "stored": stored, "json": cacao.to_json()["s"]["t"]}
""",
    )
    assert out["did"].startswith("did:key:zDn") and out["iss"] == out["did"]
    assert out["stored"] == [[out["did"], out["id"]]]
    (cred,) = authenticator.credentials()
    assert cred["isResidentCredential"] and cred["rpId"] == "localhost"
    assert cred["credentialId"].rstrip("=").replace("+", "-").replace("/", "_") == out["id"]
    assert out["did"] == created
    assert cred["signCount"] == count + 1  # remembered at creation: one ceremony
    result = host_verify(out["block"], local_server.origin)
    assert wa.did_for_public_key(result.public_key) == out["did"]
    assert result.authenticator_data.user_verified

    # A reload: the remembered passkey signs again with one ceremony, no probe.
    page.reload()
    open_harness(page, local_server)
    again = run_py(page, PY_SIGN + "c = await sign(PasskeyAuth()); c.payload.iss")
    assert again == out["did"]
    assert authenticator.sign_count() == count + 2


def test_unremembered_passkey_recovery_choices(passkey_page: tuple[Page, Authenticator]) -> None:
    page, authenticator = passkey_page
    bob = run_py(page, PY_SIGN + 'pk = await create_passkey("bob", remember=False); pk.did')
    count = authenticator.sign_count()
    out = run_py(
        page,
        PY_SIGN
        + f'bob = "{bob}"\n'
        + """
from did_session.errors import PasskeySelectionError
try:
    await sign(PasskeyAuth(probe=False))
    refused = None
except PasskeySelectionError as e:
    refused = list(e.candidates)
picked = await sign(PasskeyAuth(select=lambda a, b: a if a == bob else b, probe=False))
store = PasskeyStore()
was_remembered = [p.did for p in await store.passkeys()]  # select()'s choice is remembered
await store.forget(bob)
forgotten = len(await store.passkeys())
probed = await sign(PasskeyAuth())  # probes once, then remembers
remembered = await sign(PasskeyAuth())
{"did": bob, "refused": refused, "picked": picked.payload.iss,
 "probed": probed.payload.iss, "remembered": remembered.payload.iss,
 "was_remembered": was_remembered, "forgotten": forgotten}
""",
    )
    assert out["did"] in out["refused"] and len(out["refused"]) == 2
    assert out["picked"] == out["probed"] == out["remembered"] == out["did"]
    assert out["was_remembered"] == [bob] and out["forgotten"] == 0
    # 1 (refused) + 1 (select) + 2 (sign + probe) + 1 (remembered) ceremonies
    assert authenticator.sign_count() == count + 5


def test_refused_ceremonies_are_typed_and_store_intact(
    passkey_page: tuple[Page, Authenticator],
) -> None:
    page, authenticator = passkey_page
    run_py(page, PY_SIGN + 'pk = await create_passkey("carol"); None')
    authenticator.send("setUserVerified", isUserVerified=False)
    out = run_py(
        page,
        PY_SIGN
        + """
from did_session.errors import PasskeyRefusedError
try:
    await sign(PasskeyAuth(user_verification="required", timeout_ms=5000))
    result = "signed"
except PasskeyRefusedError as e:
    result = type(e).__name__ + ": " + str(e)
try:
    await create_passkey("dave", user_verification="required", timeout_ms=5000)
    created = "created"
except PasskeyRefusedError as e:
    created = type(e).__name__
{"result": result, "created": created, "stored": len(await PasskeyStore().passkeys())}
""",
    )
    assert out["result"].startswith(
        "PasskeyRefusedError: passkey signature failed: NotAllowedError"
    )
    assert out["created"] == "PasskeyRefusedError"
    assert out["stored"] == 1
    assert len(authenticator.credentials()) == 1


def test_interop_with_key_webauthn_js(
    passkey_page: tuple[Page, Authenticator], local_server: SiteServer
) -> None:
    page, authenticator = passkey_page
    js = page.evaluate(
        """async (aud) => {
        const { WebauthnAuth, CacaoBlock } = window.KeyWebauthnJS;
        const did = await WebauthnAuth.createDID("erin");
        const authMethod = await WebauthnAuth.getAuthMethod({ did });
        const cacao = await authMethod({ uri: aud, resources: ["ceramic://*"] });
        const block = await CacaoBlock.fromCacao(cacao);
        return { did, block: Array.from(block.bytes), cid: block.cid.toString() };
    }""",
        SESSION_DID,
    )
    count = authenticator.sign_count() - 1  # createDID's, then one signature by JS
    # JS -> ours: in the page (WebCrypto) and on CPython; our CID of it is JS's.
    ours = run_py(
        page,
        PY_SIGN
        + f"""
from did_session.cacao import Cacao
c = Cacao.from_block(bytes({js["block"]}))
await wa.verify_webauthn_cacao_async(c, expected_origins=[js.location.origin])
signed = await sign(PasskeyAuth("{js["did"]}"))
{{"cid": c.cid, "iss": signed.payload.iss, "block": signed.block}}
""",
    )
    assert ours["cid"] == js["cid"]
    host_verify(js["block"], local_server.origin)
    assert ours["iss"] == js["did"]
    # ours -> JS: key-webauthn's verifier accepts our CACAO, and refuses it tampered.
    verdicts = page.evaluate(
        """async (bytes) => {
        const { WebauthnAuth, Cacao } = window.KeyWebauthnJS;
        const verifiers = WebauthnAuth.getVerifier();
        const verdict = async (cacao) => {
            try { await Cacao.verify(cacao, { verifiers }); return "valid"; }
            catch (e) { return String(e.message); }
        };
        const cacao = await Cacao.fromBlockBytes(new Uint8Array(bytes));
        const other = { ...cacao, p: { ...cacao.p, nonce: cacao.p.nonce + "x" } };
        return [await verdict(cacao), await verdict(other)];
    }""",
        ours["block"],
    )
    assert verdicts == ["valid", "MessageMismatch"]
    assert authenticator.sign_count() == count + 2  # JS's one, ours one (known did: no probe)
