"""Back ends for plain Python (CPython servers, scripts and tests): no ``js`` here."""

from __future__ import annotations

from typing import Any

from ..interfaces import EIP1193Provider
from .keys import Ed25519SeedSigner, HostKeyBackend, HostVerifier, P256Signer
from .store import MemoryStore


class HostPlatform:
    name = "host"

    def __init__(self) -> None:
        self.keys = HostKeyBackend()
        self.verifier = HostVerifier()
        self._store = MemoryStore()

    def default_store(self) -> MemoryStore:
        return self._store

    def default_provider(self) -> EIP1193Provider | None:
        return None

    def hostname(self) -> str | None:
        return None

    def adapt_provider(self, provider: Any) -> EIP1193Provider | None:
        return provider if provider is not None else self.default_provider()


__all__ = [
    "Ed25519SeedSigner",
    "HostKeyBackend",
    "HostPlatform",
    "HostVerifier",
    "MemoryStore",
    "P256Signer",
]
