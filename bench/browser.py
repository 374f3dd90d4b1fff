"""In-browser benchmark: npm did-session 4.0.0 (JS) and did_session (Python under Pyodide)
timed side by side in ONE headless Chromium page, same origin, same test wallet.

Both sides are timed inside the page with ``performance.now()`` (Python: ``from js import
performance``), warm-up first, then the median of many iterations. JS and Python blocks
alternate (``rounds``) so that a noisy neighbour hits both alike.

The page is ``.build/site/harness/`` (Pyodide + our wheel, ``window.runPython``) plus
``js/did-session-js.js`` (the real npm did-session 4.0.0 as ``window.DIDSessionJS``),
served by ``tools/serve.py``; the wallet is ``tools/js/test-wallet.mjs`` (signs at once).

    from bench.browser import run
    result = run(quick=False)   # {"ops": {...}, "profile": {...}, "vectors": {...}, ...}
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / ".build" / "site"
RESOURCES = ["ceramic://*"]

# ---- JS side ------------------------------------------------------------------------------

JS_SETUP = r"""
async () => {
  const J = window.DIDSessionJS;
  const B = (window.__bench = window.__bench || {});
  const [address] = await ethereum.request({method: 'eth_requestAccounts'});
  B.accountId = await J.getAccountId(window.ethereum, address);
  B.authMethod = await J.EthereumWebAuth.getAuthMethod(window.ethereum, B.accountId);
  B.verifier = new J.DID({resolver: J.KeyResolver.getResolver()});
  B.eip191 = J.getEIP191Verifier();
  // One sample = the mean of `batch` back-to-back calls: performance.now() ticks in
  // 0.1 ms steps in a page that is not cross-origin isolated.
  B.time = async (fn, n, warm, setup, batch) => {
    batch = batch || B.batch || 1;
    for (let i = 0; i < warm; i++) { if (setup) await setup(); await fn(); }
    const out = [];
    for (let i = 0; i < n; i++) {
      if (setup) await setup();
      const t = performance.now();
      for (let j = 0; j < batch; j++) await fn();
      out.push((performance.now() - t) / batch);
    }
    return out;
  };
  return String(B.accountId);
}
"""

# name -> JS body of `async (B, J, n, warm) => samples`
JS_OPS: dict[str, str] = {
    "authorize": """
        B.edSession = await J.DIDSession.authorize(B.authMethod, {resources: %(res)s});
        return B.time(() => J.DIDSession.authorize(B.authMethod, {resources: %(res)s}), n, warm);
    """,
    "get_new": """
        return B.time(async () => { B.p256Session = await J.DIDSession.get(
              B.accountId, B.authMethod, {resources: %(res)s}); }, n, warm,
            () => J.DIDSession.remove(B.accountId));
    """,
    "get_stored": """
        await J.DIDSession.get(B.accountId, B.authMethod, {resources: %(res)s});
        return B.time(() => J.DIDSession.get(B.accountId, B.authMethod, {resources: %(res)s}),
                      n, warm);
    """,
    "create_jws_ed25519": """
        B.edJws = await B.edSession.did.createJWS({hello: 'world'});
        return B.time(() => B.edSession.did.createJWS({hello: 'world'}), n, warm);
    """,
    "create_jws_p256": """
        B.p256Jws = await B.p256Session.did.createJWS({hello: 'world'});
        return B.time(() => B.p256Session.did.createJWS({hello: 'world'}), n, warm);
    """,
    "verify_jws_eddsa": """
        return B.time(() => B.verifier.verifyJWS(B.vectors.ed_jws), n, warm);
    """,
    "verify_jws_es256": """
        return B.time(() => B.verifier.verifyJWS(B.vectors.p256_jws), n, warm);
    """,
    "verify_jws_cacao": """
        const v = B.vectors;
        return B.time(() => B.verifier.verifyJWS(v.ed_jws, {issuer: v.ed_cacao_json.p.iss,
            capability: v.ed_cacao_json, verifiers: B.eip191}), n, warm);
    """,
    "serialize_from_session": """
        return B.time(() => J.DIDSession.fromSession(B.edSession.serialize()), n, warm);
    """,
    "verify_jws_solana": """
        const s = B.solana;
        return B.time(() => B.verifier.verifyJWS(s.jws, {issuer: s.cacao.p.iss,
            capability: s.cacao, verifiers: B.solanaVerifiers}), n, warm);
    """,
}

# A Solana session made by @didtools/pkh-solana 0.2.0 with the Solana test wallet (a fresh
# random Ed25519 key), and a JWS of it: what both sides verify in the Solana row.
JS_SOLANA_SETUP = r"""
async (resources) => {
  const J = window.DIDSessionJS, B = window.__bench;
  window.__installSolanaTestWallet({secretKey: 'random'});
  const {publicKey} = await window.solana.connect();
  const account = J.getSolanaAccountIdByNetwork('mainnet', publicKey.toBase58());
  const auth = await J.SolanaWebAuth.getAuthMethod(window.solana, account);
  const session = await J.DIDSession.authorize(auth, {resources});
  B.solanaVerifiers = J.getSolanaVerifier();
  B.solana = {jws: await session.did.createJWS({hello: 'world'}),
              cacao: JSON.parse(JSON.stringify(session.cacao))};
  return B.solana;
}
"""

# ---- Python side ------------------------------------------------------------------------------

PY_SETUP = r"""
import json
from js import performance
from did_session import DIDSession, EthereumWebAuth, get_account_id, request_accounts, verify_jws
from did_session import cacao as _cacao_mod

class _B:
    pass

B = _B()

BATCH = 1

async def _time(fn, n, warm, setup=None, batch=None):
    # One sample = the mean of `batch` back-to-back calls (performance.now() ticks in
    # 0.1 ms steps in a page that is not cross-origin isolated).
    batch = batch or (1 if setup is not None else BATCH)
    for _ in range(warm):
        if setup is not None:
            await setup()
        await fn()
    out = []
    for _ in range(n):
        if setup is not None:
            await setup()
        t = performance.now()
        for _ in range(batch):
            await fn()
        out.append((performance.now() - t) / batch)
    return out

async def _clear_verified():
    _cacao_mod._VERIFIED.clear()

# request_accounts(None) / get_account_id(None, ...) do not default to window.ethereum
# (only the auth method does): pass the adapted provider.
import js
from did_session.platform import default_platform
B.provider = default_platform().wallet("eip155", js.window.ethereum)
_addresses = await request_accounts(B.provider)
B.account = await get_account_id(B.provider, _addresses[0])
B.auth = EthereumWebAuth.get_auth_method(None, B.account)
str(B.account)
"""

# Before/after in the same page: the crypto facade's keccak / secp256k1 recovery switched
# back to pure Python (what ran under Pyodide before the @noble bundle) for one block.
PURE_ON = """
from did_session import crypto as _crypto
from did_session.crypto import keccak as _pk, secp256k1 as _pk1
_saved = (_crypto._keccak_impl, _crypto._k1_recover)
_crypto._keccak_impl, _crypto._k1_recover = _pk.keccak256, _pk1.recover
try:
    _out = %s
finally:
    _crypto._keccak_impl, _crypto._k1_recover = _saved
_out
"""

PY_OPS: dict[str, str] = {
    "authorize": """
B.ed_session = await DIDSession.authorize(B.auth, resources=%(res)s)
await _time(lambda: DIDSession.authorize(B.auth, resources=%(res)s), n, warm)
""",
    "get_new": """
async def _get_new():
    B.p256_session = await DIDSession.get(B.account, B.auth, resources=%(res)s)
await _time(_get_new, n, warm, lambda: DIDSession.remove(B.account))
""",
    "get_stored": """
await DIDSession.get(B.account, B.auth, resources=%(res)s)
await _time(lambda: DIDSession.get(B.account, B.auth, resources=%(res)s), n, warm)
""",
    "create_jws_ed25519": """
B.ed_jws = await B.ed_session.did.create_jws({"hello": "world"})
await _time(lambda: B.ed_session.did.create_jws({"hello": "world"}), n, warm)
""",
    "create_jws_p256": """
B.p256_jws = await B.p256_session.did.create_jws({"hello": "world"})
await _time(lambda: B.p256_session.did.create_jws({"hello": "world"}), n, warm)
""",
    "verify_jws_eddsa": """
await _time(lambda: verify_jws(B.v["ed_jws"]), n, warm)
""",
    "verify_jws_es256": """
await _time(lambda: verify_jws(B.v["p256_jws"]), n, warm)
""",
    # The CACAO as JSON (what JS is given): parsed, block + CID computed on every call.
    # "first": the verified-CACAO cache is emptied before each call (a new capability);
    # "repeated": it is not (the same capability again: recovery skipped).
    "verify_jws_cacao_first": """
_c = B.v["ed_cacao_json"]
await _time(lambda: verify_jws(B.v["ed_jws"], capability=_c, issuer=_c["p"]["iss"]), n, warm,
            _clear_verified)
""",
    "verify_jws_cacao_repeated": """
_c = B.v["ed_cacao_json"]
await _time(lambda: verify_jws(B.v["ed_jws"], capability=_c, issuer=_c["p"]["iss"]), n, warm)
""",
    "serialize_from_session": """
await _time(lambda: DIDSession.from_session(B.ed_session.serialize()), n, warm)
""",
    # A Solana CACAO (solana:ed25519): the Ed25519 check of the wallet's signature runs in
    # WebCrypto; the verified-CACAO cache is emptied before each call (as JS: always checks).
    "verify_jws_solana_first": """
_s = B.solana
await _time(lambda: verify_jws(_s["jws"], capability=_s["cacao"], issuer=_s["cacao"]["p"]["iss"]),
            n, warm, _clear_verified)
""",
    "authorize_pure": PURE_ON
    % "await _time(lambda: DIDSession.authorize(B.auth, resources=%(res)s), n, warm)",
    "verify_jws_cacao_first_pure": PURE_ON
    % """await _time(lambda: verify_jws(B.v["ed_jws"], capability=B.v["ed_cacao_json"],
    issuer=B.v["ed_cacao_json"]["p"]["iss"]), n, warm, _clear_verified)""",
    "get_new_pure": PURE_ON
    % """await _time(lambda: DIDSession.get(B.account, B.auth, resources=%(res)s), n, warm,
    lambda: DIDSession.remove(B.account))""",
    # from_session checks the CACAO signature (JS does not): its first call for a CACAO.
    "serialize_from_session_first": """
await _time(lambda: DIDSession.from_session(B.ed_session.serialize()), n, warm, _clear_verified)
""",
}

# (operation, JS op, Python op, samples, warm-up calls, calls per sample); quick mode
# divides the samples. Operations with a per-call setup (get_new, *_first) use 1 call.
PLAN: list[tuple[str, str, str, int, int, int]] = [
    ("authorize", "authorize", "authorize", 30, 3, 1),
    ("get_new", "get_new", "get_new", 16, 2, 1),
    ("get_stored", "get_stored", "get_stored", 40, 5, 5),
    ("create_jws_ed25519", "create_jws_ed25519", "create_jws_ed25519", 40, 20, 10),
    ("create_jws_p256", "create_jws_p256", "create_jws_p256", 40, 20, 10),
    ("verify_jws_eddsa", "verify_jws_eddsa", "verify_jws_eddsa", 40, 20, 10),
    ("verify_jws_es256", "verify_jws_es256", "verify_jws_es256", 40, 20, 10),
    ("verify_jws_cacao_first", "verify_jws_cacao", "verify_jws_cacao_first", 40, 5, 1),
    ("verify_jws_cacao_repeated", "verify_jws_cacao", "verify_jws_cacao_repeated", 40, 10, 5),
    ("serialize_from_session", "serialize_from_session", "serialize_from_session", 40, 10, 5),
    ("verify_jws_solana_first", "verify_jws_solana", "verify_jws_solana_first", 40, 5, 1),
    # Python only (JS figure: the row without _pure): before the @noble bundle.
    ("authorize_pure", "", "authorize_pure", 30, 3, 1),
    ("get_new_pure", "", "get_new_pure", 16, 2, 1),
    ("verify_jws_cacao_first_pure", "", "verify_jws_cacao_first_pure", 40, 5, 1),
    (
        "serialize_from_session_first",
        "serialize_from_session",
        "serialize_from_session_first",
        30,
        4,
        1,
    ),
]

# Python run in the page to time the parts of the costly operations (profile section).
PY_PROFILE = r"""
from did_session import eth as _eth
from did_session.cacao import Cacao as _Cacao
from did_session.crypto import keccak256 as _keccak, secp256k1_recover as _recover
from did_session.jws import decode_header as _decode_header, _parts
from did_session.codecs.bases import b64url_decode as _b64d, b64url_encode as _b64e
from did_session.did_key import parse_kid as _parse_kid
from did_session.platform import default_platform as _cp
import did_session._json as _dj

_c = B.v["ed_cacao_json"]
_cacao = _Cacao.from_json(_c)
_msg = next(_cacao._candidate_texts())
_sig = bytes.fromhex(_cacao.signature[2:])
_h = _eth.personal_message_hash(_msg)
_prot, _pay, _sigs = _parts(B.v["ed_jws"])
_ver = _cp().verifier
_signer = _parse_kid(_decode_header(_prot)["kid"])
_sigb = _b64d(_sigs)
_input = f"{_prot}.{_pay}".encode()

async def _sync(fn):
    fn()

prof = {}
async def _p(name, fn, n=100, warm=10, setup=None):
    prof[name] = await _time(fn, n, warm, setup, 1 if setup is not None or n <= 30 else 10)

def _s(fn):
    return lambda: _sync(fn)

_rs, _v = _sig[:64], _sig[64] - 27
await _p("keccak256 SIWE message", _s(lambda: _eth.personal_message_hash(_msg)), 100)
await _p("secp256k1 recover", _s(lambda: _recover(_h, _rs, _v)), 30, 3)
await _p("recover + address (keccak)", _s(
    lambda: _eth.address_from_public_key(_recover(_h, _rs, _v))), 30, 3)
from did_session.crypto import keccak as _pure_keccak, secp256k1 as _pure_k1
_data = b"\x19Ethereum Signed Message:\n" + str(len(_msg.encode())).encode() + _msg.encode()
await _p("keccak256 SIWE message, pure Python", _s(lambda: _pure_keccak.keccak256(_data)), 30, 3)
await _p("secp256k1 recover, pure Python", _s(lambda: _pure_k1.recover(_h, _rs, _v)), 30, 3)
await _p("Cacao.from_json", _s(lambda: _Cacao.from_json(_c)), 200)
await _p("Cacao.from_json + block + CID", _s(lambda: _Cacao.from_json(_c).cid), 200)
await _p("SIWE candidate texts", _s(lambda: next(_Cacao.from_json(_c)._candidate_texts())), 200)
await _p("cacao.verify_signature (uncached)",
         _s(lambda: _Cacao.from_json(_c).verify_signature()), 30, 3, _clear_verified)
await _p("JWS parse header + kid", _s(lambda: _parse_kid(_decode_header(_prot)["kid"])), 200)
await _p("WebCrypto Ed25519 verify (FFI)",
         lambda: _ver.verify("EdDSA", _signer.public_key, _input, _sigb), 200)
await _p("await a resolved JS promise", lambda: js.Promise.resolve(1), 200)
# What that await is made of, and the alternative: one turn of Pyodide's event loop (a task
# wakes up through it), and JSPI's run_sync on the same promise (no event loop, a stack
# switch instead: tried, not faster).
import asyncio as _asyncio
await _p("one event-loop turn (asyncio.sleep(0))", lambda: _asyncio.sleep(0), 200)
from pyodide.ffi import can_run_sync as _can_run_sync, run_sync as _run_sync
if _can_run_sync():
    await _p("run_sync(a resolved JS promise), JSPI",
             _s(lambda: _run_sync(js.Promise.resolve(1))), 200)
_p256_signer = B.p256_session.did._signer
await _p("WebCrypto P-256 sign, from Python (FFI + await)",
         lambda: _p256_signer.sign(_input), 100)
prof
"""

JS_PROFILE = r"""
async () => {
  const B = window.__bench, J = window.DIDSessionJS, out = {};
  const c = B.vectors.ed_cacao_json;
  const syncT = (fn) => async () => fn();
  out["JS Cacao.verify (eip191)"] = await B.time(() => B.eip191['eip191'](c, {}), 60, 5);
  const alg = {name: 'ECDSA', namedCurve: 'P-256'};
  const kp = await crypto.subtle.generateKey(alg, false, ['sign']);
  const data = new TextEncoder().encode('x'.repeat(300));
  const sign = () => crypto.subtle.sign({name: 'ECDSA', hash: 'SHA-256'}, kp.privateKey, data);
  out["JS WebCrypto P-256 sign (await)"] = await B.time(sign, 100, 10, null, 10);
  out["JS await a resolved promise"] = await B.time(() => Promise.resolve(1), 50, 10, null, 50);
  if (J.noble) {
    const msg = new TextEncoder().encode(B.vectors.siwe_text);
    const prefix = new TextEncoder().encode('\x19Ethereum Signed Message:\n' + msg.length);
    const all = new Uint8Array(prefix.length + msg.length);
    all.set(prefix);
    all.set(msg, prefix.length);
    out["JS noble keccak256 SIWE message"] =
      await B.time(syncT(() => J.noble.keccak_256(all)), 50, 20, null, 50);
  }
  return out;
}
"""


def _ms(samples: list[float]) -> float:
    return statistics.median(samples)


class BrowserBench:
    def __init__(self, quick: bool, log: Any = print, *, jspi: bool | None = None) -> None:
        self.quick = quick
        self.log = log
        self.jspi = jspi  # None: as DID_SESSION_JSPI says (tools/chromium.py)

    def _n(self, n: int, warm: int) -> tuple[int, int]:
        if self.quick:
            return max(3, n // 10), max(1, warm // 5)
        return n * 2, warm

    def run(self) -> dict[str, Any]:
        sys.path.insert(0, str(ROOT / "playwright"))
        import browser_kit as kit
        from playwright.sync_api import sync_playwright

        if not (SITE / "harness" / "index.html").exists():
            raise SystemExit(f"{SITE} is not built: run ./dev setup (or python tools/build.py)")
        from tools import chromium, serve

        chromium.check_executable()
        httpd, url = serve.start_server(SITE)
        server = kit.SiteServer(url, SITE)
        out: dict[str, Any] = {}
        try:
            with (
                tempfile.TemporaryDirectory(prefix="did-session-bench-") as profile,
                sync_playwright() as pw,
            ):
                session = kit.BrowserSession(
                    pw, Path(profile), kit.RequestRecorder(url), jspi=self.jspi
                )
                try:
                    kit.install_wallet(session)
                    out = self._run_page(kit, session, server)
                    browser_obj = session.context.browser
                    out["chromium"] = (
                        browser_obj.version
                        if browser_obj is not None
                        else session.page.evaluate("navigator.userAgent")
                    )
                    foreign = session.recorder.foreign()
                    if foreign:
                        out["foreign_requests"] = foreign[:5]
                finally:
                    session.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
        return out

    def _open(self, kit: Any, session: Any, server: Any) -> float:
        page = session.page
        ready_s = kit.open_harness(page, server)
        page.add_script_tag(url=server.page_url("js/did-session-js.js"))
        page.add_script_tag(url=server.page_url("js/solana-test-wallet.js"))
        return ready_s

    def _js(self, page: Any, op: str, n: int, warm: int) -> list[float]:
        body = JS_OPS[op] % {"res": json.dumps(RESOURCES)}
        fn = f"async ([n, warm]) => {{ const B = window.__bench, J = window.DIDSessionJS; {body} }}"
        return [float(x) for x in page.evaluate(fn, [n, warm])]

    def _py(self, kit: Any, page: Any, op: str, n: int, warm: int) -> list[float]:
        code = f"n, warm = {n}, {warm}\n" + PY_OPS[op] % {"res": repr(RESOURCES)}
        return [float(x) for x in kit.run_py(page, code)]

    def _run_page(self, kit: Any, session: Any, server: Any) -> dict[str, Any]:
        page = session.page
        self._open(kit, session, server)
        page.evaluate(JS_SETUP)
        kit.run_py(page, PY_SETUP)
        solana = page.evaluate(JS_SOLANA_SETUP, RESOURCES)
        kit.run_py(page, f"B.solana = json.loads({json.dumps(json.dumps(solana))})\nNone")
        info = kit.run_py(
            page,
            "import sys, pyodide\n"
            "{'python': sys.version.split()[0], 'pyodide': pyodide.__version__,"
            " 'crypto_backend': __import__('did_session.crypto').crypto.BACKEND}",
        )
        samples: dict[str, dict[str, list[float]]] = {}
        rounds = 1 if self.quick else 2
        for rnd in range(rounds):
            for name, js_op, py_op, n, warm, batch in PLAN:
                n, warm = self._n(n, warm)
                page.evaluate(f"window.__bench.batch = {batch}")
                kit.run_py(page, f"BATCH = {batch}\nNone")
                n = max(1, n // rounds)
                warm = warm if rnd == 0 else max(1, warm // 2)
                entry = samples.setdefault(name, {"python": [], "js": []})
                order = ("js", "python") if rnd % 2 == 0 else ("python", "js")
                for side in order:
                    if side == "js" and js_op:
                        entry["js"] += self._js(page, js_op, n, warm)
                    elif side == "python":
                        entry["python"] += self._py(kit, page, py_op, n, warm)
                if name == "create_jws_p256" and rnd == 0:
                    self._share_vectors(kit, page)
                js_ms = _ms(entry["js"]) if entry["js"] else float("nan")
                self.log(
                    f"  [{rnd + 1}/{rounds}] {name}: python {_ms(entry['python']):.3f} ms, "
                    f"js {js_ms:.3f} ms"
                )
        ops = {}
        for k, v in samples.items():
            js = v["js"] or samples[k.removesuffix("_pure")]["js"]
            ops[k] = {"python_ms": _ms(v["python"]), "js_ms": _ms(js), "n": len(v["python"])}
        vectors = page.evaluate("() => window.__bench.vectors")
        profile = self._profile(kit, page)
        reload_ops = self._after_reload(kit, session, server)
        ops.update(reload_ops)
        return {"ops": ops, "profile": profile, "vectors": vectors, **info}

    def _share_vectors(self, kit: Any, page: Any) -> None:
        """JWS + CACAO made by the JS library: both sides verify the same bytes."""
        vectors = page.evaluate(
            """() => { const B = window.__bench;
                 const v = {ed_jws: B.edJws, p256_jws: B.p256Jws,
                            ed_cacao_json: JSON.parse(JSON.stringify(B.edSession.cacao)),
                            issuer: B.edSession.id};
                 B.vectors = v; return v; }"""
        )
        kit.run_py(page, f"B.v = json.loads({json.dumps(json.dumps(vectors))})\nNone")
        text = kit.run_py(
            page,
            "from did_session.cacao import Cacao as _C\n"
            "next(_C.from_json(B.v['ed_cacao_json'])._candidate_texts())",
        )
        page.evaluate("(t) => { window.__bench.vectors.siwe_text = t; }", text)

    def _profile(self, kit: Any, page: Any) -> dict[str, float]:
        page.evaluate("window.__bench.batch = 1")
        kit.run_py(page, "BATCH = 1\nNone")
        prof = kit.run_py(page, PY_PROFILE)
        out = {k: _ms(v) for k, v in prof.items()}
        try:
            js = page.evaluate(JS_PROFILE)
            out.update({k: _ms(v) for k, v in js.items()})
        except Exception as e:
            self.log(f"  JS profile failed: {e}")
        return out

    def _after_reload(self, kit: Any, session: Any, server: Any) -> dict[str, Any]:
        """``get`` with a stored session, first call after a reload (both libraries read
        the same IndexedDB entry; which one goes first alternates)."""
        reloads = 2 if self.quick else 6
        py_s: list[float] = []
        js_s: list[float] = []
        first_py_code = (
            "from js import performance\n"
            "import js\n"
            "from did_session import DIDSession, EthereumWebAuth\n"
            "from did_session import get_account_id, request_accounts\n"
            "from did_session.platform import default_platform\n"
            "_p = default_platform().wallet('eip155', js.window.ethereum)\n"
            "_a = await get_account_id(_p, (await request_accounts(_p))[0])\n"
            "_auth = EthereumWebAuth.get_auth_method(None, _a)\n"
            "_t = performance.now()\n"
            f"await DIDSession.get(_a, _auth, resources={RESOURCES!r})\n"
            "performance.now() - _t\n"
        )
        first_js = """async (res) => {
            const J = window.DIDSessionJS;
            const [address] = await ethereum.request({method: 'eth_requestAccounts'});
            const acc = await J.getAccountId(window.ethereum, address);
            const auth = await J.EthereumWebAuth.getAuthMethod(window.ethereum, acc);
            const t = performance.now();
            await J.DIDSession.get(acc, auth, {resources: res});
            return performance.now() - t;
        }"""
        for i in range(reloads):
            self._open(kit, session, server)
            page = session.page
            if i % 2 == 0:
                js_s.append(float(page.evaluate(first_js, RESOURCES)))
                py_s.append(float(kit.run_py(page, first_py_code)))
            else:
                py_s.append(float(kit.run_py(page, first_py_code)))
                js_s.append(float(page.evaluate(first_js, RESOURCES)))
        self.log(f"  get_after_reload: python {_ms(py_s):.1f} ms, js {_ms(js_s):.1f} ms")
        return {"get_after_reload": {"python_ms": _ms(py_s), "js_ms": _ms(js_s), "n": len(py_s)}}


def run(quick: bool = False, log: Any = print) -> dict[str, Any]:
    t0 = time.perf_counter()
    result = BrowserBench(quick, log).run()
    result["seconds"] = time.perf_counter() - t0
    return result


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
