"""EIP-1193 wallet requests (internal), errors mapped to our exceptions.

In CPython a provider is any object with ``async request(args: dict)``. In the browser the
platform's ``eip155`` adapter (``did_session.browser.ethereum``) wraps ``window.ethereum``
(with the ``send`` / ``sendAsync`` fallbacks of the JS library) into such an object first;
the public entry points take ``platform=`` for that and default to the chosen one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from .accounts import NAMESPACE
from .errors import (
    DIDSessionError,
    WalletResponseError,
    WalletUnavailableError,
    wallet_error,
)
from .interfaces import EIP1193Provider

if TYPE_CHECKING:
    from .platform import Platform


def ethereum_provider(provider: Any, platform: Platform | None) -> EIP1193Provider | None:
    """``provider`` (None: the page's ``window.ethereum``) through the platform's
    ``eip155`` wallet adapter."""
    from .platform import resolve

    adapted: EIP1193Provider | None = resolve(platform).wallet(NAMESPACE, provider)
    return adapted


async def wallet_request(
    provider: EIP1193Provider | None, method: str, params: Sequence[Any] = ()
) -> Any:
    """Send one request to an adapted wallet; every failure becomes a :class:`WalletError`."""
    if provider is None:
        raise WalletUnavailableError(
            "no Ethereum wallet: install a browser wallet (window.ethereum) or pass a provider"
        )
    request = getattr(provider, "request", None)
    if request is None:
        raise WalletUnavailableError("the provider has no EIP-1193 request method")
    return await wallet_call(request, {"method": method, "params": list(params)})


async def wallet_call(method: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Call a wallet's method and await its answer; any error of the wallet's (even a
    method that is not callable) becomes a :class:`WalletError` that keeps its code
    (EIP-1193 4001 "user rejected", which Solana wallets use too)."""
    try:
        return await method(*args)
    except DIDSessionError:
        raise
    except Exception as e:  # a Python provider's own error: keep its code
        raise wallet_error(getattr(e, "code", None), getattr(e, "message", None) or e) from e


async def request_accounts(provider: Any, *, platform: Platform | None = None) -> list[str]:
    """``eth_requestAccounts``: the addresses the user connects (lower case not implied).

    ``provider`` is ``window.ethereum`` (or None for it) in a page, or any Python object
    with ``async request(args)``."""
    result = await wallet_request(ethereum_provider(provider, platform), "eth_requestAccounts")
    if not isinstance(result, list) or not result or not all(isinstance(a, str) for a in result):
        raise WalletResponseError("the wallet returned no account")
    return list(result)


# EIP-695 answers "0x" + hex; some wallets answer a decimal string or a number. ASCII
# digits only (int() would also read "0x_1", " 1" or full-width digits); at most 32 digits, the
# CAIP-2 limit that a did:pkh / AccountId can hold.
_CHAIN_ID_HEX = re.compile(r"0x[0-9a-fA-F]{1,64}\Z")
_CHAIN_ID_DEC = re.compile(r"[0-9]{1,32}\Z")
_CHAIN_ID_MAX = 10**32 - 1


async def request_chain_id(provider: EIP1193Provider | None) -> int:
    """``eth_chainId`` of an adapted wallet as an int (the wallet answers a hex string)."""
    result = await wallet_request(provider, "eth_chainId")
    value = -1
    if isinstance(result, str):
        if _CHAIN_ID_HEX.match(result):
            value = int(result[2:], 16)
        elif _CHAIN_ID_DEC.match(result):
            value = int(result)
    elif isinstance(result, int) and not isinstance(result, bool):
        value = result
    if not 0 < value <= _CHAIN_ID_MAX:
        raise WalletResponseError("the wallet returned a malformed chain id")
    return value
