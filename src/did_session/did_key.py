"""did:key for the session keys: Ed25519, P-256 and secp256k1.

A did:key is ``did:key:z`` + base58btc(varint multicodec || public key). The canonical
forms (what this module writes) are Ed25519 (0xed, 32 bytes, ``z6Mk...``), P-256 (0x1200,
33-byte compressed point, ``zDn...``) and secp256k1 (0xe7, 33-byte compressed, ``zQ3s...``).

Reading is strict (wrong multibase, trailing ``#``/``?``/``/``, unknown multicodec, wrong
length and points that are not on the curve are errors) with one deliberate allowance: like
the JS key-did-resolver 4.0.0, P-256 keys are also read in the legacy 65-byte uncompressed
(``04 || x || y``, ``z4oJ...``) and 64-byte raw (``x || y``, ``zruu...``) forms.
:func:`decode_did_key` normalises them to the compressed point, so ``DIDKey.did`` is the
canonical ``zDn...`` string while :func:`resolve_did_key` keeps the DID as it was given, as
the JS resolver does.

Ed25519 keys must be points of the curve too: the JS resolver converts them to X25519 for
``keyAgreement`` and fails on a non-point. P-384 / P-521 / X25519 / BLS / RSA did:keys are
well-formed but unsupported (:class:`~did_session.errors.UnsupportedKeyTypeError`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Final

from .codecs.bases import b58decode, b58encode, b64url_encode, varint_decode, varint_encode
from .errors import (
    DIDKeyError,
    EncodingError,
    MalformedError,
    UnsupportedError,
    UnsupportedKeyTypeError,
)

__all__ = [
    "CONTENT_TYPE_DID_JSON",
    "CONTENT_TYPE_DID_LD_JSON",
    "DIDKey",
    "KeyType",
    "decode_did_key",
    "encode_derived_did_key",
    "encode_did_key",
    "parse_kid",
    "resolve_did_key",
    "resolve_did_key_result",
]

_PREFIX: Final = "did:key:"
# Base58 decoding is quadratic in the length: refuse absurd fingerprints before decoding.
# The longest real did:keys (RSA-4096) have ~730 characters.
MAX_FINGERPRINT_LENGTH: Final = 2048
CONTENT_TYPE_DID_JSON: Final = "application/did+json"
CONTENT_TYPE_DID_LD_JSON: Final = "application/did+ld+json"
_LD_CONTEXT: Final = "https://w3id.org/did/v1"
_X25519_CODEC: Final = 0xEC

# Multicodecs that are valid did:key types but not session key types (for clear errors).
_UNSUPPORTED_CODECS: Final = {
    0xEC: "x25519-pub",
    0xEB: "bls12_381-g2-pub",
    0xEA: "bls12_381-g1-pub",
    0x1201: "p384-pub",
    0x1202: "p521-pub",
    0x1205: "rsa-pub",
}


class KeyType(enum.Enum):
    """A did:key key type: multicodec, JWS ``alg`` and public key length (compressed)."""

    codec: int
    alg: str
    key_length: int

    ED25519 = (0xED, "EdDSA", 32)
    P256 = (0x1200, "ES256", 33)
    SECP256K1 = (0xE7, "ES256K", 33)

    def __init__(self, codec: int, alg: str, key_length: int) -> None:
        self.codec = codec
        self.alg = alg
        self.key_length = key_length

    @property
    def prefix(self) -> bytes:
        """The varint multicodec that precedes the key in a did:key."""
        return _CODEC_PREFIXES[self]

    @classmethod
    def from_codec(cls, codec: int) -> KeyType:
        """The key type of a multicodec; :class:`UnsupportedKeyTypeError` otherwise."""
        key_type = _BY_CODEC.get(codec)
        if key_type is None:
            name = _UNSUPPORTED_CODECS.get(codec)
            label = f"0x{codec:x}" + (f" ({name})" if name else "")
            raise UnsupportedKeyTypeError(f"unsupported did:key key type: multicodec {label}")
        return key_type


_BY_CODEC: Final = {kt.codec: kt for kt in KeyType}
_CODEC_PREFIXES: Final = {kt: varint_encode(kt.codec) for kt in KeyType}


# --- curve checks (the EC ones delegate to did_session.crypto) ------------------------------

_ED_P: Final = 2**255 - 19
_ED_D: Final = (-121665 * pow(121666, _ED_P - 2, _ED_P)) % _ED_P


def _ed25519_y(public_key: bytes) -> int:
    # Like tweetnacl / @stablelib (used by the JS resolver), a y >= p is taken mod p.
    return (int.from_bytes(public_key, "little") & ((1 << 255) - 1)) % _ED_P


def _jacobi(a: int, n: int) -> int:
    """Jacobi symbol (a/n) for odd n > 0: the binary algorithm, ~5x faster than Euler's
    criterion pow(a, (n-1)/2, n) on 255-bit numbers in pure Python."""
    a %= n
    result = 1
    while a:
        zeros = (a & -a).bit_length() - 1
        a >>= zeros
        if zeros & 1 and n & 7 in (3, 5):
            result = -result
        if a & n & 3 == 3:
            result = -result
        a, n = n % a, a
    return result if n == 1 else 0


@lru_cache(maxsize=256)
def _check_ed25519_point(public_key: bytes) -> None:
    """Reject 32 bytes that are not an Edwards25519 point: x**2 = (y**2 - 1) / (d y**2 + 1)
    must be a square mod p, i.e. (u * v / p) != -1 (v is never 0 for this curve)."""
    y = _ed25519_y(public_key)
    y2 = y * y % _ED_P
    if _jacobi((y2 - 1) * (_ED_D * y2 + 1), _ED_P) < 0:
        raise DIDKeyError("Ed25519 public key is not a point on the curve")


def _ed25519_to_x25519(public_key: bytes) -> bytes:
    """The Montgomery u = (1 + y) / (1 - y) of an Ed25519 key (y = 1 gives 0, as in JS)."""
    p = _ED_P
    y = _ed25519_y(public_key)
    u = (1 + y) * pow((1 - y) % p, p - 2, p) % p
    return u.to_bytes(32, "little")


# Cached: the same session key is parsed from every JWS kid it signs; sqrt mod p is costly.
@lru_cache(maxsize=256)
def _decompress(key_type: KeyType, compressed: bytes) -> bytes:
    """The 65-byte point of a 33-byte compressed EC key; DIDKeyError if it is not on the curve."""
    from . import crypto  # lazy: the crypto facade is heavier and platform dependent

    try:
        if key_type is KeyType.P256:
            return crypto.p256_decompress(compressed)
        return crypto.secp256k1_decompress(compressed)
    except MalformedError as exc:
        raise DIDKeyError(f"{key_type.name} public key is not a point on the curve") from exc


# --- the key -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DIDKey:
    """A did:key public key. ``public_key`` is canonical: 32 bytes for Ed25519, the 33-byte
    compressed point for P-256 / secp256k1. Construction checks the key is on its curve."""

    key_type: KeyType
    public_key: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key_type, KeyType):
            raise DIDKeyError("key_type must be a KeyType")
        if not isinstance(self.public_key, bytes):
            if not isinstance(self.public_key, (bytearray, memoryview)):
                raise DIDKeyError("public_key must be bytes")
            object.__setattr__(self, "public_key", bytes(self.public_key))
        key = self.public_key
        if len(key) != self.key_type.key_length:
            raise DIDKeyError(
                f"{self.key_type.name} public key must be {self.key_type.key_length} bytes,"
                f" not {len(key)}"
            )
        if self.key_type is KeyType.ED25519:
            _check_ed25519_point(key)
        elif key[0] not in (2, 3):
            raise DIDKeyError(f"{self.key_type.name} public key must be a compressed point")
        else:
            object.__setattr__(self, "_point", _decompress(self.key_type, key))

    @classmethod
    def from_public_key(cls, key_type: KeyType, public_key: bytes) -> DIDKey:
        """Like the constructor, but EC keys may also be 65-byte uncompressed points."""
        if not isinstance(public_key, (bytes, bytearray, memoryview)):
            raise DIDKeyError("public_key must be bytes")
        public_key = bytes(public_key)
        if key_type is not KeyType.ED25519 and len(public_key) == 65:
            if public_key[0] != 4:
                raise DIDKeyError(f"{key_type.name} uncompressed point must start with 0x04")
            key = cls(key_type, bytes((2 + (public_key[64] & 1),)) + public_key[1:33])
            # The constructor recomputed y from x; another y means (x, y) is off the curve.
            if key.uncompressed != public_key:
                raise DIDKeyError(f"{key_type.name} public key is not a point on the curve")
            return key
        return cls(key_type, public_key)

    @cached_property
    def fingerprint(self) -> str:
        """The method-specific id: ``z`` + base58btc(multicodec || key)."""
        return _fingerprint(self.key_type, self.public_key)

    @property
    def did(self) -> str:
        """The canonical did:key string."""
        return _PREFIX + self.fingerprint

    @property
    def kid(self) -> str:
        """The JWS ``kid`` the JS library writes: ``did + '#' + fingerprint``."""
        return f"{_PREFIX}{self.fingerprint}#{self.fingerprint}"

    @property
    def alg(self) -> str:
        """The JWS ``alg`` of the key type."""
        return self.key_type.alg

    @property
    def uncompressed(self) -> bytes:
        """The 65-byte ``04 || x || y`` point of an EC key (DIDKeyError for Ed25519)."""
        point: bytes | None = self.__dict__.get("_point")
        if point is None:
            raise DIDKeyError("only EC (P-256 / secp256k1) keys have an uncompressed form")
        return point

    def __str__(self) -> str:
        return self.did


# --- encode / decode ---------------------------------------------------------------------


def encode_did_key(key_type: KeyType, public_key: bytes) -> str:
    """The canonical did:key of a public key (EC keys: 33 or 65 bytes, stored compressed)."""
    return DIDKey.from_public_key(key_type, public_key).did


def encode_derived_did_key(key_type: KeyType, public_key: bytes) -> str:
    """The did:key of a public key this process has just derived from its own private key
    (a seed, WebCrypto ``generateKey`` / ``exportKey``): on the curve by construction, so
    only the form is checked. The curve check of :func:`encode_did_key` is pure-Python
    big-integer work (about 0.3 ms per Ed25519 key under Pyodide) that would otherwise
    run on every ``authorize``. EC keys: the 33-byte compressed form."""
    key = bytes(public_key)
    compressed = key_type is KeyType.ED25519 or key[:1] in (b"\x02", b"\x03")
    if len(key) != key_type.key_length or not compressed:
        raise DIDKeyError(f"not a derived {key_type.name} public key")
    return _PREFIX + _fingerprint(key_type, key)


def _fingerprint(key_type: KeyType, public_key: bytes) -> str:
    return "z" + b58encode(key_type.prefix + public_key)


def _decode_fingerprint(fingerprint: str) -> DIDKey:
    if not fingerprint:
        raise DIDKeyError("empty did:key")
    if len(fingerprint) > MAX_FINGERPRINT_LENGTH:
        raise DIDKeyError(f"did:key longer than {MAX_FINGERPRINT_LENGTH} characters")
    for char, what in (("#", "fragment"), ("?", "query"), ("/", "path")):
        if char in fingerprint:
            raise DIDKeyError(f"did:key must not contain a {what} ({char!r})")
    if fingerprint[0] != "z":
        raise DIDKeyError(
            f"did:key must be multibase base58btc ('z'), found prefix {fingerprint[0]!r}"
        )
    try:
        raw = b58decode(fingerprint[1:])
        codec, offset = varint_decode(raw)
    except EncodingError as exc:
        raise DIDKeyError(f"malformed did:key: {exc}") from exc
    key_type = KeyType.from_codec(codec)
    key = raw[offset:]
    if key_type is KeyType.P256:
        # Legacy forms still read by key-did-resolver: raw x || y, and 04 || x || y.
        if len(key) == 64:
            key = b"\x04" + key
        return DIDKey.from_public_key(key_type, key)
    return DIDKey(key_type, key)


def decode_did_key(did: str) -> DIDKey:
    """Parse a bare did:key (no fragment / query / path) into its key.

    The returned ``DIDKey.did`` is canonical; it differs from ``did`` only for the legacy
    P-256 forms (64-byte raw or 65-byte uncompressed points), which are accepted.
    """
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise DIDKeyError("not a did:key: expected 'did:key:z...'")
    return _decode_fingerprint(did[len(_PREFIX) :])


def parse_kid(kid: str) -> DIDKey:
    """Parse a JWS ``kid`` as the JS library writes it: ``did:key:<fp>#<fp>``.

    The fragment must repeat the fingerprint exactly (as written, legacy forms included).
    """
    if not isinstance(kid, str):
        raise DIDKeyError("kid must be a string")
    did, sep, fragment = kid.partition("#")
    if not sep:
        raise DIDKeyError("kid must be 'did:key:<fingerprint>#<fingerprint>'")
    key = decode_did_key(did)
    if fragment != did[len(_PREFIX) :]:
        raise DIDKeyError("kid fragment does not match the did:key fingerprint")
    return key


# --- resolution (key-did-resolver 4.0.0 documents) ------------------------------------------


def _document(did: str, key: DIDKey) -> dict[str, Any]:
    """The DID document key-did-resolver builds (same keys, same insertion order)."""
    fingerprint = did[len(_PREFIX) :]
    key_id = f"{did}#{fingerprint}"
    method: dict[str, Any]
    if key.key_type is KeyType.P256:
        point = key.uncompressed
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(point[1:33]),
            "y": b64url_encode(point[33:65]),
        }
        method = {"id": key_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
    else:
        method = {
            "id": key_id,
            "type": (
                "Ed25519VerificationKey2018"
                if key.key_type is KeyType.ED25519
                else "Secp256k1VerificationKey2018"
            ),
            "controller": did,
            "publicKeyBase58": b58encode(key.public_key),
        }
    document: dict[str, Any] = {
        "id": did,
        "verificationMethod": [method],
        "authentication": [key_id],
        "assertionMethod": [key_id],
        "capabilityDelegation": [key_id],
        "capabilityInvocation": [key_id],
    }
    if key.key_type is KeyType.ED25519:
        x25519 = _ed25519_to_x25519(key.public_key)
        x_fingerprint = "z" + b58encode(varint_encode(_X25519_CODEC) + x25519)
        document["keyAgreement"] = [
            {
                "id": f"{did}#{x_fingerprint}",
                "type": "X25519KeyAgreementKey2019",
                "controller": did,
                "publicKeyBase58": b58encode(x25519),
            }
        ]
    return document


def resolve_did_key(did: str, *, content_type: str = CONTENT_TYPE_DID_JSON) -> dict[str, Any]:
    """The DID document of a did:key, as key-did-resolver 4.0.0 returns it.

    ``content_type`` ``application/did+ld+json`` adds ``@context``. The document's ``id``
    is ``did`` as given (a legacy P-256 form stays legacy there). Raises DIDKeyError /
    UnsupportedKeyTypeError for a bad DID, UnsupportedError for another content type.
    """
    if content_type not in (CONTENT_TYPE_DID_JSON, CONTENT_TYPE_DID_LD_JSON):
        raise UnsupportedError(f"unsupported DID document representation {content_type!r}")
    document = _document(did, decode_did_key(did))
    if content_type == CONTENT_TYPE_DID_LD_JSON:
        document["@context"] = _LD_CONTEXT
    return document


def resolve_did_key_result(did: str, accept: str = CONTENT_TYPE_DID_JSON) -> dict[str, Any]:
    """The whole DID resolution result, shaped like key-did-resolver's: errors are reported
    in ``didResolutionMetadata`` (``invalidDid`` / ``representationNotSupported``) instead of
    raised. Error messages are this library's, not the JS ``e.toString()`` text."""
    metadata: dict[str, Any] = {"contentType": accept}
    result: dict[str, Any] = {
        "didResolutionMetadata": metadata,
        "didDocument": None,
        "didDocumentMetadata": {},
    }
    try:
        key = decode_did_key(did)
    except (MalformedError, UnsupportedKeyTypeError) as exc:
        metadata["error"] = "invalidDid"
        metadata["message"] = str(exc)
        return result
    if accept not in (CONTENT_TYPE_DID_JSON, CONTENT_TYPE_DID_LD_JSON):
        del metadata["contentType"]
        metadata["error"] = "representationNotSupported"
        return result
    document = _document(did, key)
    if accept == CONTENT_TYPE_DID_LD_JSON:
        document["@context"] = _LD_CONTEXT
    result["didDocument"] = document
    return result
