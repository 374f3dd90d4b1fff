"""``window.ethereum`` (EIP-1193) as a Python provider with our errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import WalletResponseError
from ..wallet import wallet_error
from ._ffi import JsException, helpers, js_error_info, to_js_object, to_py


class BrowserEthereumProvider:
    """Wraps a JS EIP-1193 provider; JS errors become :class:`WalletError` subclasses
    (4001 :class:`UserRejectedError`, 4100, 4200, 4900/4901 ...) right here."""

    def __init__(self, js_provider: Any) -> None:
        self._js = js_provider

    def __repr__(self) -> str:
        return "<BrowserEthereumProvider>"

    async def request(self, args: Mapping[str, Any]) -> Any:
        method = args.get("method")
        if not isinstance(method, str):
            raise WalletResponseError("an EIP-1193 request needs a method")
        params = to_js_object(list(args.get("params") or []))
        try:
            result = await helpers().send(self._js, method, params)
        except JsException as e:
            _, code, message = js_error_info(e)
            raise wallet_error(code, message) from None
        return to_py(result)
