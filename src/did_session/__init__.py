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
    "DIDSession": "session",
    "DID": "session",
    "DagJWS": "session",
    "AccountId": "accounts",
    "get_account_id": "accounts",
    "EthereumWebAuth": "auth",
    "EthereumNodeAuth": "auth",
    "AuthRequest": "auth",
    "Cacao": "cacao",
    "SiweMessage": "siwe",
    "verify_jws": "jws",
    "VerifiedJWS": "jws",
    "request_accounts": "wallet",
    "Verifier": "verifier",
    "verify_jws_sync": "verifier",
}

if TYPE_CHECKING:
    from .accounts import AccountId, get_account_id
    from .auth import AuthRequest, EthereumNodeAuth, EthereumWebAuth
    from .cacao import Cacao
    from .jws import VerifiedJWS, verify_jws
    from .session import DID, DagJWS, DIDSession
    from .siwe import SiweMessage
    from .verifier import Verifier, verify_jws_sync
    from .wallet import request_accounts


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'did_session' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [  # the public API, then the exceptions
    "AccountId",
    "AuthRequest",
    "Cacao",
    "DID",
    "DIDSession",
    "DagJWS",
    "EthereumNodeAuth",
    "EthereumWebAuth",
    "SiweMessage",
    "VerifiedJWS",
    "Verifier",
    "__version__",
    "get_account_id",
    "request_accounts",
    "verify_jws",
    "verify_jws_sync",
    *_error_names,
]
