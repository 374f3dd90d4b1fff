"""Session keys and signature checks with the browser's WebCrypto.

``get()`` sessions use a P-256 key generated non-extractable, as the JS library does: its
private part never exists outside the CryptoKey. Portable (seed) sessions import the
seed as an Ed25519 CryptoKey so that signing uses the browser's native code too.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cache
from typing import Any

import js

from .. import crypto
from ..codecs.bases import b64url_decode
from ..did_key import KeyType, encode_derived_did_key
from ..errors import EncodingError, MalformedError, WebCryptoError
from ._ffi import JsException, helpers, js_error_info, to_js_bytes, to_js_object

_ECDSA_P256 = {"name": "ECDSA", "namedCurve": "P-256"}
_ECDSA_SHA256 = {"name": "ECDSA", "hash": {"name": "SHA-256"}}
_ED25519 = {"name": "Ed25519"}
# PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): fixed 16-byte prefix.
_ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")


def _subtle() -> Any:
    return js.crypto.subtle


class _Algorithms:
    """JS algorithm objects, converted once."""

    def __init__(self) -> None:
        self.p256 = to_js_object(_ECDSA_P256)
        self.ecdsa_sha256 = to_js_object(_ECDSA_SHA256)
        self.ed25519 = to_js_object(_ED25519)
        self.verify = to_js_object(["verify"])


@cache
def _alg() -> _Algorithms:
    return _Algorithms()


async def _call(what: str, awaitable: Any) -> Any:
    try:
        return await awaitable
    except JsException as e:
        name, _, message = js_error_info(e)
        raise WebCryptoError(f"WebCrypto {what} failed: {name}: {message}") from None


class WebCryptoSigner:
    """A session key held as WebCrypto CryptoKeys (``key_pair`` is the JS object stored
    in IndexedDB: ``{privateKey, publicKey}``)."""

    def __init__(self, key_pair: Any, alg: str, did: str, public_key: bytes) -> None:
        self.key_pair = key_pair
        self.alg = alg
        self._did = did
        self.public_key = public_key
        self._sign_alg = _alg().ecdsa_sha256 if alg == "ES256" else _alg().ed25519
        self._private = key_pair.privateKey

    @property
    def did(self) -> str:
        return self._did

    @property
    def extractable(self) -> bool:
        return bool(self.key_pair.privateKey.extractable)

    @property
    def key_handle(self) -> Any:
        """What IndexedDB stores (:class:`~did_session.interfaces.StorableSigner`)."""
        return self.key_pair

    async def sign(self, data: bytes) -> bytes:
        sig = await _call("sign", _subtle().sign(self._sign_alg, self._private, to_js_bytes(data)))
        return bytes(sig.to_bytes())

    def __repr__(self) -> str:
        return f"<WebCryptoSigner {self.alg} {self._did}>"

    @classmethod
    async def from_p256_key_pair(cls, key_pair: Any) -> WebCryptoSigner:
        """A signer for a stored ``{privateKey, publicKey}`` (ours or the JS library's)."""
        try:
            private, public = key_pair.privateKey, key_pair.publicKey
            algorithm = private.algorithm
            ok = (
                private.type == "private"
                and algorithm.name == "ECDSA"
                and algorithm.namedCurve == "P-256"
                and "sign" in list(private.usages)
                and public.type == "public"
            )
        except (AttributeError, TypeError):
            ok = False
        if not ok:
            raise MalformedError("the stored key pair is not a P-256 ECDSA CryptoKey pair")
        raw = bytes((await _call("exportKey", _subtle().exportKey("raw", public))).to_bytes())
        return cls._p256(key_pair, raw)

    @classmethod
    def _p256(cls, key_pair: Any, raw: bytes) -> WebCryptoSigner:
        # WebCrypto exported this point from the key it holds: on the curve by construction.
        compressed = crypto.p256_compress(raw)
        return cls(key_pair, "ES256", encode_derived_did_key(KeyType.P256, compressed), compressed)


class WebCryptoKeyBackend:
    async def generate_secure_key(self) -> WebCryptoSigner:
        """A new non-extractable P-256 key pair (``generateKey(..., false, ['sign'])``)."""
        made = await _call("generateKey", helpers().generateP256())
        return WebCryptoSigner._p256(made.keyPair, bytes(made.raw.to_bytes()))

    async def ed25519_from_seed(self, seed: bytes) -> WebCryptoSigner:
        if len(seed) != 32:
            raise MalformedError("an Ed25519 seed is 32 bytes")
        made = await _call(
            "importKey", helpers().ed25519FromPkcs8(to_js_bytes(_ED25519_PKCS8_PREFIX + seed))
        )
        try:
            public_key = b64url_decode(str(made.x))
        except EncodingError:
            public_key = b""
        if len(public_key) != 32:
            raise WebCryptoError("WebCrypto exported no Ed25519 public key")
        return WebCryptoSigner(
            made.keyPair,
            "EdDSA",
            encode_derived_did_key(KeyType.ED25519, public_key),
            public_key,
        )


class WebCryptoVerifier:
    """Ed25519 and P-256 signature checks in WebCrypto; imported public keys are cached."""

    _CACHE_SIZE = 64

    def __init__(self) -> None:
        self._keys: OrderedDict[tuple[str, bytes], Any] = OrderedDict()

    async def _key(self, alg: str, public_key: bytes) -> Any:
        cache_key = (alg, public_key)
        key = self._keys.get(cache_key)
        if key is None:
            if alg == "ES256":
                raw = crypto.p256_decompress(public_key) if len(public_key) == 33 else public_key
                algorithm = _alg().p256
            else:
                raw, algorithm = public_key, _alg().ed25519
            key = await _call(
                "importKey",
                _subtle().importKey("raw", to_js_bytes(raw), algorithm, False, _alg().verify),
            )
            self._keys[cache_key] = key
            while len(self._keys) > self._CACHE_SIZE:
                self._keys.popitem(last=False)
        return key

    async def verify(self, alg: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
        if alg not in ("EdDSA", "ES256"):
            return False
        if len(signature) != 64:
            return False
        try:
            key = await self._key(alg, public_key)
        except (WebCryptoError, MalformedError):
            return False
        sign_alg = _alg().ecdsa_sha256 if alg == "ES256" else _alg().ed25519
        try:
            return bool(
                await _subtle().verify(sign_alg, key, to_js_bytes(signature), to_js_bytes(message))
            )
        except JsException:
            return False
