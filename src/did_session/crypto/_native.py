"""Wrappers around native back ends, with the same contract as the pure modules.

Importing this module never fails: each back end is probed separately and the
``HAVE_*`` flags say what loaded. The wrappers validate inputs themselves (lengths,
scalar ranges, point prefixes) so that the native and pure paths accept and reject
exactly the same inputs and raise the same exception classes.

* ``cryptography`` (OpenSSL): Ed25519, P-256 (deterministic RFC 6979 signing when the
  OpenSSL build supports it, so signatures match the pure path byte for byte).
* ``coincurve`` (libsecp256k1): secp256k1 public keys, recoverable signing, recovery.
* ``pycryptodome`` (``Crypto.Hash.keccak``): Keccak-256, when it happens to be installed
  (eth-account pulls it in); never required.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from did_session.errors import InvalidSignatureError, MalformedError

_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_KECCAK_EMPTY = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")

try:  # any failure (missing wheel, broken OpenSSL, no native code at all) -> pure
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.asymmetric.utils import (
        decode_dss_signature,
        encode_dss_signature,
    )

    HAVE_CRYPTOGRAPHY = True
except Exception:  # pragma: no cover - depends on the environment
    HAVE_CRYPTOGRAPHY = False

try:
    import coincurve

    HAVE_COINCURVE = True
except Exception:  # pragma: no cover - depends on the environment
    HAVE_COINCURVE = False


def _load_keccak() -> Callable[[bytes], bytes] | None:
    try:
        mod: Any = importlib.import_module("Crypto.Hash.keccak")

        def keccak256(data: bytes) -> bytes:
            return bytes(mod.new(digest_bits=256, data=data).digest())

        if keccak256(b"") != _KECCAK_EMPTY:  # e.g. an unrelated "Crypto" package
            return None  # pragma: no cover
    except Exception:  # pragma: no cover - depends on the environment
        return None
    return keccak256


keccak256: Callable[[bytes], bytes] | None = _load_keccak()


# --- shared validation ---------------------------------------------------------------


def _scalar(private_key: bytes, order: int, curve: str) -> int:
    if len(private_key) != 32:
        raise MalformedError(f"{curve} private key must be 32 bytes")
    d = int.from_bytes(private_key, "big")
    if not 0 < d < order:
        raise MalformedError(f"{curve} private key out of range")
    return d


def _rs(signature: bytes, order: int) -> tuple[int, int] | None:
    if len(signature) != 64:
        return None
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < order and 0 < s < order):
        return None
    return r, s


# --- Ed25519 (cryptography) ------------------------------------------------------------


def ed25519_public_key(seed: bytes) -> bytes:
    if len(seed) != 32:
        raise MalformedError("Ed25519 seed must be 32 bytes")
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(seed))
    return key.public_key().public_bytes_raw()


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    if len(seed) != 32:
        raise MalformedError("Ed25519 seed must be 32 bytes")
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes(seed)).sign(bytes(message))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        if len(public_key) != 32 or len(signature) != 64:
            return False
        key = ed25519.Ed25519PublicKey.from_public_bytes(bytes(public_key))
        key.verify(bytes(signature), bytes(message))
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


# --- P-256 (cryptography) --------------------------------------------------------------

_SHA256_ECDSA_DET: Any = None
_SHA256_ECDSA: Any = None
if HAVE_CRYPTOGRAPHY:
    _SHA256_ECDSA = ec.ECDSA(hashes.SHA256())
    try:  # deterministic ECDSA needs cryptography >= 44 and OpenSSL >= 3.2
        _SHA256_ECDSA_DET = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    except TypeError:  # pragma: no cover - old cryptography
        _SHA256_ECDSA_DET = None


def p256_public_key(private_key: bytes) -> bytes:
    d = _scalar(private_key, _P256_N, "P-256")
    pub = ec.derive_private_key(d, ec.SECP256R1()).public_key()
    return pub.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def p256_sign(private_key: bytes, message: bytes) -> bytes:
    global _SHA256_ECDSA_DET
    key = ec.derive_private_key(_scalar(private_key, _P256_N, "P-256"), ec.SECP256R1())
    der = None
    if _SHA256_ECDSA_DET is not None:
        try:
            der = key.sign(bytes(message), _SHA256_ECDSA_DET)
        except UnsupportedAlgorithm:  # pragma: no cover - OpenSSL without RFC 6979
            _SHA256_ECDSA_DET = None
    if der is None:  # pragma: no cover - see above: randomised, still valid
        der = key.sign(bytes(message), _SHA256_ECDSA)
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def p256_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        rs = _rs(signature, _P256_N)
        if rs is None:
            return False
        pub = bytes(public_key)
        if not (len(pub) == 33 and pub[0] in (2, 3)) and not (len(pub) == 65 and pub[0] == 4):
            return False
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub)
        key.verify(encode_dss_signature(*rs), bytes(message), _SHA256_ECDSA)
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


# --- secp256k1 (coincurve) -----------------------------------------------------------


def secp256k1_public_key(private_key: bytes) -> bytes:
    _scalar(private_key, _K1_N, "secp256k1")
    return bytes(coincurve.PrivateKey(bytes(private_key)).public_key.format(compressed=False))


def secp256k1_sign_recoverable(private_key: bytes, msg_hash: bytes) -> tuple[bytes, int]:
    _scalar(private_key, _K1_N, "secp256k1")
    if len(msg_hash) != 32:
        raise MalformedError("secp256k1 message hash must be 32 bytes")
    key = coincurve.PrivateKey(bytes(private_key))
    sig = bytes(key.sign_recoverable(bytes(msg_hash), hasher=None))
    return sig[:64], sig[64]


def secp256k1_recover(msg_hash: bytes, signature64: bytes, recovery_id: int) -> bytes:
    from .secp256k1 import check_recovery_input

    check_recovery_input(msg_hash, signature64, recovery_id)  # the pure path's checks
    sig65 = bytes(signature64) + bytes((recovery_id,))
    try:
        pub = coincurve.PublicKey.from_signature_and_message(sig65, bytes(msg_hash), hasher=None)
    except Exception as exc:  # libsecp256k1 only says "failed"
        raise InvalidSignatureError("public key recovery failed") from exc
    return bytes(pub.format(compressed=False))
