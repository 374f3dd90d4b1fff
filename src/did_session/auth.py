"""Auth methods: ask an Ethereum wallet to sign a SIWE message and return the CACAO.

Mirrors @didtools/pkh-ethereum 0.6.0: ``EthereumWebAuth`` (domain = the page's hostname)
and ``EthereumNodeAuth`` (domain = an app name). Unlike JS, ``not_before`` and
``request_id`` reach the message, and the wallet's signature is checked before the CACAO
is returned, so a wallet that signs with another account or returns garbage is caught.

An auth method has no clock: the session decides every time in the request (its
:class:`~did_session.TimePolicy`), and the auth method signs exactly those.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._wallet import ethereum_provider, wallet_request
from .accounts import NAMESPACE, AccountId, as_account
from .cacao import Cacao
from .errors import DIDSessionError, SiweError, UsageError, WalletResponseError
from .interfaces import EIP1193Provider
from .siwe import SiweMessage

if TYPE_CHECKING:
    from .platform import Platform

DEFAULT_STATEMENT = "Give this application access to some of your data on Ceramic"
DEFAULT_EXPIRES_IN_SECS = 7 * 24 * 60 * 60
NONCE_LENGTH = 10
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

RandomBytes = Callable[[int], bytes]
"""A source of random bytes, like ``os.urandom`` (injectable for reproducible tests)."""


@dataclass(frozen=True, kw_only=True)
class AuthRequest:
    """What a session asks an auth method to sign (JS ``AuthMethodOpts``).

    Every time is decided by the session and must be signed as it is: ``issued_at``,
    ``expiration_time`` (None: a capability that does not expire; sessions always set
    one) and ``not_before``. The session refuses a CACAO whose times differ.
    """

    uri: str
    resources: tuple[str, ...]
    issued_at: str
    expiration_time: str | None = None
    statement: str | None = None
    nonce: str | None = None
    request_id: str | None = None
    not_before: str | None = None


AuthMethod = Callable[[AuthRequest], Awaitable[Cacao]]
"""An auth method: returns the CACAO the wallet signed for a request."""


def random_nonce(random_bytes: RandomBytes = os.urandom, length: int = NONCE_LENGTH) -> str:
    """``length`` random alphanumerics (rejection sampling: no modulo bias)."""
    out: list[str] = []
    while len(out) < length:
        for b in random_bytes(length * 2):
            if b < 248:  # 248 = 4 * 62
                out.append(_ALPHANUMERIC[b % 62])
                if len(out) == length:
                    break
    return "".join(out)


class _EthereumAuth:
    """An auth method for one account; ``domain`` goes into the SIWE message."""

    def __init__(
        self,
        provider: EIP1193Provider | None,
        account: AccountId,
        domain: str,
        *,
        random_bytes: RandomBytes,
    ) -> None:
        self._provider = provider
        self.account = account
        self.domain = domain
        self._random = random_bytes

    def __repr__(self) -> str:
        return f"<Ethereum auth method {self.account} domain={self.domain!r}>"

    async def __call__(self, request: AuthRequest) -> Cacao:
        from .eth import to_checksum_address

        message = SiweMessage(
            domain=self.domain,
            address=to_checksum_address(self.account.address),
            statement=request.statement if request.statement is not None else DEFAULT_STATEMENT,
            uri=request.uri,
            version="1",
            chain_id=self.account.chain_id,
            nonce=request.nonce if request.nonce is not None else random_nonce(self._random),
            issued_at=request.issued_at,
            expiration_time=request.expiration_time,
            not_before=request.not_before,
            request_id=request.request_id,
            resources=tuple(request.resources) or None,
        )
        text = message.to_message(style="js")
        signature = await wallet_request(
            self._provider,
            "personal_sign",
            ["0x" + text.encode("utf-8").hex(), self.account.address],
        )
        if not isinstance(signature, str):
            raise WalletResponseError("the wallet returned no signature")
        cacao = Cacao.from_siwe_message(message, signature)
        try:
            cacao.verify_signature()
        except DIDSessionError as e:
            raise WalletResponseError(
                "the wallet's signature is not a signature of the account "
                f"{self.account.address} over the message"
            ) from e
        return cacao


class EthereumWebAuth:
    """Auth method for a web page: the SIWE domain is the page's hostname."""

    @staticmethod
    def get_auth_method(
        provider: Any,
        account: AccountId,
        *,
        platform: Platform | None = None,
        random_bytes: RandomBytes = os.urandom,
    ) -> AuthMethod:
        """``provider`` is ``window.ethereum`` (or None for it), or a Python EIP-1193 object."""
        from .platform import resolve

        page = resolve(platform).page
        if page is None:
            raise UsageError(
                "EthereumWebAuth needs a browser page (window.location); "
                "use EthereumNodeAuth.get_auth_method(provider, account, app_name) elsewhere"
            )
        return _EthereumAuth(
            ethereum_provider(provider, platform),
            _account(account),
            page.hostname,
            random_bytes=random_bytes,
        )


class EthereumNodeAuth:
    """Auth method outside a page (CPython, workers): the SIWE domain is an app name."""

    @staticmethod
    def get_auth_method(
        provider: Any,
        account: AccountId,
        app_name: str,
        *,
        platform: Platform | None = None,
        random_bytes: RandomBytes = os.urandom,
    ) -> AuthMethod:
        if not isinstance(app_name, str) or not app_name:
            raise SiweError("EthereumNodeAuth needs an application name (the SIWE domain)")
        return _EthereumAuth(
            ethereum_provider(provider, platform),
            _account(account),
            app_name,
            random_bytes=random_bytes,
        )


def _account(account: Any) -> AccountId:
    result = as_account(account)
    if result.namespace != NAMESPACE:
        raise UsageError("an Ethereum auth method needs an eip155 account")
    return result


def as_resources(resources: Sequence[str] | None, *, required: bool) -> tuple[str, ...]:
    """Validate a resources argument: a non-empty sequence of strings (not one string)."""
    if resources is None or isinstance(resources, (str, bytes)):
        if required or resources is not None:
            raise SiweError("resources must be a list of strings, e.g. ['ceramic://*']")
        return ()
    out = tuple(resources)
    if not all(isinstance(r, str) and r for r in out):
        raise SiweError("every resource must be a non-empty string")
    if required and not out:
        raise SiweError("resources must not be empty")
    return out
