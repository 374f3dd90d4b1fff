"""Interop with the REAL npm did-session 4.0.0, in the same headless Chromium page as ours.

Fresh random sessions every run (plus the fixed reference vectors):

- ours (Pyodide) -> JS: a session authorized + serialized by ours loads in JS
  ``DIDSession.fromSession``; JS ``createJWS`` / ``createDagJWS`` of the loaded session equal
  ours byte for byte (Ed25519 is deterministic); our JWS and DagJWS pass JS ``verifyJWS``
  with capability and issuer; a tampered one fails there;
- JS -> ours: a JS session loads in our ``from_session`` (aud and signature checked) and signs
  byte-identically; JS JWS pass our ``verify_jws``; tampered ones fail on both sides;
- P-256 ``get()`` sessions (ES256 via WebCrypto): JS-signed JWS pass ours, ours pass JS;
- CPython: a JS session and JS JWS taken back to the host load / verify with the host back
  ends, and a session made on CPython (test wallet, ``EthereumNodeAuth`` "127.0.0.1") loads in
  JS and signs exactly as CPython does.

Payloads go to both sides as JSON text (parsed by ``json.loads`` / ``JSON.parse``), with keys
that JS orders specially (array-index keys first, UTF-16 order), unicode, floats, negative
numbers, booleans, null, arrays. Three browser launches in all.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import struct
import sys
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from browser_kit import SiteServer, run_py, wallet_calls
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # for tests.wallet / tests.conftest (CPython side)
    sys.path.insert(0, str(ROOT))

from tests.conftest import load_vector  # noqa: E402
from tests.wallet import TestWallet  # noqa: E402

HARDHAT0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
ISSUER = f"did:pkh:eip155:1:{HARDHAT0}"
RESOURCES = ["ceramic://*", "ceramic://*?model=kjzl6hvfrbw6c"]

# JSON payloads for createJWS. JS objects list array-index keys ("2", "10", "4294967294")
# first in numeric order, then the rest in insertion order; fast-json-stable-stringify sorts
# by UTF-16 code units (an emoji, a surrogate pair, sorts before U+FF21).
PAYLOADS = [
    '{"hello":"world"}',
    '{"b":1,"a":2,"10":"ten","2":"two","1":"one","02":"zero-two","-1":"minus one",'
    '"4294967295":"not an index","4294967294":"last index","1.5":"dot","é":"e-acute","Z":"Z",'
    '"été":1,"\\ud83d\\ude00":"emoji","\uff21":"fullwidth A","a b":null,"":"empty key"}',
    '{"nested":{"z":[1,2,{"y":true,"x":false}],"10":{"2":null,"b":-0.5}},'
    '"floats":[1.5,1e21,1e-7,0.00001,-2.5e-6,123456789012345680000,0.1,1.7976931348623157e308,'
    "5e-324,100.0,-0.0,1e300,2.5e-300,12345678.9,-1e21,1e20],"
    '"neg":-42,"big":9007199254740991,"bools":[true,false,null],"empty":{},"list":[]}',
    '[{"b":1,"a":2,"10":[]},"x",3,-1.25,null]',
    '{"text":"line\\nbreak \\"quoted\\" tab\\t bell\\u0007 del\\u007f \\u2028 / slash \\\\ back",'
    '"ünïcödé":"日本語 עברית","ключ":{"ß":"ss","ﬁ":"fi"}}',
    '"aGVsbG8gd29ybGQ"',  # a string payload is the already-encoded payload section
]


def random_payload(seed: int) -> str:
    """A fresh random JSON payload: tricky keys (index-like, leading zeros, astral, combining
    marks, case) and numbers across the whole double range (JS switches to exponent form
    below 1e-6 and from 1e21; Python's repr does elsewhere)."""
    rnd = random.Random(seed)
    alphabet = ["a", "B", "z", "0", "1", "9", "-", ".", " ", "\u00e9", "e\u0301", "\u00df",
                "\u4e2d", "\uff21", "\U0001f600", "\U0001d11e", "\u05d0", "_", "$"]  # fmt: skip

    def key() -> str:
        kind = rnd.randrange(4)
        if kind == 0:
            return str(rnd.randrange(0, 2**33))  # array index (< 2**32 - 1) or not
        if kind == 1:
            return "0" + str(rnd.randrange(100))
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 5)))

    def number() -> float | int:
        kind = rnd.randrange(4)
        if kind == 0:
            return rnd.randrange(-(2**53) + 1, 2**53)
        if kind == 1:
            return struct.unpack("<d", rnd.randbytes(8))[0]  # any finite double (retried)
        return rnd.uniform(-10, 10) * 10.0 ** rnd.randrange(-12, 25)

    def value(depth: int) -> Any:
        kind = rnd.randrange(7 if depth < 3 else 4)
        if kind == 0:
            n = number()
            return n if math.isfinite(n) else 0.5
        if kind == 1:
            return rnd.choice([True, False, None])
        if kind == 2:
            return "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(8)))
        if kind == 3:
            return rnd.choice([1e21, 1e-7, 1e-6, 0.000001, 123456789012345680000.0, -0.0, 5e-324])
        if kind in (4, 5):
            return {key(): value(depth + 1) for _ in range(rnd.randrange(1, 6))}
        return [value(depth + 1) for _ in range(rnd.randrange(4))]

    obj = {key(): value(0) for _ in range(24)}
    return json.dumps(obj, ensure_ascii=rnd.random() < 0.5)


SEED = int.from_bytes(os.urandom(6), "big")
PAYLOADS.append(random_payload(SEED))

# DAG-CBOR payloads: no integral floats (JSON.parse makes 100.0 the integer 100 in JS).
DAG_PAYLOADS = [
    '{"hello":"world"}',
    '{"b":[1,-2,1.5,-0.25,true,false,null,[]],"a":{"10":"x","2":"y","ключ":"значение",'
    '"\\ud83d\\ude00":{}},"long key":"v","n":9007199254740991,"neg":-9007199254740991,"":0}',
    '[1,"two",{"three":3.5}]',
]


def random_dag_payload(seed: int) -> str:
    """Random DAG-CBOR-safe JSON: safe integers, non-integral floats, unicode keys."""
    rnd = random.Random(seed)
    alphabet = ["a", "Z", "0", "7", " ", "\u00e9", "\u4e2d", "\U0001f600", "-", "ab"]

    def value(depth: int) -> Any:
        kind = rnd.randrange(6 if depth < 3 else 4)
        if kind == 0:
            return rnd.randrange(-(2**53) + 1, 2**53) >> rnd.randrange(53)
        if kind == 1:
            x = rnd.uniform(-1, 1) * 10.0 ** rnd.randrange(-300, 15)
            return x if x != int(x) else 0.5
        if kind == 2:
            return rnd.choice([True, False, None, "", "text \u00e9\U0001f600"])
        if kind == 3:
            return "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(6)))
        if kind == 4:
            return [value(depth + 1) for _ in range(rnd.randrange(4))]
        return {
            "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 4))): value(depth + 1)
            for _ in range(rnd.randrange(1, 6))
        }

    return json.dumps({str(i): value(0) for i in range(12)})


_T = TypeVar("_T")
_CHECKS: dict[str, int] = {}


def same(test: str, ours: Any, theirs: Any, what: str) -> None:
    """One interop comparison (counted; the count is printed at the end of the module)."""
    assert ours == theirs, f"{what} (random payload seed {SEED})"
    _CHECKS[test] = _CHECKS.get(test, 0) + 1


DAG_PAYLOADS.append(random_dag_payload(SEED))


@pytest.fixture(scope="module", autouse=True)
def _report_checks() -> Iterator[None]:
    yield
    total = sum(_CHECKS.values())
    print(f"\ninterop checks: {total} {_CHECKS} (random payload seed {SEED})")


def on_host(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine on CPython in another thread (Playwright's sync API owns this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


# ---- the JS side -------------------------------------------------------------------------

JS_HELPERS = r"""
window.interop = (() => {
  const J = window.DIDSessionJS;
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
  const plainJws = (jws) => ({payload: jws.payload, signatures: jws.signatures.map(
      (s) => ({protected: s.protected, signature: s.signature}))});
  async function describe(session) {
    const block = await J.CacaoBlock.fromCacao(session.cacao);
    return {did: session.did.id, id: session.id, cid: block.cid.toString(),
            cacaoBlock: hex(block.bytes), cacao: session.cacao,
            authorizations: session.authorizations, isExpired: session.isExpired};
  }
  async function signAll(session, payloads, dagPayloads) {
    const jws = [];
    for (const p of payloads) jws.push(plainJws(await session.did.createJWS(JSON.parse(p))));
    const dag = [];
    for (const p of dagPayloads) {
      const d = await session.did.createDagJWS(JSON.parse(p));
      dag.push({jws: {...plainJws(d.jws), link: d.jws.link.toString()},
                linkedBlock: hex(d.linkedBlock), cacaoBlock: hex(d.cacaoBlock)});
    }
    return {jws, dag};
  }
  async function verifyAll(jwsList, capability, issuer) {
    const did = new J.DID({resolver: J.KeyResolver.getResolver()});
    const out = [];
    for (const jws of jwsList) {
      try {
        const opts = capability ? {capability, issuer, verifiers: J.getEIP191Verifier()} : {};
        const r = await did.verifyJWS(jws, opts);
        out.push('ok:' + r.kid);
      } catch (e) {
        out.push('error:' + e.message);
      }
    }
    return out;
  }
  async function account() {
    const [address] = await ethereum.request({method: 'eth_requestAccounts'});
    return J.getAccountId(window.ethereum, address);
  }
  async function authorize(resources) {
    const accountId = await account();
    const auth = await J.EthereumWebAuth.getAuthMethod(window.ethereum, accountId);
    return J.DIDSession.authorize(auth, {resources});
  }
  return {hex, plainJws, describe, signAll, verifyAll, account, authorize};
})();
"""

# ---- the Python side in the page ---------------------------------------------------------

PY_HELPERS = r"""
import json
from did_session import (DIDSession, EthereumWebAuth, get_account_id, request_accounts,
                         verify_jws, DIDSessionError)

def _describe(session):
    return {'did': session.did.id, 'id': session.id, 'cid': session.cacao.cid,
            'cacaoBlock': session.cacao.block.hex(), 'cacao': session.cacao.to_json(),
            'authorizations': session.authorizations, 'isExpired': session.is_expired}

async def _sign_all(session, payloads, dag_payloads):
    jws = [await session.did.create_jws(json.loads(p)) for p in payloads]
    dag = []
    for p in dag_payloads:
        d = await session.did.create_dag_jws(json.loads(p))
        dag.append({'jws': d.to_json(), 'linkedBlock': d.linked_block.hex(),
                    'cacaoBlock': d.cacao_block.hex()})
    return {'jws': jws, 'dag': dag}

async def _verify_all(jws_list, capability, issuer):
    out = []
    for jws in jws_list:
        try:
            r = await verify_jws(jws, capability=capability, issuer=issuer)
            out.append('ok:' + r.kid)
        except DIDSessionError as e:
            out.append('error:' + type(e).__name__)
    return out

async def _account():
    addresses = await request_accounts(None)
    return await get_account_id(None, addresses[0])
"""


def py_literal(value: Any) -> str:
    """A Python expression for JSON-like ``value`` (to embed data in run_py code)."""
    return f"json.loads({json.dumps(json.dumps(value))})"


def open_interop_page(page: Page, server: SiteServer) -> None:
    """harness_page + the reference bundle + both helper sets."""
    page.add_script_tag(url=server.page_url("js/did-session-js.js"))
    page.add_script_tag(content=JS_HELPERS)
    run_py(page, PY_HELPERS)


def tampered(jws: dict[str, Any], other_payload: str) -> dict[str, Any]:
    """The same signature over another payload section."""
    return {"payload": other_payload, "signatures": jws["signatures"]}


def host_sign_all(session: Any) -> Coroutine[Any, Any, dict[str, Any]]:
    async def run() -> dict[str, Any]:
        jws = [await session.did.create_jws(json.loads(p)) for p in PAYLOADS]
        dag = []
        for p in DAG_PAYLOADS:
            d = await session.did.create_dag_jws(json.loads(p))
            dag.append(
                {
                    "jws": d.to_json(),
                    "linkedBlock": d.linked_block.hex(),
                    "cacaoBlock": d.cacao_block.hex(),
                }
            )
        return {"jws": jws, "dag": dag}

    return run()


def refused_in_js_and_pyodide(
    test: str, page: Page, cases: list[tuple[dict[str, Any], dict[str, Any], str]]
) -> list[str]:
    """Verify each (jws, cacao, issuer) with JS and with Pyodide in the page: both must refuse
    every case. Returns Pyodide's verdicts (``"error:<class>"``)."""
    js_bad = page.evaluate(
        """async (cases) => {
          const out = [];
          for (const [jws, cap, iss] of cases)
            out.push((await window.interop.verifyAll([jws], cap, iss))[0]);
          return out;
        }""",
        cases,
    )
    py_bad: list[str] = run_py(
        page,
        f"""
cases = {py_literal(cases)}
[(await _verify_all([j], c, i))[0] for j, c, i in cases]
""",
    )
    for i, (a, b) in enumerate(zip(js_bad, py_bad, strict=True)):
        assert a.startswith("error:") and b.startswith("error:"), (i, a, b)
        _CHECKS[test] = _CHECKS.get(test, 0) + 2
    return py_bad


def compare_signed(test: str, ours: dict[str, Any], theirs: dict[str, Any], who: str) -> None:
    assert len(ours["jws"]) == len(theirs["jws"]) == len(PAYLOADS)
    for i, (a, b) in enumerate(zip(ours["jws"], theirs["jws"], strict=True)):
        sa, sb = a["signatures"][0], b["signatures"][0]
        same(test, a["payload"], b["payload"], f"{who}: payload section of payload {i}")
        same(test, sa["protected"], sb["protected"], f"{who}: protected header of payload {i}")
        same(test, sa["signature"], sb["signature"], f"{who}: signature of payload {i}")
    for i, (a, b) in enumerate(zip(ours["dag"], theirs["dag"], strict=True)):
        same(test, a["jws"], b["jws"], f"{who}: DagJWS (jws + link) of dag payload {i}")
        same(test, a["linkedBlock"], b["linkedBlock"], f"{who}: linkedBlock of dag payload {i}")
        same(test, a["cacaoBlock"], b["cacaoBlock"], f"{who}: cacaoBlock of dag payload {i}")


# ---- tests ---------------------------------------------------------------------------------


@pytest.mark.wallet()
def test_our_sessions_load_and_verify_in_js(harness_page: Page, server: SiteServer) -> None:
    """Pyodide- and CPython-made sessions in JS fromSession: same JWS, pass JS verifyJWS."""
    t = "ours->js"
    page = harness_page
    open_interop_page(page, server)
    ours = run_py(
        page,
        f"""
account = await _account()
auth = EthereumWebAuth.get_auth_method(None, account)
session = await DIDSession.authorize(auth, resources={RESOURCES!r})
result = {{'serialized': session.serialize(), **_describe(session),
          **await _sign_all(session, {PAYLOADS!r}, {DAG_PAYLOADS!r})}}
result
""",
    )
    assert wallet_calls(page)["personal_sign"] == 1
    assert ours["did"].startswith("did:key:z6Mk")
    assert ours["id"] == ISSUER
    assert ours["cacao"]["p"]["domain"] == "127.0.0.1"

    # A session made on CPython (host back ends, the eth-account test wallet).
    async def host_session() -> dict[str, Any]:
        from did_session import AccountId, DIDSession, EthereumNodeAuth

        wallet = TestWallet()
        account = AccountId.parse(f"eip155:1:{wallet.address}")
        auth = EthereumNodeAuth.get_auth_method(wallet, account, "127.0.0.1")
        session = await DIDSession.authorize(auth, resources=RESOURCES)
        assert wallet.calls["personal_sign"] == 1
        return {"serialized": session.serialize(), "did": session.did.id, "id": session.id,
                "cid": session.cacao.cid, "cacao": session.cacao.to_json(),
                **await host_sign_all(session)}  # fmt: skip

    host = on_host(host_session)
    ref = load_vector("did-session-js/reference-sessions.json")["deterministic"]["ten_years"]

    js = page.evaluate(
        """async ([sessions, payloads, dagPayloads]) => {
          const J = window.DIDSessionJS, I = window.interop;
          const out = [];
          for (const s of sessions) {
            const session = await J.DIDSession.fromSession(s.serialized);
            out.push({serialized: session.serialize(), ...(await I.describe(session)),
                      ...(await I.signAll(session, payloads, dagPayloads)),
                      verified: await I.verifyAll(
                          [...s.jws, ...s.dag.map((d) => d.jws)], s.cacao, s.id)});
          }
          return out;
        }""",
        [
            [
                {k: ours[k] for k in ("serialized", "jws", "dag", "cacao", "id")},
                {k: host[k] for k in ("serialized", "jws", "dag", "cacao", "id")},
            ],
            PAYLOADS,
            DAG_PAYLOADS,
        ],
    )
    for who, mine, theirs in (("pyodide", ours, js[0]), ("cpython", host, js[1])):
        same(t, mine["serialized"], theirs["serialized"], f"{who}: JS re-serializes identically")
        same(t, mine["did"], theirs["did"], f"{who}: session did:key")
        same(t, mine["id"], theirs["id"], f"{who}: session did:pkh")
        same(t, mine["cid"], theirs["cid"], f"{who}: CACAO CID")
        same(t, mine["cacao"], theirs["cacao"], f"{who}: CACAO JSON")
        compare_signed(t, mine, theirs, who)
        kid = f"{mine['did']}#{mine['did'].split(':')[2]}"
        n = len(PAYLOADS) + len(DAG_PAYLOADS)
        same(t, theirs["verified"], [f"ok:{kid}"] * n, f"{who}: JS verifyJWS of our JWS/DagJWS")
    same(t, ours["cacaoBlock"], js[0]["cacaoBlock"], "pyodide: CACAO block bytes")
    same(t, ours["authorizations"], js[0]["authorizations"], "pyodide: authorizations")
    same(t, ours["isExpired"], js[0]["isExpired"], "pyodide: isExpired")
    assert host["did"] != ours["did"]  # fresh random keys

    # Tampered: a signature moved onto another payload; a capability not matching its CID or
    # signature; a capability of another session.
    good = ours["jws"][0]
    forged_cacao = json.loads(json.dumps(ours["cacao"]))
    forged_cacao["p"]["statement"] = "Give this application access to ALL of your data"
    cases = [
        (tampered(good, ours["jws"][1]["payload"]), ours["cacao"], ISSUER),
        (good, forged_cacao, ISSUER),
        (good, host["cacao"], ISSUER),
        (tampered(ours["dag"][0]["jws"], ours["dag"][1]["jws"]["payload"]), ours["cacao"], ISSUER),
    ]
    py_bad = refused_in_js_and_pyodide(t, page, cases)
    assert py_bad == [
        "error:InvalidSignatureError",
        "error:CapabilityMismatchError",
        "error:CapabilityMismatchError",
        "error:InvalidSignatureError",
    ]

    # The fixed reference vector (made by JS in Node) loads and signs the same on both sides
    # of the page.
    fixed = page.evaluate(
        """async ([serialized, payload, dagPayload]) => {
          const s = await window.DIDSessionJS.DIDSession.fromSession(serialized);
          return {jws: window.interop.plainJws(await s.did.createJWS(payload)),
                  dag: window.interop.plainJws((await s.did.createDagJWS(dagPayload)).jws)};
        }""",
        [ref["serialized"], ref["jws"]["payload"], ref["dagJws"]["payload"]],
    )
    fixed_py = run_py(
        page,
        f"""
s = await DIDSession.from_session({ref["serialized"]!r})
{{'jws': await s.did.create_jws({ref["jws"]["payload"]!r}),
  'dag': (await s.did.create_dag_jws({ref["dagJws"]["payload"]!r})).jws}}
""",
    )
    same(t, fixed["jws"], ref["jws"]["general"], "reference vector: JS in Chromium")
    same(t, fixed_py["jws"], ref["jws"]["general"], "reference vector: ours in Pyodide")
    same(t, fixed_py["dag"], fixed["dag"], "reference vector DagJWS: ours vs JS in Chromium")


@pytest.mark.wallet()
def test_js_sessions_load_and_verify_in_ours(harness_page: Page, server: SiteServer) -> None:
    """JS-made sessions in our from_session (Pyodide and CPython): same JWS, pass verify_jws."""
    t = "js->ours"
    page = harness_page
    open_interop_page(page, server)
    js = page.evaluate(
        """async ([resources, payloads, dagPayloads]) => {
          const I = window.interop;
          const session = await I.authorize(resources);
          return {serialized: session.serialize(), ...(await I.describe(session)),
                  ...(await I.signAll(session, payloads, dagPayloads))};
        }""",
        [RESOURCES, PAYLOADS, DAG_PAYLOADS],
    )
    assert wallet_calls(page)["personal_sign"] == 1
    assert js["did"].startswith("did:key:z6Mk")
    assert js["id"] == ISSUER
    kid = f"{js['did']}#{js['did'].split(':')[2]}"
    all_js_jws = [*js["jws"], *(d["jws"] for d in js["dag"])]
    n = len(all_js_jws)

    ours = run_py(
        page,
        f"""
js = {py_literal({k: js[k] for k in ("serialized", "cacao", "id")})}
all_js_jws = {py_literal(all_js_jws)}
session = await DIDSession.from_session(js['serialized'])
result = {{'serialized': session.serialize(), **_describe(session),
          **await _sign_all(session, {PAYLOADS!r}, {DAG_PAYLOADS!r}),
          'verified': await _verify_all(all_js_jws, js['cacao'], js['id']),
          'verified_signature_only': await _verify_all(all_js_jws, None, None)}}
result
""",
    )
    for k in ("serialized", "did", "id", "cid", "cacao", "cacaoBlock", "authorizations"):
        same(t, ours[k], js[k], f"pyodide: {k}")
    same(t, ours["isExpired"], js["isExpired"], "pyodide: isExpired")
    compare_signed(t, ours, js, "pyodide")
    same(t, ours["verified"], [f"ok:{kid}"] * n, "pyodide: verify_jws of JS JWS with capability")
    same(t, ours["verified_signature_only"], [f"ok:{kid}"] * n, "pyodide: signature only")

    # The same JS session and JWS taken back to CPython (host back ends).
    async def on_cpython() -> dict[str, Any]:
        from did_session import DIDSession, verify_jws

        session = await DIDSession.from_session(js["serialized"])
        verified = []
        for jws in all_js_jws:
            r = await verify_jws(jws, capability=js["cacao"], issuer=js["id"])
            verified.append(f"ok:{r.kid}")
        return {"serialized": session.serialize(), "did": session.did.id, "id": session.id,
                "cid": session.cacao.cid, "cacao": session.cacao.to_json(),
                "cacaoBlock": session.cacao.block.hex(), "verified": verified,
                **await host_sign_all(session)}  # fmt: skip

    host = on_host(on_cpython)
    for k in ("serialized", "did", "id", "cid", "cacao", "cacaoBlock"):
        same(t, host[k], js[k], f"cpython: {k}")
    compare_signed(t, host, js, "cpython")
    same(t, host["verified"], [f"ok:{kid}"] * n, "cpython: verify_jws of JS JWS with capability")

    # Tampered JS JWS fail on both sides (and in CPython).
    good = js["jws"][0]
    forged_cacao = json.loads(json.dumps(js["cacao"]))
    forged_cacao["p"]["resources"] = ["ceramic://anything"]
    cases = [
        (tampered(good, js["jws"][2]["payload"]), js["cacao"], ISSUER),
        (good, forged_cacao, ISSUER),
        (
            {
                "payload": good["payload"],
                "signatures": [
                    {
                        "protected": good["signatures"][0]["protected"],
                        "signature": js["jws"][1]["signatures"][0]["signature"],
                    }
                ],
            },
            js["cacao"],
            ISSUER,
        ),
        (tampered(js["dag"][1]["jws"], js["dag"][0]["jws"]["payload"]), js["cacao"], ISSUER),
    ]
    py_bad = refused_in_js_and_pyodide(t, page, cases)

    async def host_bad() -> list[str]:
        from did_session import DIDSessionError, verify_jws

        out = []
        for jws, cap, iss in cases:
            try:
                await verify_jws(jws, capability=cap, issuer=iss)
                out.append("ok")
            except DIDSessionError as e:
                out.append(f"error:{type(e).__name__}")
        return out

    cpython_bad = on_host(host_bad)
    same(t, py_bad, cpython_bad, "tampered: Pyodide and CPython refuse alike")
    assert py_bad == [
        "error:InvalidSignatureError",
        "error:CapabilityMismatchError",
        "error:InvalidSignatureError",
        "error:InvalidSignatureError",
    ]


@pytest.mark.wallet()
def test_es256_get_sessions_verify_both_ways(harness_page: Page, server: SiteServer) -> None:
    """P-256 WebCrypto get() sessions: our ES256 JWS pass JS verifyJWS and JS ones pass ours."""
    t = "es256"
    page = harness_page
    open_interop_page(page, server)
    payloads = PAYLOADS[:3]
    ours = run_py(
        page,
        f"""
account = await _account()
auth = EthereumWebAuth.get_auth_method(None, account)
session = await DIDSession.get(account, auth, resources={RESOURCES!r})
jws = [await session.did.create_jws(json.loads(p)) for p in {payloads!r}]
dag = (await session.did.create_dag_jws(json.loads({DAG_PAYLOADS[1]!r}))).to_json()
await DIDSession.remove(account)
{{**_describe(session), 'jws': jws, 'dag': dag}}
""",
    )
    assert ours["did"].startswith("did:key:zDn")
    kid = f"{ours['did']}#{ours['did'].split(':')[2]}"
    for jws in ours["jws"]:
        header = json.loads(b64url(jws["signatures"][0]["protected"]))
        assert header == {"alg": "ES256", "cap": f"ipfs://{ours['cid']}", "kid": kid}
    js = page.evaluate(
        """async ([ours, resources, payloads]) => {
          const J = window.DIDSessionJS, I = window.interop;
          const all = [...ours.jws, I.plainJws(ours.dag)];
          const verified = await I.verifyAll(all, ours.cacao, ours.id);
          const bad = await I.verifyAll([{payload: ours.jws[1].payload,
              signatures: ours.jws[0].signatures}], ours.cacao, ours.id);
          const accountId = await I.account();
          const auth = await J.EthereumWebAuth.getAuthMethod(window.ethereum, accountId);
          const session = await J.DIDSession.get(accountId, auth, {resources});
          const jws = [];
          for (const p of payloads) {
            jws.push(I.plainJws(await session.did.createJWS(JSON.parse(p))));
          }
          const dag = I.plainJws((await session.did.createDagJWS({a: 1})).jws);
          await J.DIDSession.remove(accountId);
          return {verified, bad, ...(await I.describe(session)), jws, dag};
        }""",
        [ours, RESOURCES, payloads],
    )
    same(t, js["verified"], [f"ok:{kid}"] * (len(payloads) + 1), "JS verifyJWS of our ES256 JWS")
    assert js["bad"][0].startswith("error:"), js["bad"]
    _CHECKS[t] = _CHECKS.get(t, 0) + 1
    assert js["did"].startswith("did:key:zDn") and js["did"] != ours["did"]  # a new key
    assert wallet_calls(page)["personal_sign"] == 2
    js_kid = f"{js['did']}#{js['did'].split(':')[2]}"
    for i, (a, b) in enumerate(zip(ours["jws"], js["jws"], strict=True)):
        same(t, a["payload"], b["payload"], f"ES256 payload section {i}")
        header = json.loads(b64url(b["signatures"][0]["protected"]))
        same(t, header, {"alg": "ES256", "cap": f"ipfs://{js['cid']}", "kid": js_kid}, "header")
    checked = run_py(
        page,
        f"""
js = {py_literal(js)}
all_js = [*js['jws'], js['dag']]
bad = {{'payload': js['jws'][1]['payload'], 'signatures': js['jws'][0]['signatures']}}
{{'verified': await _verify_all(all_js, js['cacao'], js['id']),
  'bad': await _verify_all([bad], js['cacao'], js['id']),
  'wrong_cap': await _verify_all(all_js[:1], {py_literal(ours["cacao"])}, js['id'])}}
""",
    )
    same(t, checked["verified"], [f"ok:{js_kid}"] * (len(payloads) + 1), "verify_jws of JS ES256")
    same(t, checked["bad"], ["error:InvalidSignatureError"], "tampered JS ES256 JWS")
    same(t, checked["wrong_cap"], ["error:CapabilityMismatchError"], "another session's cap")

    async def on_cpython() -> list[str]:
        from did_session import verify_jws

        out = []
        for jws in [*js["jws"], js["dag"]]:
            out.append((await verify_jws(jws, capability=js["cacao"], issuer=js["id"])).kid)
        return out

    same(t, on_host(on_cpython), [js_kid] * (len(payloads) + 1), "CPython verify of JS ES256")


def b64url(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
