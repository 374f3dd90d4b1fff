"""Micro-benchmarks of the codecs on the hot paths of a session (pure Python, no deps).

Run: ``python bench/bench_codecs.py`` (CPython) or call ``run()`` inside Pyodide.
Each figure is the median over several rounds of the mean time per call, in milliseconds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from did_session.codecs import dag_cbor
from did_session.codecs.bases import b58decode, b58encode, b64url_decode, b64url_encode
from did_session.codecs.cid import CID

# The CACAO of the did-session reference session (did-session-js/reference-sessions.json).
CACAO: dict[str, Any] = {
    "h": {"t": "eip4361"},
    "p": {
        "domain": "127.0.0.1",
        "iat": "2025-01-01T00:00:00.000Z",
        "iss": "did:pkh:eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "aud": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
        "version": "1",
        "nonce": "refjsNonce",
        "exp": "2025-01-08T00:00:00.000Z",
        "statement": "Give this application access to some of your data on Ceramic",
        "resources": ["ceramic://*"],
    },
    "s": {
        "t": "eip191",
        "s": "0xb1ef4858014e142bb097f3f08efbe30028f66cc7ed0bb958801d5215aff63da430134f669a07b89"
        "fba6f646b24a16632f9045651a180f8aceae5662e94e02a571b",
    },
}
DID_KEY_FINGERPRINT = "z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd"


def _measure(fn: Callable[[], object], *, rounds: int = 15, min_round_s: float = 0.02) -> float:
    """Median over ``rounds`` of the mean ms per call (loop count calibrated once)."""
    fn()  # warm up caches
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        if time.perf_counter() - start >= min_round_s:
            break
        loops *= 2
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - start) / loops * 1000.0)
    return statistics.median(samples)


def run() -> dict[str, float]:
    """Milliseconds per operation, by name."""
    block = dag_cbor.encode(CACAO)
    raw_did_key = b58decode(DID_KEY_FINGERPRINT[1:])
    payload = b'{"hello":"world","nested":{"a":[1,2,3]}}' * 4
    return {
        "dag_cbor.encode(CACAO)": _measure(lambda: dag_cbor.encode(CACAO)),
        "dag_cbor.decode(CACAO block)": _measure(lambda: dag_cbor.decode(block)),
        "CID of CACAO (encode + sha256)": _measure(lambda: CID.from_block(dag_cbor.encode(CACAO))),
        "str(CID) (base32)": _measure(lambda: str(CID.from_block(block))),
        "b58encode(did:key bytes)": _measure(lambda: b58encode(raw_did_key)),
        "b58decode(did:key text)": _measure(lambda: b58decode(DID_KEY_FINGERPRINT[1:])),
        "b64url round trip (160 B)": _measure(lambda: b64url_decode(b64url_encode(payload))),
    }


def main() -> None:
    results = run()
    width = max(map(len, results))
    print(f"{'operation':<{width}}  {'ms/op':>10}")
    for name, ms in results.items():
        print(f"{name:<{width}}  {ms:>10.4f}")


if __name__ == "__main__":
    main()
