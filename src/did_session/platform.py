"""The back ends of one platform, bundled, and the default set, chosen once.

A :class:`Platform` is what the session layer receives (``platform=`` on every entry
point) and passes down explicitly: the key back end, the signature verifiers, the
default store, the page (the SIWE domain) and one wallet adapter per chain namespace.
Nothing below the entry points looks a platform up.

:func:`default_platform` is the browser's set under Pyodide (WebCrypto, IndexedDB, the
page's wallets; in a page or a worker) and CPython's elsewhere, decided from
:data:`did_session._env.IN_PYODIDE`, the same fact the crypto facade uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._env import IN_PYODIDE
from .interfaces import KeyBackend, SessionStore, SignatureVerifier, WalletAdapter


@dataclass(frozen=True)
class PageEnvironment:
    """Where the code runs: the page's (or worker's) ``location``."""

    hostname: str
    origin: str


@dataclass(frozen=True, kw_only=True)
class Platform:
    """One platform's back ends.

    - ``keys``: makes session keys (``generate_secure_key`` for ``get``);
    - ``verifier``: Ed25519 / P-256 signature checks (WebCrypto in the browser);
    - ``sync_verifier``: the same checks without ever suspending (``Verifier.verify``
      drives it with no event loop);
    - ``store_factory``: makes the default session store (called once per platform);
    - ``page``: the page's hostname and origin, None outside a page;
    - ``wallet_adapters``: per CAIP-2 namespace (``"eip155"``), how a user's wallet
      object becomes that chain's provider; registered by the chain modules of the
      back end (``did_session.browser.ethereum``).

    Build your own with :func:`dataclasses.replace` on :func:`default_platform`.
    """

    name: str
    keys: KeyBackend
    verifier: SignatureVerifier
    sync_verifier: SignatureVerifier
    store_factory: Callable[[], SessionStore]
    page: PageEnvironment | None = None
    wallet_adapters: Mapping[str, WalletAdapter] = field(default_factory=dict)
    _stores: list[SessionStore] = field(default_factory=list, init=False, repr=False, compare=False)

    def default_store(self) -> SessionStore:
        """The store ``DIDSession.get`` uses when none is given (made on first use)."""
        if not self._stores:
            self._stores.append(self.store_factory())
        return self._stores[0]

    def wallet(self, namespace: str, wallet: Any) -> Any:
        """``wallet`` (None: the environment's default) as the provider of the chain
        ``namespace``; None when there is no wallet."""
        adapter = self.wallet_adapters.get(namespace)
        return adapter(wallet) if adapter is not None else wallet


_default: list[Platform] = []


def default_platform() -> Platform:
    """The platform the entry points use when given none (made on first use, then kept)."""
    if not _default:
        if IN_PYODIDE:
            from .browser import browser_platform

            _default.append(browser_platform())
        else:
            from .host import host_platform

            _default.append(host_platform())
    return _default[0]


def resolve(platform: Platform | None) -> Platform:
    """``platform``, or the default one: what every entry point does with ``platform=``."""
    return platform if platform is not None else default_platform()


__all__ = ["PageEnvironment", "Platform", "default_platform", "resolve"]
