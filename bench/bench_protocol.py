"""Protocol-level timings on CPython: CACAO verification, JWS create / verify, DAG-CBOR.

    python bench/bench_protocol.py          # a table: pure and native back ends side by side
    from bench.bench_protocol import run    # {"jws verify EdDSA + CACAO (cold)": ms, ...}

The crypto back end is chosen once at import, so ``main`` runs ``run()`` in two child
processes, one with ``DID_SESSION_PURE=1``. "cold" rows clear the verified-CACAO cache
before each call (a server meeting each capability once); "cached" rows do not (a session
signing many requests with one capability).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import did_session  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from did_session import cacao as cacao_module  # noqa: E402
from did_session._sync import run_sync  # noqa: E402
from did_session.codecs import dag_cbor  # noqa: E402
from did_session.crypto import BACKEND  # noqa: E402


def _median_ms(fn: Callable[[], object], iterations: int) -> float:
    fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _sessions() -> tuple[object, object]:
    from tests.wallet import TestWallet

    from did_session import AccountId, DIDSession, EthereumNodeAuth
    from did_session.host import MemoryStore

    account = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
    auth = EthereumNodeAuth.get_auth_method(TestWallet(), account, "bench.example")

    async def make() -> tuple[object, object]:
        ed = await DIDSession.authorize(auth, resources=["ceramic://*"])
        p256 = await DIDSession.get(account, auth, resources=["ceramic://*"], store=MemoryStore())
        return ed, p256

    return asyncio.run(make())


def run(iterations: int = 200) -> dict[str, float]:
    from did_session import verify_jws

    ed, p256 = _sessions()
    out: dict[str, float] = {}
    for name, session in (("EdDSA", ed), ("ES256", p256)):
        did = session.did  # type: ignore[attr-defined]
        cacao = session.cacao  # type: ignore[attr-defined]
        jws = asyncio.run(did.create_jws({"hello": "world", "n": 1}))
        out[f"jws create {name}"] = _median_ms(
            lambda did=did: run_sync(did.create_jws({"hello": "world", "n": 1})), iterations
        )
        out[f"jws verify {name}, signature only"] = _median_ms(
            lambda jws=jws: run_sync(verify_jws(jws)), iterations
        )

        def cold(jws: object = jws, cacao: object = cacao) -> None:
            cacao_module._VERIFIED.clear()
            run_sync(verify_jws(jws, capability=cacao))  # type: ignore[arg-type]

        out[f"jws verify {name} + CACAO (cold)"] = _median_ms(cold, iterations)
        out[f"jws verify {name} + CACAO (cached)"] = _median_ms(
            lambda jws=jws, cacao=cacao: run_sync(verify_jws(jws, capability=cacao)), iterations
        )
    cacao = ed.cacao  # type: ignore[attr-defined]

    def cacao_verify() -> None:
        cacao_module._VERIFIED.clear()
        cacao.verify_signature()

    out["CACAO signature check (EIP-191 recovery)"] = _median_ms(cacao_verify, iterations)
    as_json = cacao.to_json()
    out["DAG-CBOR encode of a CACAO"] = _median_ms(lambda: dag_cbor.encode(as_json), iterations)
    return out


def main() -> None:
    columns: dict[str, dict[str, float]] = {}
    for label, pure in (("pure", "1"), ("native", "0")):
        env = dict(os.environ, DID_SESSION_PURE=pure)
        code = "import json, bench.bench_protocol as b; print(json.dumps(b.run()))"
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        columns[label] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"CPython {sys.version.split()[0]}, ms per operation (median); native = {BACKEND}")
    print(f"{'operation':45} {'pure':>9} {'native':>9}")
    for op in columns["pure"]:
        print(f"{op:45} {columns['pure'][op]:9.3f} {columns['native'][op]:9.3f}")


if __name__ == "__main__":
    main()
