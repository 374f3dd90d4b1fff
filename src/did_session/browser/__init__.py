"""Back ends for Pyodide in a browser page: WebCrypto, IndexedDB, ``window.ethereum``.

The only part of the library that imports ``js`` / ``pyodide``; chosen by
``did_session.platform`` when running under Pyodide with a ``window``.
"""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import JsProxy

from ..interfaces import EIP1193Provider
from .ethereum import BrowserEthereumProvider
from .indexeddb import IndexedDBStore
from .webcrypto import WebCryptoKeyBackend, WebCryptoSigner, WebCryptoVerifier


class BrowserPlatform:
    name = "browser"

    def __init__(self) -> None:
        self.keys = WebCryptoKeyBackend()
        self.verifier = WebCryptoVerifier()
        self._store: IndexedDBStore | None = None

    def default_store(self) -> IndexedDBStore:
        if self._store is None:
            self._store = IndexedDBStore()
        return self._store

    def default_provider(self) -> EIP1193Provider | None:
        ethereum = getattr(js.window, "ethereum", None)
        return BrowserEthereumProvider(ethereum) if ethereum is not None else None

    def hostname(self) -> str | None:
        return str(js.window.location.hostname)

    def adapt_provider(self, provider: Any) -> EIP1193Provider | None:
        if provider is None:
            return self.default_provider()
        if isinstance(provider, JsProxy):
            return BrowserEthereumProvider(provider)
        python_provider: EIP1193Provider = provider  # a Python provider object
        return python_provider


__all__ = [
    "BrowserEthereumProvider",
    "BrowserPlatform",
    "IndexedDBStore",
    "WebCryptoKeyBackend",
    "WebCryptoSigner",
    "WebCryptoVerifier",
]
