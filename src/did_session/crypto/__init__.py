"""Cryptographic primitives used by did_session, behind one synchronous bytes-in/bytes-out
facade.

The back end is chosen once, at import:

* native, when the libraries import and ``DID_SESSION_PURE`` is not ``"1"``:
  ``cryptography`` for Ed25519 and P-256, ``coincurve`` for secp256k1, and
  ``pycryptodome``'s Keccak when it happens to be installed (each independently);
* otherwise the pure-Python modules in this package, which is what runs under Pyodide
  (no native wheels there).

Both paths accept and reject the same inputs and raise the same exceptions; the pure
path is deterministic where the native one is (RFC 8032, RFC 6979), so signatures are
identical. ``BACKEND`` says what was chosen.

Point (de)compression is always done in pure Python (one square root; cheap enough) so
that exactly the same encodings are accepted everywhere.

The pure code is not constant-time (Python cannot be); see the module docstrings.

``hashlib`` and ``hmac`` are imported inside the functions that use them, here and in the
pure modules: together they cost about 60 ms of page start-up under Pyodide.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from did_session._env import IN_PYODIDE
from did_session.crypto import ed25519 as _ed25519
from did_session.crypto import keccak as _keccak
from did_session.crypto import p256 as _p256
from did_session.crypto import secp256k1 as _secp256k1

__all__ = [
    "BACKEND",
    "ed25519_public_key",
    "ed25519_sign",
    "ed25519_verify",
    "keccak256",
    "p256_compress",
    "p256_decompress",
    "p256_der_decode",
    "p256_der_encode",
    "p256_public_key",
    "p256_recover",
    "p256_sign",
    "p256_verify",
    "secp256k1_compress",
    "secp256k1_decompress",
    "secp256k1_public_key",
    "secp256k1_recover",
    "secp256k1_sign_recoverable",
    "sha256",
]


# Chosen once: later changes to the environment variable have no effect.
_PURE_ONLY = os.environ.get("DID_SESSION_PURE") == "1"
_use_cryptography = False
_use_coincurve = False
_native_keccak: Callable[[bytes], bytes] | None = None
if not _PURE_ONLY:
    from did_session.crypto import _native

    _use_cryptography = _native.HAVE_CRYPTOGRAPHY
    _use_coincurve = _native.HAVE_COINCURVE
    _native_keccak = _native.keccak256

_keccak_impl: Callable[[bytes], bytes] = _native_keccak or _keccak.keccak256
_ed_pk: Callable[[bytes], bytes] = _ed25519.public_key
_ed_sign: Callable[[bytes, bytes], bytes] = _ed25519.sign
_ed_verify: Callable[[bytes, bytes, bytes], bool] = _ed25519.verify
_p256_pk: Callable[[bytes], bytes] = _p256.public_key
_p256_sign: Callable[[bytes, bytes], bytes] = _p256.sign
_p256_verify: Callable[[bytes, bytes, bytes], bool] = _p256.verify
_k1_pk: Callable[[bytes], bytes] = _secp256k1.public_key
_k1_recover: Callable[[bytes, bytes, int], bytes] = _secp256k1.recover
_k1_sign: Callable[[bytes, bytes], tuple[bytes, int]] = _secp256k1.sign_recoverable

if _use_cryptography:
    _ed_pk = _native.ed25519_public_key
    _ed_sign = _native.ed25519_sign
    _ed_verify = _native.ed25519_verify
    _p256_pk = _native.p256_public_key
    _p256_sign = _native.p256_sign
    _p256_verify = _native.p256_verify
if _use_coincurve:
    _k1_pk = _native.secp256k1_public_key
    _k1_recover = _native.secp256k1_recover
    _k1_sign = _native.secp256k1_sign_recoverable

# Under Pyodide: keccak-256 and secp256k1 recovery in JS (@noble, shipped in the wheel),
# 30x / 2x faster there than pure Python. Ed25519 / P-256 stay pure here (the browser
# back ends use WebCrypto for those).
_use_noble = False
if not _PURE_ONLY and IN_PYODIDE:
    import contextlib

    with contextlib.suppress(Exception):  # no JS engine reachable: stay pure
        from did_session.crypto import _noble

        if _noble.BUNDLE_PRESENT:  # evaluated on first use (keeps the import snapshot-safe)
            _keccak_impl = _noble.keccak256
            _k1_recover = _noble.recover
            _use_noble = True


def _describe() -> str:
    if _use_noble:
        return "pyodide (noble JS: keccak, secp256k1 recovery; pure Python: the rest)"
    native = [
        name
        for name, used in (
            ("cryptography", _use_cryptography),
            ("coincurve", _use_coincurve),
            ("pycryptodome", _native_keccak is not None),
        )
        if used
    ]
    if not native:
        return "pure"
    pure = [
        name
        for name, used in (
            ("ed25519/p256", _use_cryptography),
            ("secp256k1", _use_coincurve),
            ("keccak", _native_keccak is not None),
        )
        if not used
    ]
    return f"native ({', '.join(native)})" + (f"; pure {', '.join(pure)}" if pure else "")


BACKEND: str = _describe()
"""What was chosen at import, e.g. ``"native (cryptography, coincurve)"`` or ``"pure"``."""


# --- hashes --------------------------------------------------------------------------


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's, not SHA3-256) of ``data``: 32 bytes."""
    return _keccak_impl(data)


def sha256(data: bytes) -> bytes:
    """SHA-256 of ``data``: 32 bytes."""
    import hashlib

    return hashlib.sha256(data).digest()


# --- Ed25519 -------------------------------------------------------------------------


def ed25519_public_key(seed: bytes) -> bytes:
    """32-byte Ed25519 public key of a 32-byte seed. MalformedError on a wrong length."""
    return _ed_pk(seed)


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """64-byte deterministic Ed25519 signature (RFC 8032) of ``message``."""
    return _ed_sign(seed, message)


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Strict Ed25519 verification (S < L, cofactorless, R compared as bytes; the same
    verdicts as OpenSSL and Wycheproof). Returns False, never raises, on bad input."""
    return _ed_verify(public_key, message, signature)


# --- P-256 ---------------------------------------------------------------------------


def p256_public_key(private_key: bytes) -> bytes:
    """65-byte uncompressed SEC1 public key of a 32-byte private key (1 <= d < n)."""
    return _p256_pk(private_key)


def p256_sign(private_key: bytes, message: bytes) -> bytes:
    """ECDSA P-256 over SHA-256(message), deterministic (RFC 6979): raw 64-byte r || s."""
    return _p256_sign(private_key, message)


def p256_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """ECDSA P-256 over SHA-256(message) with a 33- or 65-byte SEC1 key and raw r || s.
    High-S is accepted (as WebCrypto does). Returns False, never raises, on bad input."""
    return _p256_verify(public_key, message, signature)


def p256_compress(pub: bytes) -> bytes:
    """33-byte compressed point. MalformedError for a bad length/prefix or off-curve point."""
    return _p256.compress(pub)


def p256_decompress(pub33: bytes) -> bytes:
    """65-byte uncompressed point. MalformedError for a bad length/prefix or off-curve
    point (a valid 65-byte point is returned unchanged)."""
    return _p256.decompress(pub33)


def p256_recover(msg_hash: bytes, signature: bytes, recovery_id: int) -> bytes | None:
    """The compressed (33-byte) P-256 key that signed the 32-byte ``msg_hash`` with raw
    ``r || s``, for recovery id 0 or 1; None when none recovers. Pure Python on every back
    end (no native library offers P-256 recovery); public data only."""
    return _p256.recover(msg_hash, signature, recovery_id)


def p256_der_decode(der: bytes) -> bytes:
    """Strict DER ECDSA signature -> raw 64-byte r || s (MalformedError otherwise)."""
    return _p256.der_decode(der)


def p256_der_encode(signature: bytes) -> bytes:
    """Raw 64-byte r || s -> minimal DER."""
    return _p256.der_encode(signature)


# --- secp256k1 -----------------------------------------------------------------------


def secp256k1_public_key(private_key: bytes) -> bytes:
    """65-byte uncompressed public key of a 32-byte private key (1 <= d < n)."""
    return _k1_pk(private_key)


def secp256k1_compress(pub: bytes) -> bytes:
    """33-byte compressed point. MalformedError for a bad length/prefix or off-curve point."""
    return _secp256k1.compress(pub)


def secp256k1_decompress(pub33: bytes) -> bytes:
    """65-byte uncompressed point. MalformedError for a bad length/prefix or off-curve
    point (a valid 65-byte point is returned unchanged)."""
    return _secp256k1.decompress(pub33)


def secp256k1_recover(msg_hash: bytes, signature64: bytes, recovery_id: int) -> bytes:
    """65-byte public key that signed the 32-byte ``msg_hash`` with ``r || s``.

    InvalidSignatureError when r or s is outside [1, n), the recovery id is not 0..3, or
    no key can be recovered. High-S signatures are accepted (as ``ecrecover`` does).
    """
    return _k1_recover(msg_hash, signature64, recovery_id)


def secp256k1_sign_recoverable(private_key: bytes, msg_hash: bytes) -> tuple[bytes, int]:
    """Deterministic (RFC 6979) low-S signature of a 32-byte hash: ``(r || s, recid)``."""
    return _k1_sign(private_key, msg_hash)
