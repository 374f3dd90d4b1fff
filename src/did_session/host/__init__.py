"""Back ends for plain Python (CPython servers, scripts and tests): no ``js`` here."""

from __future__ import annotations

from ..platform import Platform
from .keys import Ed25519SeedSigner, HostKeyBackend, HostVerifier, P256Signer
from .store import MemoryStore


def host_platform() -> Platform:
    """In-memory keys and store, pure-Python / native signature checks, no page and no
    wallet adapters (a wallet is any Python object with ``async request(args)``)."""

    verifier = HostVerifier()
    return Platform(
        name="host",
        keys=HostKeyBackend(),
        verifier=verifier,
        sync_verifier=verifier,
        store_factory=MemoryStore,
    )


__all__ = [
    "Ed25519SeedSigner",
    "HostKeyBackend",
    "HostVerifier",
    "MemoryStore",
    "P256Signer",
    "host_platform",
]
