"""did-session for Python: DID sessions (did:key + CACAO) in Pyodide and on CPython.

The public names are imported lazily (PEP 562), so ``import did_session`` costs almost
nothing at a page's start-up; each submodule loads on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import *  # noqa: F403  (the exceptions are cheap and always wanted)
from .errors import __all__ as _error_names

__version__ = "0.1.0"

_LAZY = {
    # sessions and the auth methods (Ethereum, Solana)
    "DIDSession": "session",
    "DID": "session",
    "DagJWS": "session",
    "AccountId": "accounts",
    "get_account_id": "accounts",
    "request_accounts": "_wallet",
    "EthereumWebAuth": "auth",
    "EthereumNodeAuth": "auth",
    "SolanaWebAuth": "solana",
    "SolanaNodeAuth": "solana",
    "SolanaProvider": "solana",
    "request_solana_account": "solana",
    # protocol objects and verification
    "Cacao": "cacao",
    "SiweMessage": "siwe",
    "SiwxMessage": "siwe",
    "verify_jws": "jws",
    "VerifiedJWS": "jws",
    "Verifier": "verifier",
    # relying parties: signed requests and replay stores
    "SignedRequest": "request",
    "VerifiedRequest": "request",
    "ReplayStore": "interfaces",
    "MemoryReplayStore": "replay",
    "SQLiteReplayStore": "replay",
    "RedisReplayStore": "replay",
    # what an extension (an auth method, a store, a back end, a clock) implements or uses
    "AuthMethod": "auth",
    "AuthRequest": "auth",
    "ChainRules": "accounts",
    "register_chain": "accounts",
    "Clock": "_time",
    "TimePolicy": "_time",
    "EIP1193Provider": "interfaces",
    "KeyBackend": "interfaces",
    "SessionStore": "interfaces",
    "SignatureVerifier": "interfaces",
    "Signer": "interfaces",
    "StorableSigner": "interfaces",
    "StoredSession": "interfaces",
    "WalletAdapter": "interfaces",
    "MemoryStore": "host.store",
    "PageEnvironment": "platform",
    "Platform": "platform",
    "default_platform": "platform",
}

if TYPE_CHECKING:
    from ._time import Clock, TimePolicy
    from ._wallet import request_accounts
    from .accounts import AccountId, ChainRules, get_account_id, register_chain
    from .auth import AuthMethod, AuthRequest, EthereumNodeAuth, EthereumWebAuth
    from .cacao import Cacao
    from .host.store import MemoryStore
    from .interfaces import (
        EIP1193Provider,
        KeyBackend,
        ReplayStore,
        SessionStore,
        SignatureVerifier,
        Signer,
        StorableSigner,
        StoredSession,
        WalletAdapter,
    )
    from .jws import VerifiedJWS, verify_jws
    from .platform import PageEnvironment, Platform, default_platform
    from .replay import MemoryReplayStore, RedisReplayStore, SQLiteReplayStore
    from .request import SignedRequest, VerifiedRequest
    from .session import DID, DagJWS, DIDSession
    from .siwe import SiweMessage, SiwxMessage
    from .solana import SolanaNodeAuth, SolanaProvider, SolanaWebAuth, request_solana_account
    from .verifier import Verifier


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'did_session' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [  # the public API (each name imported on first use), then the exceptions
    "AccountId",
    "AuthMethod",
    "AuthRequest",
    "Cacao",
    "ChainRules",
    "Clock",
    "DID",
    "DIDSession",
    "DagJWS",
    "EIP1193Provider",
    "EthereumNodeAuth",
    "EthereumWebAuth",
    "KeyBackend",
    "MemoryReplayStore",
    "MemoryStore",
    "PageEnvironment",
    "Platform",
    "RedisReplayStore",
    "ReplayStore",
    "SQLiteReplayStore",
    "SessionStore",
    "SignatureVerifier",
    "SignedRequest",
    "Signer",
    "SiweMessage",
    "SiwxMessage",
    "SolanaNodeAuth",
    "SolanaProvider",
    "SolanaWebAuth",
    "StorableSigner",
    "StoredSession",
    "TimePolicy",
    "VerifiedJWS",
    "VerifiedRequest",
    "Verifier",
    "WalletAdapter",
    "__version__",
    "default_platform",
    "get_account_id",
    "register_chain",
    "request_accounts",
    "request_solana_account",
    "verify_jws",
    *_error_names,
]
