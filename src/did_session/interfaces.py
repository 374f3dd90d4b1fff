"""The small interfaces between the protocol core and its platform back ends.

The core (codecs, did:key, SIWE, CACAO, JWS, the session logic) only talks to these.
``did_session.host`` implements them for CPython, ``did_session.browser`` for Pyodide in a
browser (WebCrypto, IndexedDB, ``window.ethereum``); :class:`did_session.platform.Platform`
bundles one set, and ``did_session.platform`` picks the default set once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

JSONValue = Any
"""A JSON value as ``json.loads`` returns it."""


@runtime_checkable
class Signer(Protocol):
    """A session key: signs bytes with a fixed JWS algorithm for a did:key."""

    @property
    def did(self) -> str:
        """The did:key of the public key."""
        ...

    @property
    def alg(self) -> str:
        """The JWS algorithm: ``EdDSA`` or ``ES256``."""
        ...

    @property
    def extractable(self) -> bool:
        """Whether the private key can leave its container (False for WebCrypto keys)."""
        ...

    async def sign(self, data: bytes) -> bytes:
        """Sign ``data`` (the JWS signing input); raw signature bytes (r||s for ES256)."""
        ...


class KeyIdentity(Protocol):
    """An identity that is a did:key rather than a chain account: a passkey
    (``did_session.browser.webauthn.Passkey``). ``DIDSession.get`` / ``has_session_for`` /
    ``remove`` take one where they take an account, and store its session under the did."""

    @property
    def did(self) -> str:
        """The did:key that issues the identity's CACAOs (their ``iss``)."""
        ...


class SignatureVerifier(Protocol):
    """Checks an Ed25519 or P-256 signature (the browser uses WebCrypto for this)."""

    async def verify(self, alg: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
        """True iff ``signature`` over ``message`` verifies for ``public_key`` under ``alg``
        (``EdDSA``: 32-byte key; ``ES256``: 33- or 65-byte SEC1 key, raw r||s)."""
        ...


class KeyBackend(Protocol):
    """Makes session keys."""

    async def generate_secure_key(self) -> Signer:
        """A new P-256 key whose private part cannot be extracted where the platform
        allows it (a non-extractable WebCrypto key in the browser)."""
        ...

    async def ed25519_from_seed(self, seed: bytes) -> Signer:
        """The Ed25519 key of a 32-byte seed (portable sessions)."""
        ...


@runtime_checkable
class StorableSigner(Signer, Protocol):
    """A signer a persistent store can hold: ``key_handle`` is what the store writes.

    For :class:`~did_session.browser.IndexedDBStore` it is the non-extractable WebCrypto
    ``{privateKey, publicKey}`` pair, stored by structured clone as the JS library does; a
    store refuses a signer that has no handle it can hold (an in-memory key).
    """

    @property
    def key_handle(self) -> Any: ...


@dataclass(frozen=True)
class StoredSession:
    """What the session store holds for one account: the CACAO (JSON) and its key."""

    cacao: Mapping[str, JSONValue]
    signer: Signer


class SessionStore(Protocol):
    """Persistent sessions, one per CAIP-10 account id (IndexedDB in the browser)."""

    async def load(self, account_id: str) -> StoredSession | None:
        """The stored session, or None; a malformed entry is reported as None."""
        ...

    async def save(self, account_id: str, session: StoredSession) -> None:
        """Store (replace) the session of ``account_id``, atomically."""
        ...

    async def delete(self, account_id: str) -> None:
        """Remove the session of ``account_id`` (no error if there is none)."""
        ...

    def lock(self, account_id: str) -> AbstractAsyncContextManager[None]:
        """Held by ``DIDSession.get`` while it looks the session up and, if needed,
        makes a new one: two callers sharing the store (two tabs of an origin, two
        tasks) ask the wallet once. A store shared by nobody may use an asyncio lock."""
        ...


class ReplayStore(Protocol):
    """What a relying party remembers of the signed requests it accepted (their ids), so
    that none is accepted twice. Several processes (or machines) serving the same site
    must share one: :class:`~did_session.replay.SQLiteReplayStore` (one machine),
    :class:`~did_session.replay.RedisReplayStore` (many)."""

    def remember(self, key: str, *, until: float, now: float) -> bool:
        """Atomically: if ``key`` is remembered and ``until`` of that entry is not before
        ``now``, return False (seen); otherwise remember it until ``until`` and return True.
        Two callers racing on one key, in any processes sharing the store: exactly one
        gets True. Times are Unix seconds of the verifier's clock; entries past their
        ``until`` may be forgotten. Raise :class:`~did_session.errors.ReplayStoreError`
        when the answer cannot be had (never guess True)."""
        ...


class EIP1193Provider(Protocol):
    """Anything with an EIP-1193 ``request`` (an Ethereum wallet)."""

    async def request(self, args: Mapping[str, JSONValue]) -> JSONValue:
        """``args`` is ``{"method": str, "params": [...]}``."""
        ...


WalletAdapter = Callable[[Any], Any]
"""One chain's wallet glue for one platform: turns what a user passes as the wallet
(``None`` for the environment's default, e.g. ``window.ethereum``; a JS object; a Python
object) into the provider that chain's auth method talks to, or None if there is none.
A platform holds one per CAIP-2 namespace (``"eip155"``); a namespace without one gets the
user's object unchanged."""


__all__ = [
    "EIP1193Provider",
    "JSONValue",
    "KeyBackend",
    "KeyIdentity",
    "ReplayStore",
    "SessionStore",
    "SignatureVerifier",
    "Signer",
    "StorableSigner",
    "StoredSession",
    "WalletAdapter",
]
