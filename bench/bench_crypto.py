"""Per-operation timings of did_session.crypto: the pure path and the native path side by
side (median of many runs, time.perf_counter, milliseconds per operation).

    python bench/bench_crypto.py            # prints a table
    from bench.bench_crypto import run      # {"secp256k1 recover/pure": 1.1, ...}

The native column uses cryptography / coincurve / pycryptodome when they import, and is
left out otherwise (e.g. under Pyodide). One-off table builds (done lazily on first use
by the pure modules) are reported on their own rows.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import did_session  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import did_session.eth as eth
from did_session.crypto import _native, ed25519, keccak, p256, secp256k1

_MSG_240 = bytes(range(240))
_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
_SK = bytes.fromhex("b25c7db31feed9122727bf0939dc769a96564b2de4c4726d035b36ecf1e5b364")
# A SIWE-sized message, as a CACAO check recovers over one.
_SIWE = (
    "example.com wants you to sign in with your Ethereum account:\n"
    "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E\n\nGive this application access\n\n"
    "URI: did:key:z6MkrBdNdwUPnXDVD1DCxedzVVBpaGi8aSmoXFAeKNgtAer8\nVersion: 1\n"
    "Chain ID: 1\nNonce: 32891757\nIssued At: 2021-09-30T16:25:24.000Z\n"
    "Resources:\n- ceramic://*"
)


def _median_ms(fn: Callable[[], object], iterations: int) -> float:
    fn()  # warm-up (and lazy table builds)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _once_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


@contextmanager
def _eth_on(
    keccak256: Callable[[bytes], bytes],
    recover: Callable[[bytes, bytes, int], bytes],
) -> Iterator[None]:
    """Point eth.py at a given back end for the duration (it binds names at import)."""
    namespace = vars(eth)
    saved = {name: namespace[name] for name in ("keccak256", "secp256k1_recover")}
    namespace.update(keccak256=keccak256, secp256k1_recover=recover)
    try:
        yield
    finally:
        namespace.update(saved)


def _table_builds() -> dict[str, float]:
    def k1() -> None:
        secp256k1._g_tables = None
        secp256k1._g_tables_get()

    def r1() -> None:
        p256._g_table = None
        p256._g_table_get()

    def ed() -> None:
        ed25519._comb = None
        ed25519._comb_get()

    return {
        "secp256k1 G table build (once)/pure": _once_ms(k1),
        "P-256 G table build (once)/pure": _once_ms(r1),
        "Ed25519 B table build (once)/pure": _once_ms(ed),
    }


def run(iterations: int = 200) -> dict[str, float]:
    """Median ms per operation, keyed ``"<operation>/pure"`` and ``"<operation>/native"``."""
    results = _table_builds()

    msg_hash = keccak.keccak256(b"bench")
    sig, recid = secp256k1.sign_recoverable(_SK, msg_hash)
    personal_sig = eth.sign_personal_message(_SK, _SIWE)
    ed_pk = ed25519.public_key(_SEED)
    ed_sig = ed25519.sign(_SEED, _MSG_240)
    p_pk = p256.public_key(_SK)
    p_sig = p256.sign(_SK, _MSG_240)

    def personal(keccak256: Callable[[bytes], bytes], recover: Callable[..., bytes]) -> str:
        with _eth_on(keccak256, recover):
            return eth.recover_personal_signer(_SIWE, personal_sig)

    pure: dict[str, Callable[[], object]] = {
        "keccak256 240 B": lambda: keccak.keccak256(_MSG_240),
        "secp256k1 recover": lambda: secp256k1.recover(msg_hash, sig, recid),
        "personal_sign recover (2 keccak + recover)": lambda: personal(
            keccak.keccak256, secp256k1.recover
        ),
        "secp256k1 sign (RFC 6979)": lambda: secp256k1.sign_recoverable(_SK, msg_hash),
        "Ed25519 sign": lambda: ed25519.sign(_SEED, _MSG_240),
        "Ed25519 verify": lambda: ed25519.verify(ed_pk, _MSG_240, ed_sig),
        "P-256 sign": lambda: p256.sign(_SK, _MSG_240),
        "P-256 verify": lambda: p256.verify(p_pk, _MSG_240, p_sig),
    }
    native: dict[str, Callable[[], object]] = {}
    if _native.keccak256 is not None:
        nk = _native.keccak256
        native["keccak256 240 B"] = lambda: nk(_MSG_240)
    if _native.HAVE_COINCURVE:
        native["secp256k1 recover"] = lambda: _native.secp256k1_recover(msg_hash, sig, recid)
        native["secp256k1 sign (RFC 6979)"] = lambda: _native.secp256k1_sign_recoverable(
            _SK, msg_hash
        )
        native["personal_sign recover (2 keccak + recover)"] = lambda: personal(
            _native.keccak256 or keccak.keccak256, _native.secp256k1_recover
        )
    if _native.HAVE_CRYPTOGRAPHY:
        native["Ed25519 sign"] = lambda: _native.ed25519_sign(_SEED, _MSG_240)
        native["Ed25519 verify"] = lambda: _native.ed25519_verify(ed_pk, _MSG_240, ed_sig)
        native["P-256 sign"] = lambda: _native.p256_sign(_SK, _MSG_240)
        native["P-256 verify"] = lambda: _native.p256_verify(p_pk, _MSG_240, p_sig)

    for name, fn in pure.items():
        results[f"{name}/pure"] = _median_ms(fn, iterations)
    for name, fn in native.items():
        results[f"{name}/native"] = _median_ms(fn, iterations * 10)
    return results


def main() -> None:
    results = run()
    ops: list[str] = []
    for key in results:
        op = key.rsplit("/", 1)[0]
        if op not in ops:
            ops.append(op)
    print(f"Python {sys.version.split()[0]} ({sys.platform})")
    print(f"{'operation':45s} {'pure ms':>9s} {'native ms':>10s} {'ratio':>7s}")
    for op in ops:
        p = results.get(f"{op}/pure")
        n = results.get(f"{op}/native")
        ratio = f"{p / n:6.0f}x" if p is not None and n else ""
        p_text = f"{p:9.3f}" if p is not None else f"{'-':>9s}"
        n_text = f"{n:10.4f}" if n is not None else f"{'-':>10s}"
        print(f"{op:45s} {p_text} {n_text} {ratio:>7s}")


if __name__ == "__main__":
    main()
