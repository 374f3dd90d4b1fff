"""Session keys held in Python memory (CPython, or Pyodide outside a page)."""

from __future__ import annotations

import os

from .. import crypto
from ..did_key import KeyType, encode_derived_did_key
from ..errors import MalformedError


class Ed25519SeedSigner:
    """An Ed25519 session key from a 32-byte seed (a portable session key)."""

    extractable = True
    alg = "EdDSA"

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != 32:
            raise MalformedError("an Ed25519 seed is 32 bytes")
        self.__seed = bytes(seed)
        self.public_key = crypto.ed25519_public_key(self.__seed)
        self._did = encode_derived_did_key(KeyType.ED25519, self.public_key)

    @property
    def did(self) -> str:
        return self._did

    async def sign(self, data: bytes) -> bytes:
        return crypto.ed25519_sign(self.__seed, data)

    def __repr__(self) -> str:  # never the seed
        return f"<Ed25519SeedSigner {self._did}>"


class P256Signer:
    """A P-256 key in memory: CPython has no non-extractable key store."""

    extractable = True
    alg = "ES256"

    def __init__(self, private_key: bytes) -> None:
        self.__private = private_key
        self.public_key = crypto.p256_compress(crypto.p256_public_key(private_key))
        self._did = encode_derived_did_key(KeyType.P256, self.public_key)

    @classmethod
    def generate(cls) -> P256Signer:
        n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        while True:
            candidate = os.urandom(32)
            if 0 < int.from_bytes(candidate, "big") < n:
                return cls(candidate)

    @property
    def did(self) -> str:
        return self._did

    async def sign(self, data: bytes) -> bytes:
        return crypto.p256_sign(self.__private, data)

    def __repr__(self) -> str:
        return f"<P256Signer {self._did}>"


class HostKeyBackend:
    async def generate_secure_key(self) -> P256Signer:
        return P256Signer.generate()

    async def ed25519_from_seed(self, seed: bytes) -> Ed25519SeedSigner:
        return Ed25519SeedSigner(seed)


class HostVerifier:
    """Signature checks with the crypto facade (native libraries when installed)."""

    async def verify(self, alg: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
        if alg == "EdDSA":
            return crypto.ed25519_verify(public_key, message, signature)
        if alg == "ES256":
            return crypto.p256_verify(public_key, message, signature)
        return False
