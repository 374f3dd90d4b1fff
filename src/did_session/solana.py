"""Solana: accounts, Sign-In with Solana CACAOs and auth methods (@didtools/pkh-solana 0.2.0).

A Solana account is ``solana:<reference>:<address>``: the address is the base58 Ed25519
public key (32 bytes), the reference the first 32 characters of the genesis hash
(pkh-solana's names: :data:`SOLANA_MAINNET_CHAIN_REF` ...; any CAIP-2 reference is read, as
the js-did vectors use ``solana:1``). The wallet signs the UTF-8 bytes of the CAIP-122 text
("... wants you to sign in with your Solana account:"); the CACAO has header ``caip122``
and ``s = {t: "solana:ed25519", s: <base58btc signature>}``.

Importing this module registers the ``solana`` chain rules and the ``solana:ed25519``
CACAO verifier; the library does so on first use of either.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from . import crypto
from ._wallet import wallet_call
from .accounts import AccountId, ChainRules, as_account, register_chain
from .auth import DEFAULT_STATEMENT, AuthMethod, AuthRequest, RandomBytes, random_nonce
from .cacao import Cacao, CacaoVerifier, register_cacao_verifier
from .codecs.bases import b58decode, b58encode
from .errors import (
    AccountIdError,
    DIDSessionError,
    EncodingError,
    InvalidSignatureError,
    SiweError,
    UsageError,
    WalletResponseError,
    WalletUnavailableError,
)
from .interfaces import SignatureVerifier
from .siwe import SiwxMessage

if TYPE_CHECKING:
    from .platform import Platform

__all__ = [
    "CHAIN_NAMESPACE",
    "SIGNATURE_TYPE",
    "SOLANA_DEVNET_CHAIN_REF",
    "SOLANA_MAINNET_CHAIN_REF",
    "SOLANA_TESTNET_CHAIN_REF",
    "SolanaNodeAuth",
    "SolanaProvider",
    "SolanaWebAuth",
    "account_id_by_network",
    "request_account",
    "request_solana_account",
    "verify_solana_cacao",
]

CHAIN_NAMESPACE: Final = "solana"
SIGNATURE_TYPE: Final = "solana:ed25519"
SOLANA_MAINNET_CHAIN_REF: Final = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
SOLANA_DEVNET_CHAIN_REF: Final = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
SOLANA_TESTNET_CHAIN_REF: Final = "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z"
CHAIN_REFS: Final = {
    "mainnet": SOLANA_MAINNET_CHAIN_REF,
    "devnet": SOLANA_DEVNET_CHAIN_REF,
    "testnet": SOLANA_TESTNET_CHAIN_REF,
}
_MAX_ADDRESS = 44  # base58 of 32 bytes
_MAX_SIGNATURE = 88  # base58 of 64 bytes


# Cached: the same few addresses (a session's issuer) are decoded on every check, and base58
# is big-integer arithmetic (slow under Pyodide).
@lru_cache(maxsize=256)
def public_key_of(address: str) -> bytes:
    """The 32-byte Ed25519 public key a Solana address spells (base58btc)."""
    if not isinstance(address, str) or not 32 <= len(address) <= _MAX_ADDRESS:
        raise AccountIdError("a Solana address is the base58 of a 32-byte public key")
    try:
        key = b58decode(address)
    except EncodingError as e:
        raise AccountIdError("a Solana address is base58 (bitcoin alphabet)") from e
    if len(key) != 32:
        raise AccountIdError("a Solana address is the base58 of a 32-byte public key")
    return key


def _address(address: str) -> str:
    public_key_of(address)  # base58 has one spelling per byte string: nothing to normalise
    return address


def _reference(reference: str) -> None:
    """Any CAIP-2 reference (checked by AccountId): the genesis-hash prefixes pkh-solana
    names, and ``1`` as the js-did vectors use it."""


SOLANA = ChainRules(
    namespace=CHAIN_NAMESPACE,
    chain_name="Solana",
    header_type="caip122",
    signature_type=SIGNATURE_TYPE,
    check_reference=_reference,
    normalize_address=_address,
)
register_chain(SOLANA)


def account_id_by_network(network: str, address: str) -> AccountId:
    """pkh-solana ``getAccountIdByNetwork``: ``network`` is mainnet, devnet or testnet."""
    reference = CHAIN_REFS.get(network) if isinstance(network, str) else None
    if reference is None:
        raise AccountIdError("network must be 'mainnet', 'devnet' or 'testnet'")
    return AccountId(reference, address, namespace=CHAIN_NAMESPACE)


async def request_account(
    provider: Any, *, network: str = "mainnet", platform: Platform | None = None
) -> AccountId:
    """Connect the wallet (``connect()``: the person approves once) and return its account
    on ``network`` (mainnet, devnet or testnet, as pkh-solana names them). ``provider``:
    None for the page's injected wallet, a JS wallet object, or a Python object with
    ``async connect() -> str`` (the base58 address)."""
    from .platform import resolve

    wallet = resolve(platform).wallet(CHAIN_NAMESPACE, provider)
    connect = getattr(wallet, "connect", None) if wallet is not None else None
    if connect is None:
        raise WalletUnavailableError(
            "no Solana wallet to connect: install a browser wallet (window.solana) or pass one"
        )
    address = await wallet_call(connect)
    if not isinstance(address, str):
        raise WalletResponseError("the Solana wallet returned no address")
    try:
        return account_id_by_network(network, address)
    except AccountIdError as e:
        if network in CHAIN_REFS:
            raise WalletResponseError(f"the Solana wallet returned a bad address: {e}") from e
        raise


request_solana_account = request_account  # the name did_session exports


# ---- verification ---------------------------------------------------------------------------


def _signed(cacao: Cacao) -> tuple[bytes, bytes, bytes]:
    """(public key, message bytes, signature) of a ``solana:ed25519`` CACAO."""
    if cacao.signature_type != SIGNATURE_TYPE:
        raise UsageError(f"not a {SIGNATURE_TYPE} CACAO")
    if cacao.namespace != CHAIN_NAMESPACE:
        raise InvalidSignatureError("a solana:ed25519 CACAO must be issued by a did:pkh:solana")
    # to_siwx_message checks the address (a CacaoError for one that is no Solana key).
    text = cacao.to_siwx_message().to_message(style="js")
    public_key = public_key_of(cacao.address)
    sig = cacao.signature
    try:
        if not isinstance(sig, str) or len(sig) > _MAX_SIGNATURE:
            raise EncodingError("too long")
        signature = b58decode(sig)
    except EncodingError as e:
        raise InvalidSignatureError("CACAO signature is not base58btc") from e
    if len(signature) != 64:
        raise InvalidSignatureError("CACAO signature is not 64 bytes (Ed25519)")
    return public_key, text.encode("utf-8"), signature


def verify_solana_cacao(cacao: Cacao, options: Mapping[str, Any] | None = None) -> None:
    """Check the Ed25519 signature of a Solana CACAO (this process's crypto); raise
    :class:`InvalidSignatureError` (or a malformed-input error) unless the issuer signed."""
    public_key, message, signature = _signed(cacao)
    if not crypto.ed25519_verify(public_key, message, signature):
        raise InvalidSignatureError("CACAO signature does not match its issuer")


async def verify_solana_cacao_async(
    cacao: Cacao, options: Mapping[str, Any], signature_verifier: SignatureVerifier
) -> None:
    """:func:`verify_solana_cacao` with the platform's Ed25519 verifier (WebCrypto)."""
    public_key, message, signature = _signed(cacao)
    try:
        ok = await signature_verifier.verify("EdDSA", public_key, message, signature)
    except DIDSessionError:
        ok = False
    if not ok:
        raise InvalidSignatureError("CACAO signature does not match its issuer")


register_cacao_verifier(
    CacaoVerifier(
        signature_type=SIGNATURE_TYPE,
        verify=verify_solana_cacao,
        verify_async=verify_solana_cacao_async,
    )
)


# ---- auth methods --------------------------------------------------------------------------


@runtime_checkable
class SolanaProvider(Protocol):
    """A Solana wallet for :class:`SolanaNodeAuth`: signs message bytes with the account's
    Ed25519 key. (In a page, :class:`SolanaWebAuth` adapts the injected wallet to this.)"""

    async def sign_message(self, message: bytes) -> bytes: ...


class _SolanaAuth:
    """An auth method for one Solana account; ``domain`` goes into the message."""

    def __init__(
        self, provider: Any, account: AccountId, domain: str, *, random_bytes: RandomBytes
    ) -> None:
        if account.namespace != CHAIN_NAMESPACE:
            raise UsageError("a Solana auth method needs a solana account")
        self._provider = provider
        self.account = account
        self.domain = domain
        self._random = random_bytes

    def __repr__(self) -> str:
        return f"<Solana auth method {self.account} domain={self.domain!r}>"

    async def __call__(self, request: AuthRequest) -> Cacao:
        message = SiwxMessage(
            namespace=CHAIN_NAMESPACE,
            domain=self.domain,
            address=self.account.address,
            statement=request.statement if request.statement is not None else DEFAULT_STATEMENT,
            uri=request.uri,
            version="1",
            chain_id=self.account.reference,
            nonce=request.nonce if request.nonce is not None else random_nonce(self._random),
            issued_at=request.issued_at,
            expiration_time=request.expiration_time,
            not_before=request.not_before,
            request_id=request.request_id,
            resources=tuple(request.resources) or None,
        )
        signature = await _sign(self._provider, message.to_message(style="js").encode("utf-8"))
        cacao = Cacao.from_siwx_message(message, b58encode(signature))
        try:
            verify_solana_cacao(cacao)
        except DIDSessionError as e:
            raise WalletResponseError(
                f"the wallet's signature is not a signature of {self.account.address} "
                "over the message"
            ) from e
        return cacao


async def _sign(provider: Any, message: bytes) -> bytes:
    if provider is None:
        raise WalletUnavailableError(
            "no Solana wallet: install a browser wallet (window.solana) or pass a provider"
        )
    sign = getattr(provider, "sign_message", None)
    if sign is None:
        raise WalletUnavailableError("the Solana provider has no sign_message method")
    signature = await wallet_call(sign, message)
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != 64:
        raise WalletResponseError("the wallet returned no 64-byte Ed25519 signature")
    return bytes(signature)


class SolanaWebAuth:
    """Auth method for a web page: the message's domain is the page's hostname."""

    @staticmethod
    def get_auth_method(
        provider: Any,
        account: AccountId | str,
        *,
        platform: Platform | None = None,
        random_bytes: RandomBytes = os.urandom,
    ) -> AuthMethod:
        """``provider`` is the page's Solana wallet (``window.phantom.solana`` /
        ``window.solana``; None for it) or a Python :class:`SolanaProvider`."""
        from .platform import resolve

        resolved = resolve(platform)
        if resolved.page is None:
            raise UsageError(
                "SolanaWebAuth needs a browser page (window.location); "
                "use SolanaNodeAuth.get_auth_method(provider, account, app_name) elsewhere"
            )
        return _SolanaAuth(
            resolved.wallet(CHAIN_NAMESPACE, provider),
            as_account(account),
            resolved.page.hostname,
            random_bytes=random_bytes,
        )


class SolanaNodeAuth:
    """Auth method outside a page (CPython, workers): the message's domain is an app name."""

    @staticmethod
    def get_auth_method(
        provider: SolanaProvider | Any,
        account: AccountId | str,
        app_name: str,
        *,
        platform: Platform | None = None,
        random_bytes: RandomBytes = os.urandom,
    ) -> AuthMethod:
        """``provider``: any object with ``async sign_message(bytes) -> bytes``."""
        from .platform import resolve

        if not isinstance(app_name, str) or not app_name:
            raise SiweError("SolanaNodeAuth needs an application name (the message domain)")
        return _SolanaAuth(
            resolve(platform).wallet(CHAIN_NAMESPACE, provider),
            as_account(account),
            app_name,
            random_bytes=random_bytes,
        )
