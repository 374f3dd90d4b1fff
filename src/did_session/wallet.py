"""EIP-1193 wallets: one adapter for any provider, errors mapped to our exceptions.

In CPython a provider is any object with ``async request(args: dict)``. In the browser,
``did_session.browser.ethereum`` wraps ``window.ethereum`` (with the ``send`` /
``sendAsync`` fallbacks of the JS library) into such an object first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .errors import (
    DIDSessionError,
    UserRejectedError,
    WalletDisconnectedError,
    WalletError,
    WalletResponseError,
    WalletUnauthorizedError,
    WalletUnavailableError,
    WalletUnsupportedMethodError,
)
from .interfaces import EIP1193Provider

_BY_CODE: dict[int, type[WalletError]] = {
    4001: UserRejectedError,
    4100: WalletUnauthorizedError,
    4200: WalletUnsupportedMethodError,
    4900: WalletDisconnectedError,
    4901: WalletDisconnectedError,
}


def wallet_error(code: Any, message: Any) -> WalletError:
    """The exception for an EIP-1193 / JSON-RPC error ``code`` (unknown codes: WalletError)."""
    code_int = code if isinstance(code, int) and not isinstance(code, bool) else None
    text = str(message)[:200] if message else "the wallet refused the request"
    cls = _BY_CODE.get(code_int, WalletError) if code_int is not None else WalletError
    return cls(text, code=code_int)


async def wallet_request(
    provider: EIP1193Provider | None, method: str, params: Sequence[Any] = ()
) -> Any:
    """Send one request to the wallet; every failure becomes a :class:`WalletError`.

    ``provider`` None means the platform's default (``window.ethereum`` in a page); a raw
    JS object is wrapped by the browser back end.
    """
    from .platform import current_platform

    provider = current_platform().adapt_provider(provider)
    if provider is None:
        raise WalletUnavailableError(
            "no Ethereum wallet: install a browser wallet (window.ethereum) or pass a provider"
        )
    request = getattr(provider, "request", None)
    if request is None:
        raise WalletUnavailableError("the provider has no EIP-1193 request method")
    try:
        return await request({"method": method, "params": list(params)})
    except DIDSessionError:
        raise
    except Exception as e:  # a Python provider's own error: keep its EIP-1193 code
        raise wallet_error(getattr(e, "code", None), getattr(e, "message", None) or e) from e


async def request_accounts(provider: EIP1193Provider | None) -> list[str]:
    """``eth_requestAccounts``: the addresses the user connects (lower case not implied)."""
    result = await wallet_request(provider, "eth_requestAccounts")
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
    """``eth_chainId`` as an int (the wallet answers a hex string)."""
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
