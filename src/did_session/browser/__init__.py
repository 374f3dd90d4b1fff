"""Back ends for Pyodide in a browser: WebCrypto, IndexedDB, the page's wallets.

The only part of the library that imports ``js`` / ``pyodide``; chosen by
``did_session.platform`` under Pyodide.
"""

from __future__ import annotations

import js

from ..host.keys import HostVerifier
from ..platform import PageEnvironment, Platform
from . import ethereum, solana
from .ethereum import BrowserEthereumProvider
from .indexeddb import IndexedDBStore
from .solana import BrowserSolanaProvider
from .webcrypto import WebCryptoKeyBackend, WebCryptoSigner, WebCryptoVerifier


def _page() -> PageEnvironment | None:
    location = getattr(js, "location", None)  # a page's or a worker's; none under Node
    if location is None:
        return None
    origin = str(location.origin)
    hostname = str(location.hostname)
    if not hostname and origin.startswith(("http://", "https://")):
        # A worker started from a blob: URL (PyScript's) has no hostname, but it has the
        # page's origin: the SIWE domain is the page's hostname in a worker too.
        hostname = str(js.URL.new(origin).hostname)
    return PageEnvironment(hostname=hostname, origin=origin)


def browser_platform() -> Platform:
    """WebCrypto keys (non-extractable P-256 for ``get``) and checks, the IndexedDB store
    shared with npm did-session, the page's location, and one wallet adapter per chain
    module (``eip155``: ``window.ethereum``; ``solana``: ``window.phantom.solana`` /
    ``window.solana``)."""
    return Platform(
        name="browser",
        keys=WebCryptoKeyBackend(),
        verifier=WebCryptoVerifier(),
        # Synchronous checks (Verifier.verify) use the pure / @noble code: WebCrypto is async.
        sync_verifier=HostVerifier(),
        store_factory=IndexedDBStore,
        page=_page(),
        wallet_adapters={
            ethereum.NAMESPACE: ethereum.adapt_wallet,
            solana.NAMESPACE: solana.adapt_wallet,
        },
    )


__all__ = [
    "BrowserEthereumProvider",
    "BrowserSolanaProvider",
    "IndexedDBStore",
    "WebCryptoKeyBackend",
    "WebCryptoSigner",
    "WebCryptoVerifier",
    "browser_platform",
]
