"""The Solana chain module of the browser back end: the page's injected Solana wallet
(``window.phantom.solana`` / ``window.solana``: ``connect()``, ``publicKey``,
``signMessage(bytes, "utf8")``) as a Python provider with our errors, and the ``solana``
wallet adapter of the platform."""

from __future__ import annotations

from typing import Any

from pyodide.ffi import JsProxy

from ..errors import WalletResponseError, WalletUnavailableError, wallet_error
from ._ffi import JsException, helpers, js_error_info, main_window, to_js_bytes

NAMESPACE = "solana"  # the key this module's adapter is under (did_session.solana's namespace)


class BrowserSolanaProvider:
    """Wraps an injected JS Solana wallet; its refusals become :class:`WalletError`
    subclasses (4001 :class:`UserRejectedError`, 4100 ...) right here."""

    def __init__(self, js_provider: Any) -> None:
        self._js = js_provider

    def __repr__(self) -> str:
        return "<BrowserSolanaProvider>"

    async def connect(self) -> str:
        """Ask the wallet to connect; the account's address (base58 public key)."""
        try:
            address = await helpers().solanaConnect(self._js)
        except JsException as e:
            _, code, message = js_error_info(e)
            raise wallet_error(code, message) from None
        if not isinstance(address, str):
            raise WalletResponseError("the Solana wallet returned no address")
        return address

    async def sign_message(self, message: bytes) -> bytes:
        if getattr(self._js, "signMessage", None) is None:
            raise WalletUnavailableError("the Solana wallet has no signMessage method")
        try:
            signature = await helpers().solanaSign(self._js, to_js_bytes(message))
        except JsException as e:
            _, code, message_text = js_error_info(e)
            raise wallet_error(code, message_text) from None
        if signature is None:
            raise WalletResponseError("the Solana wallet returned no signature bytes")
        return bytes(signature.to_bytes())


def _injected(window: Any) -> Any:
    phantom = getattr(window, "phantom", None)
    wallet = getattr(phantom, "solana", None) if phantom is not None else None
    return wallet if wallet is not None else getattr(window, "solana", None)


def adapt_wallet(wallet: Any) -> Any:
    """The ``solana`` adapter: None is the page's injected wallet (``window.phantom.solana``,
    else ``window.solana``; None if there is none; in a worker, the main thread's), a JS
    object is wrapped, a Python provider (``async sign_message``) is used as it is."""
    if wallet is None:
        window = main_window()
        if window is None:
            raise WalletUnavailableError(
                "no Solana wallet in this worker: the page's wallet is reached through "
                "PyScript's window proxy, which needs a cross-origin isolated page; or pass "
                "a provider"
            )
        wallet = _injected(window)
        if wallet is None:
            return None
    if isinstance(wallet, JsProxy):
        return BrowserSolanaProvider(wallet)
    return wallet


__all__ = ["NAMESPACE", "BrowserSolanaProvider", "adapt_wallet"]
