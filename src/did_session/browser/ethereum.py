"""The Ethereum chain module of the browser back end: ``window.ethereum`` (EIP-1193) as a
Python provider with our errors, and the ``eip155`` wallet adapter of the platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyodide.ffi import JsProxy

from ..accounts import NAMESPACE as NAMESPACE  # the key this module's adapter is under
from ..errors import WalletResponseError, WalletUnavailableError, wallet_error
from ..interfaces import EIP1193Provider
from ._ffi import JsException, helpers, js_error_info, main_window, to_js_object, to_py


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


_NO_WINDOW = (
    "no Ethereum wallet in this worker: the page's window.ethereum is reached through "
    "PyScript's window proxy (in a py worker script), which needs a cross-origin "
    "isolated page (COOP: same-origin and COEP: require-corp headers, e.g. tools/serve.py "
    "--isolated); or pass a provider"
)


def adapt_wallet(wallet: Any) -> EIP1193Provider | None:
    """The ``eip155`` adapter: None is the page's ``window.ethereum`` (None if there is
    none; in a worker, the main thread's, or :class:`WalletUnavailableError` when it
    cannot be reached), a JS object is wrapped, a Python provider is used as it is."""
    if wallet is None:
        window = main_window()
        if window is None:
            raise WalletUnavailableError(_NO_WINDOW)
        wallet = getattr(window, "ethereum", None)
        if wallet is None:
            return None
    if isinstance(wallet, JsProxy):
        return BrowserEthereumProvider(wallet)
    provider: EIP1193Provider = wallet
    return provider
