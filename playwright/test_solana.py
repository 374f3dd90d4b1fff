"""Solana in the page, against the REAL npm @didtools/pkh-solana 0.2.0 + did-session 4.0.0 in
the same headless Chromium page as ours, with a real signing test wallet (an @noble/curves
Ed25519 key, fresh and random every run) injected as the page's Solana wallet:

- JS -> ours: a session JS ``SolanaWebAuth`` + ``DIDSession.authorize`` made, serialized,
  loads in our ``from_session`` (Pyodide and CPython): same did, did:pkh, CACAO CID; our JWS
  and DagJWS of the loaded session are byte-identical to JS's; JS's pass our ``verify_jws``;
- ours -> JS: a session ours made (``request_account`` + ``SolanaWebAuth``) loads in JS
  ``fromSession``: same JWS bytes; ours pass JS ``DID.verifyJWS`` with ``getSolanaVerifier``;
  tampered ones fail on both sides;
- ``DIDSession.get`` with a Solana account shares the IndexedDB store with JS (one origin):
  each reuses the other's session without asking the wallet again;
- the wallet's refusals and bad answers as typed errors; no wallet at all.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from browser_kit import SiteServer, install_solana_wallet, run_py, solana_wallet_calls
from playwright.sync_api import Page
from test_interop import DAG_PAYLOADS, PAYLOADS, b64url, on_host, open_interop_page, py_literal

RESOURCES = ["ceramic://*", "ceramic://*?model=kjzl6hvfrbw6c"]
MAINNET = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"

JS_SOLANA = r"""
window.solanaInterop = (() => {
  const J = window.DIDSessionJS, I = window.interop;
  const verifiers = {...J.getEIP191Verifier(), ...J.getSolanaVerifier()};
  async function account() {
    const {publicKey} = await window.solana.connect();
    return J.getSolanaAccountIdByNetwork('mainnet', publicKey.toBase58());
  }
  async function auth() {
    return J.SolanaWebAuth.getAuthMethod(window.solana, await account());
  }
  async function verifyAll(jwsList, capability, issuer) {
    const did = new J.DID({resolver: J.KeyResolver.getResolver()});
    const out = [];
    for (const jws of jwsList) {
      try {
        out.push('ok:' + (await did.verifyJWS(jws, {capability, issuer, verifiers})).kid);
      } catch (e) {
        out.push('error:' + e.message);
      }
    }
    return out;
  }
  return {account, auth, verifyAll};
})();
"""

PY_SOLANA = r"""
from did_session import SolanaWebAuth, solana
from did_session import errors as E

async def _solana_auth():
    account = await solana.request_account(None)
    return account, SolanaWebAuth.get_auth_method(None, account)

async def _error_of(coro):
    try:
        await coro
    except E.DIDSessionError as e:
        return type(e).__name__
    except Exception as e:
        return f'UNEXPECTED {type(e).__name__}: {e}'
    return None
"""


def open_solana_page(page: Page, server: SiteServer, **wallet: Any) -> dict[str, Any]:
    """The interop page with a Solana test wallet holding a fresh random key (unless given)."""
    open_interop_page(page, server)
    wallet.setdefault("secretKey", os.urandom(32).hex())
    info = install_solana_wallet(page, server, **wallet)
    page.add_script_tag(content=JS_SOLANA)
    run_py(page, PY_SOLANA)
    return info


def js_sign_all(page: Page, serialized: str) -> dict[str, Any]:
    """JS fromSession(serialized): its description and its JWS / DagJWS of every payload."""
    return dict(
        page.evaluate(
            """async ([serialized, payloads, dagPayloads]) => {
              const J = window.DIDSessionJS, I = window.interop;
              const session = await J.DIDSession.fromSession(serialized);
              return {serialized: session.serialize(), ...(await I.describe(session)),
                      ...(await I.signAll(session, payloads, dagPayloads))};
            }""",
            [serialized, PAYLOADS, DAG_PAYLOADS],
        )
    )


def assert_same_signatures(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    for key in ("did", "id", "cid", "cacao", "cacaoBlock"):
        assert ours[key] == theirs[key], key
    for i, (a, b) in enumerate(zip(ours["jws"], theirs["jws"], strict=True)):
        assert a == b, f"JWS of payload {i}"
    for i, (a, b) in enumerate(zip(ours["dag"], theirs["dag"], strict=True)):
        assert a == b, f"DagJWS of dag payload {i}"


def test_js_solana_session_loads_in_ours(harness_page: Page, server: SiteServer) -> None:
    page = harness_page
    wallet = open_solana_page(page, server)
    issuer = f"did:pkh:solana:{MAINNET}:{wallet['address']}"
    js = page.evaluate(
        """async ([resources, payloads, dagPayloads]) => {
          const J = window.DIDSessionJS, I = window.interop;
          const session = await J.DIDSession.authorize(
              await window.solanaInterop.auth(), {resources});
          return {serialized: session.serialize(), ...(await I.describe(session)),
                  ...(await I.signAll(session, payloads, dagPayloads))};
        }""",
        [RESOURCES, PAYLOADS, DAG_PAYLOADS],
    )
    assert js["id"] == issuer and js["did"].startswith("did:key:z6Mk")
    assert js["cacao"]["s"]["t"] == "solana:ed25519" and js["cacao"]["h"]["t"] == "caip122"
    assert solana_wallet_calls(page)["signMessage"] == 1
    ours = run_py(
        page,
        f"""
session = await DIDSession.from_session({js["serialized"]!r})
js = {py_literal(js)}
all_js = [*js['jws'], *[d['jws'] for d in js['dag']]]
{{'serialized': session.serialize(), **_describe(session),
  **await _sign_all(session, {PAYLOADS!r}, {DAG_PAYLOADS!r}),
  'verified': await _verify_all(all_js, js['cacao'], js['id']),
  'tampered': await _verify_all([{{'payload': js['jws'][1]['payload'],
                                   'signatures': js['jws'][0]['signatures']}}],
                                js['cacao'], js['id'])}}
""",
    )
    assert ours["serialized"] == js["serialized"]
    assert_same_signatures(ours, js)
    kid = f"{js['did']}#{js['did'].split(':')[2]}"
    assert ours["verified"] == [f"ok:{kid}"] * (len(PAYLOADS) + len(DAG_PAYLOADS))
    assert ours["tampered"] == ["error:InvalidSignatureError"]

    async def on_cpython() -> dict[str, Any]:
        from did_session import DIDSession, verify_jws

        session = await DIDSession.from_session(js["serialized"])
        jws = js["jws"][0]
        verified = await verify_jws(jws, capability=js["cacao"], issuer=js["id"])
        return {"did": session.did.id, "cid": session.cacao.cid, "kid": verified.kid,
                "first": await session.did.create_jws(json.loads(PAYLOADS[0]))}  # fmt: skip

    host = on_host(on_cpython)
    assert (host["did"], host["cid"], host["kid"]) == (js["did"], js["cid"], kid)
    assert host["first"] == js["jws"][0]


def test_our_solana_session_loads_and_verifies_in_js(
    harness_page: Page, server: SiteServer
) -> None:
    page = harness_page
    wallet = open_solana_page(page, server)
    ours = run_py(
        page,
        f"""
account, auth = await _solana_auth()
session = await DIDSession.authorize(auth, resources={RESOURCES!r})
{{'serialized': session.serialize(), 'account': str(account), **_describe(session),
  **await _sign_all(session, {PAYLOADS!r}, {DAG_PAYLOADS!r})}}
""",
    )
    assert ours["account"] == f"solana:{MAINNET}:{wallet['address']}"
    assert ours["id"] == f"did:pkh:{ours['account']}"
    assert ours["cacao"]["p"]["domain"] == "127.0.0.1"
    assert solana_wallet_calls(page) == {"connect": 1, "signMessage": 1}
    signed_text = page.evaluate("() => window.__solanaWalletLog[0]")
    assert signed_text["display"] == "utf8"
    assert signed_text["text"].startswith("127.0.0.1 wants you to sign in with your Solana")
    js = js_sign_all(page, ours["serialized"])
    assert js["serialized"] == ours["serialized"]
    assert_same_signatures(ours, js)
    all_ours = [*ours["jws"], *[d["jws"] for d in ours["dag"]]]
    tampered_cacao = {**ours["cacao"], "p": {**ours["cacao"]["p"], "nonce": "tampered00"}}
    checks = page.evaluate(
        """async ([jws, cacao, issuer, bad]) => {
          const S = window.solanaInterop;
          return {ok: await S.verifyAll(jws, cacao, issuer),
                  moved: await S.verifyAll([{payload: jws[1].payload,
                                             signatures: jws[0].signatures}], cacao, issuer),
                  badCacao: await S.verifyAll([jws[0]], bad, issuer),
                  otherIssuer: await S.verifyAll([jws[0]], cacao, issuer + 'x')};
        }""",
        [all_ours, ours["cacao"], ours["id"], tampered_cacao],
    )
    kid = f"{ours['did']}#{ours['did'].split(':')[2]}"
    assert checks["ok"] == [f"ok:{kid}"] * len(all_ours)
    for name in ("moved", "badCacao", "otherIssuer"):
        assert checks[name][0].startswith("error:"), (name, checks[name])
    ours_bad = run_py(
        page,
        f"""
jws = {py_literal(all_ours)}
[*await _verify_all([{{'payload': jws[1]['payload'], 'signatures': jws[0]['signatures']}}],
                    {py_literal(ours["cacao"])}, {ours["id"]!r}),
 *await _verify_all([jws[0]], {py_literal(tampered_cacao)}, {ours["id"]!r})]
""",
    )
    assert ours_bad == ["error:InvalidSignatureError", "error:CapabilityMismatchError"]
    header = json.loads(b64url(ours["jws"][0]["signatures"][0]["protected"]))
    assert header == {"alg": "EdDSA", "cap": f"ipfs://{ours['cid']}", "kid": kid}


def test_get_shares_the_store_with_js(harness_page: Page, server: SiteServer) -> None:
    page = harness_page
    open_solana_page(page, server)
    js_get = """async (resources) => {
      const J = window.DIDSessionJS, S = window.solanaInterop;
      const accountId = await S.account();
      const session = await J.DIDSession.get(accountId, await S.auth(), {resources});
      return {did: session.did.id, account: accountId.toString(), cacao: session.cacao,
              has: await J.DIDSession.hasSessionFor(accountId, resources)};
    }"""
    made_by_js = page.evaluate(js_get, RESOURCES)
    assert made_by_js["did"].startswith("did:key:zDn") and made_by_js["has"] is True
    assert solana_wallet_calls(page)["signMessage"] == 1
    reused = run_py(
        page,
        f"""
account, auth = await _solana_auth()
s = await DIDSession.get(account, auth, resources={RESOURCES!r})
jws = await s.did.create_jws({{'from': 'python'}})
{{'account': str(account), 'did': s.did.id, 'cacao': s.cacao.to_json(),
  'has': await DIDSession.has_session_for(account, resources={RESOURCES!r}),
  'verified': (await verify_jws(jws, capability=s.cacao, issuer=s.id)).kid}}
""",
    )
    assert reused["account"] == made_by_js["account"]
    assert (reused["did"], reused["cacao"]) == (made_by_js["did"], made_by_js["cacao"])
    assert reused["has"] is True and reused["verified"].startswith(reused["did"])
    assert solana_wallet_calls(page)["signMessage"] == 1  # not asked again

    made_by_us = run_py(
        page,
        f"""
await DIDSession.remove(account)
gone = await DIDSession.has_session_for(account, resources={RESOURCES!r})
(await DIDSession.get(account, auth, resources={RESOURCES!r})).did.id, gone
""",
    )
    assert made_by_us[1] is False and made_by_us[0] != made_by_js["did"]
    assert solana_wallet_calls(page)["signMessage"] == 2
    reused_by_js = page.evaluate(js_get, RESOURCES)
    assert reused_by_js["did"] == made_by_us[0] and reused_by_js["has"] is True
    assert solana_wallet_calls(page)["signMessage"] == 2


@pytest.mark.parametrize(
    ("wallet", "error"),
    [
        ({"mode": "reject"}, "UserRejectedError"),
        ({"mode": "reject", "errorStyle": "plain"}, "UserRejectedError"),
        ({"mode": "garbage"}, "WalletResponseError"),
        ({"mode": "other-account"}, "WalletResponseError"),
    ],
)
def test_wallet_faults_are_typed_and_keep_the_store(
    harness_page: Page, server: SiteServer, wallet: dict[str, Any], error: str
) -> None:
    page = harness_page
    key = os.urandom(32).hex()
    info = open_solana_page(page, server, secretKey=key)
    account = f"solana:{MAINNET}:{info['address']}"
    first = run_py(
        page,
        """
account, auth = await _solana_auth()
(await DIDSession.get(account, auth, resources=['ceramic://*'])).did.id
""",
    )
    # The same key, now misbehaving (connected again, as an app does after a reload).
    again = install_solana_wallet(page, server, secretKey=key, **wallet)
    assert again["address"] == info["address"]
    result = run_py(
        page,
        f"""
from did_session import AccountId
await _error_of(solana.request_account(None))
bad_auth = SolanaWebAuth.get_auth_method(None, AccountId.parse({account!r}))
[await _error_of(DIDSession.get({account!r}, bad_auth, resources=['ceramic://*?model=x'])),
 await _error_of(DIDSession.authorize(bad_auth, resources=['ceramic://*'])),
 (await DIDSession.get({account!r}, auth, resources=['ceramic://*'])).did.id]
""",
    )
    assert result[:2] == [error, error]
    assert result[2] == first  # the stored session is still there and still used


def test_refusals_of_a_connect_and_no_wallet(harness_page: Page, server: SiteServer) -> None:
    page = harness_page
    open_solana_page(page, server, mode="reject")
    assert run_py(page, "await _error_of(solana.request_account(None))") == "UserRejectedError"
    page.evaluate("() => { delete window.solana; delete window.phantom; }")
    out = run_py(
        page,
        f"""
from did_session import AccountId
acc = AccountId.parse('solana:{MAINNET}:GwAF45zjfyGzUbd3i3hXxzGeuchzEZXwpRYHZM5912F1')
[await _error_of(solana.request_account(None)),
 await _error_of(DIDSession.authorize(SolanaWebAuth.get_auth_method(None, acc),
                                      resources=['ceramic://*']))]
""",
    )
    assert out == ["WalletUnavailableError", "WalletUnavailableError"]
