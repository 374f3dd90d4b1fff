"""A real signing test wallet for CPython tests: an EIP-1193 provider over eth-account.

It holds a public test key (Hardhat account #0 by default) and signs for real: never a
canned signature. ``mode`` makes it misbehave the way real wallets do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

HARDHAT_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
HARDHAT_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


class ProviderError(Exception):
    """An EIP-1193 error as wallets raise it (with a numeric code)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TestWallet:
    __test__ = False  # not a pytest class

    def __init__(self, private_key: str = HARDHAT_0, *, chain_id: int = 1, mode: str = "sign"):
        self.account = Account.from_key(private_key)
        self.chain_id = chain_id
        self.mode = mode
        self.calls: Counter[str] = Counter()
        self.signed: list[str] = []

    @property
    def address(self) -> str:
        return str(self.account.address)

    async def request(self, args: Mapping[str, Any]) -> Any:
        method = args["method"]
        params = list(args.get("params") or [])
        self.calls[method] += 1
        if self.mode == "reject" and method in ("personal_sign", "eth_requestAccounts"):
            raise ProviderError(4001, "User rejected the request.")
        if method in ("eth_requestAccounts", "eth_accounts"):
            return [self.address]
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "personal_sign":
            message_hex, address = params
            if address.lower() != self.address.lower():
                raise ProviderError(4100, "unknown account")
            data = bytes.fromhex(message_hex[2:])
            self.signed.append(data.decode("utf-8"))
            if self.mode == "garbage":
                return "0x1234"
            signer = Account.from_key(HARDHAT_1) if self.mode == "other-account" else self.account
            signed = signer.sign_message(encode_defunct(primitive=data))
            return "0x" + bytes(signed.signature).hex()
        raise ProviderError(4200, f"unsupported method {method}")


# The secret key of js-did's SIWS test (packages/integration/test/cacao-siws.test.ts): a
# public test key, never a real account. Its address is SOLANA_TEST_ADDRESS.
SOLANA_TEST_KEY = bytes.fromhex("92e08e39aee87d53fe263913bf9df6615c1c909860a1d3ad57bd0e6e2e507161")
SOLANA_OTHER_KEY = bytes.fromhex("01" * 32)
SOLANA_TEST_ADDRESS = "GwAF45zjfyGzUbd3i3hXxzGeuchzEZXwpRYHZM5912F1"


class SolanaTestWallet:
    """A Solana wallet for CPython tests: ``async sign_message(bytes) -> bytes`` with a
    real Ed25519 signature by ``cryptography`` (OpenSSL), not by the library under test.

    ``mode``: ``sign``; ``reject`` (the user refuses: code 4001, as Phantom raises it);
    ``garbage`` (a short answer); ``other-account`` (signs with another key)."""

    __test__ = False

    def __init__(self, secret_key: bytes = SOLANA_TEST_KEY, *, mode: str = "sign") -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self._key = Ed25519PrivateKey.from_private_bytes(secret_key)
        self._other = Ed25519PrivateKey.from_private_bytes(SOLANA_OTHER_KEY)
        self.mode = mode
        self.signed: list[str] = []

    def __repr__(self) -> str:  # never the key
        return f"<SolanaTestWallet {self.public_key.hex()[:8]}... mode={self.mode}>"

    @property
    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    async def connect(self) -> str:
        if self.mode == "reject":
            raise ProviderError(4001, "User rejected the request.")
        from did_session.codecs.bases import b58encode

        return b58encode(self.public_key)

    async def sign_message(self, message: bytes) -> bytes:
        self.signed.append(message.decode("utf-8"))
        if self.mode == "reject":
            raise ProviderError(4001, "User rejected the request.")
        if self.mode == "garbage":
            return b"\x01" * 10
        key = self._other if self.mode == "other-account" else self._key
        return key.sign(bytes(message))


# RFC 6979 A.2.5's P-256 private key and a second one: public test keys, never a credential.
PASSKEY_TEST_KEY = bytes.fromhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
PASSKEY_OTHER_KEY = bytes.fromhex("00" * 31 + "07")


class PasskeyTestAuthenticator:
    """A passkey for CPython tests: makes the assertion ``navigator.credentials.get``
    returns (authenticator data with UP + UV and a counter, client data JSON, a DER
    ECDSA P-256 signature by ``cryptography``, not by the library under test), and is an
    auth method making the CACAO as ``PasskeyAuth`` does. It also has ``.did``, so it can
    stand for the passkey itself (``DIDSession.get(authenticator, authenticator, ...)``).

    ``mode``: ``sign``; ``reject`` (the person cancels: ``PasskeyRefusedError``, as the
    page raises it); ``other-key`` (another passkey answers)."""

    __test__ = False

    def __init__(
        self,
        private_key: bytes = PASSKEY_TEST_KEY,
        *,
        rp_id: str = "app.example.org",
        origin: str = "https://app.example.org",
        mode: str = "sign",
    ) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        self._key = ec.derive_private_key(int.from_bytes(private_key, "big"), ec.SECP256R1())
        self._other = ec.derive_private_key(
            int.from_bytes(PASSKEY_OTHER_KEY, "big"), ec.SECP256R1()
        )
        self.rp_id = rp_id
        self.origin = origin
        self.mode = mode
        self.sign_count = 0

    def __repr__(self) -> str:  # never the key
        return f"<PasskeyTestAuthenticator {self.did[-8:]} mode={self.mode}>"

    @staticmethod
    def _did(key: Any) -> str:
        from cryptography.hazmat.primitives import serialization

        from did_session import webauthn as wa

        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return wa.did_for_public_key(point)

    @property
    def did(self) -> str:
        return self._did(self._key)

    def assertion(self, challenge: bytes) -> tuple[bytes, bytes, bytes]:
        """(DER signature, authenticator data, client data JSON) over ``challenge``."""
        import hashlib
        import json

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        from did_session.codecs.bases import b64url_encode

        if self.mode == "reject":
            from did_session.errors import PasskeyRefusedError

            raise PasskeyRefusedError("passkey signature failed: NotAllowedError: cancelled")
        self.sign_count += 1
        auth_data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([0x05])  # UP, UV
        auth_data += self.sign_count.to_bytes(4, "big")
        client = {
            "type": "webauthn.get",
            "challenge": b64url_encode(challenge),
            "origin": self.origin,
            "crossOrigin": False,
        }
        client_data_json = json.dumps(client, separators=(",", ":")).encode()
        message = auth_data + hashlib.sha256(client_data_json).digest()
        key = self._other if self.mode == "other-key" else self._key
        return key.sign(message, ec.ECDSA(hashes.SHA256())), auth_data, client_data_json

    async def __call__(self, request: Any) -> Any:
        from did_session import webauthn as wa

        payload = wa.request_payload(request, domain=self.rp_id, nonce="passkeyNonce")
        der, auth_data, client_data_json = self.assertion(wa.challenge_for(payload))
        key = self._other if self.mode == "other-key" else self._key
        return wa.build_cacao(payload, self._did(key), der, auth_data, client_data_json)
