"""CAIP-10 account ids (``<namespace>:<reference>:<address>``) for any chain.

Each CAIP-2 namespace may have :class:`ChainRules`: how its references and addresses are
checked and spelled, the name its sign-in messages give it and its CACAO signature type.
``eip155`` (Ethereum) is built in here; other chains register theirs from their own module
(``did_session.solana`` for ``solana``, loaded on first use). A namespace without rules is
parsed with the CAIP-2 / CAIP-10 grammar alone and its address kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import AccountIdError, UsageError

if TYPE_CHECKING:
    from .platform import Platform

NAMESPACE = "eip155"
"""The CAIP-2 namespace of Ethereum accounts: the key of the platform's wallet adapter."""

# CAIP-2 / CAIP-10 grammar (ASCII only).
_NAMESPACE = re.compile(r"[-a-z0-9]{3,8}\Z")
_REFERENCE = re.compile(r"[-_a-zA-Z0-9]{1,32}\Z")
_ADDRESS_ANY = re.compile(r"[-.%a-zA-Z0-9]{1,128}\Z")

_ETH_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")
_ETH_REFERENCE = re.compile(r"[1-9][0-9]{0,31}\Z")


@dataclass(frozen=True, kw_only=True)
class ChainRules:
    """What the library needs to know of one CAIP-2 namespace.

    - ``chain_name``: the chain as a CAIP-122 message names it ("... sign in with your
      <chain_name> account:"); None if the library cannot write messages for it;
    - ``header_type`` / ``signature_type``: the CACAO ``h.t`` and ``s.t`` its sign-in
      messages make;
    - ``check_reference(reference)``: raise :class:`AccountIdError` for a bad chain reference;
    - ``normalize_address(address)``: the address as an account id / did:pkh holds it
      (Ethereum: lower case), or :class:`AccountIdError`;
    - ``message_address(stored)``: the address as a message shows it (Ethereum: EIP-55);
    - ``address_case_insensitive``: whether two spellings differing in case are one address.
    """

    namespace: str
    chain_name: str | None
    header_type: str = "caip122"
    signature_type: str | None = None
    check_reference: Callable[[str], None]
    normalize_address: Callable[[str], str]
    message_address: Callable[[str], str] = str
    address_case_insensitive: bool = False


def _eth_reference(reference: str) -> None:
    if not _ETH_REFERENCE.match(reference):
        raise AccountIdError("an eip155 chain id is a positive integer of at most 32 digits")


def _eth_address(address: str) -> str:
    if not isinstance(address, str) or not _ETH_ADDRESS.match(address):
        raise AccountIdError("an Ethereum address is 0x followed by 40 hex digits")
    return address.lower()


def _eip55(address: str) -> str:
    from .eth import to_checksum_address  # lazy: keeps keccak off the import path

    return to_checksum_address(address)


ETHEREUM = ChainRules(
    namespace="eip155",
    chain_name="Ethereum",
    header_type="eip4361",
    signature_type="eip191",
    check_reference=_eth_reference,
    normalize_address=_eth_address,
    message_address=_eip55,
    address_case_insensitive=True,
)

_RULES: dict[str, ChainRules] = {"eip155": ETHEREUM}
# Chains shipped with the library, each a module that registers its rules on import.
_BUILT_IN = {"solana": ".solana"}


def register_chain(rules: ChainRules, *, replace: bool = False) -> None:
    """Register the rules of a CAIP-2 namespace (a chain module does this on import)."""
    if not isinstance(rules, ChainRules) or not _NAMESPACE.match(rules.namespace):
        raise UsageError("register_chain takes ChainRules with a CAIP-2 namespace")
    if rules.namespace in _RULES and not replace and _RULES[rules.namespace] is not rules:
        raise UsageError(f"the namespace {rules.namespace!r} has rules already")
    _RULES[rules.namespace] = rules


def chain_by_name(chain_name: str) -> ChainRules | None:
    """The rules of the chain a CAIP-122 header names (``"Solana"``), or None."""
    for attempt in range(2):
        for rules in _RULES.values():
            if rules.chain_name == chain_name:
                return rules
        if attempt == 0:
            for namespace in _BUILT_IN:
                chain_rules(namespace)
    return None


def chain_rules(namespace: str) -> ChainRules | None:
    """The rules of ``namespace`` (loading a built-in chain module), or None."""
    rules = _RULES.get(namespace)
    if rules is None and namespace in _BUILT_IN:
        import_module(_BUILT_IN[namespace], __package__)
        rules = _RULES.get(namespace)
    return rules


@dataclass(frozen=True, init=False)
class AccountId:
    """An account on one chain (CAIP-10).

    ``AccountId(1, "0x...")`` is an Ethereum account (the chain id an int, the address kept
    in lower case, as in JS); ``AccountId(reference, address, namespace="solana")`` one of
    another chain. :meth:`parse` reads any ``<namespace>:<reference>:<address>``.
    """

    namespace: str
    reference: str
    address: str

    def __init__(self, chain_id: int | str, address: str, *, namespace: str = NAMESPACE) -> None:
        if not isinstance(namespace, str) or not _NAMESPACE.match(namespace):
            raise AccountIdError("a CAIP-2 namespace is 3 to 8 of a-z, 0-9 and -")
        if namespace == NAMESPACE:
            if isinstance(chain_id, bool) or not isinstance(chain_id, int):
                raise AccountIdError("chain id must be an int")
            if not 0 < chain_id < 10**32:  # CAIP-2: a reference of at most 32 characters
                raise AccountIdError("chain id must be positive, of at most 32 digits")
            reference = str(int(chain_id))
        else:
            if not isinstance(chain_id, str) or not _REFERENCE.match(chain_id):
                raise AccountIdError("a CAIP-2 chain reference is 1 to 32 of a-zA-Z0-9, - and _")
            reference = chain_id
        rules = chain_rules(namespace)
        if rules is not None:
            rules.check_reference(reference)
            address = rules.normalize_address(address)
        elif not isinstance(address, str) or not _ADDRESS_ANY.match(address):
            raise AccountIdError("a CAIP-10 address is 1 to 128 of a-z, A-Z, 0-9, -, . and %")
        object.__setattr__(self, "namespace", namespace)
        object.__setattr__(self, "reference", reference)
        object.__setattr__(self, "address", address)

    @classmethod
    def parse(cls, text: str) -> AccountId:
        """Parse ``<namespace>:<reference>:<address>`` (e.g. ``eip155:1:0x...``)."""
        parts = text.split(":") if isinstance(text, str) else []
        if len(parts) != 3 or not _NAMESPACE.match(parts[0]):
            raise AccountIdError(f"not a CAIP-10 account id: {str(text)[:80]!r}")
        namespace, reference, address = parts
        if namespace == NAMESPACE:
            if not _ETH_REFERENCE.match(reference):
                raise AccountIdError(f"not an eip155 CAIP-10 account id: {text[:80]!r}")
            return cls(int(reference), address)
        return cls(reference, address, namespace=namespace)

    @property
    def chain_id(self) -> int | str:
        """The chain reference: an int for Ethereum (its chain id), the text otherwise."""
        return int(self.reference) if self.namespace == NAMESPACE else self.reference

    @property
    def chain(self) -> str:
        """The CAIP-2 chain id, e.g. ``eip155:1``."""
        return f"{self.namespace}:{self.reference}"

    @property
    def rules(self) -> ChainRules | None:
        return chain_rules(self.namespace)

    @property
    def did_pkh(self) -> str:
        return f"did:pkh:{self}"

    def __str__(self) -> str:
        return f"{self.namespace}:{self.reference}:{self.address}"


def account_of_did_pkh(did: str) -> AccountId:
    """The account of a ``did:pkh:<CAIP-10>``; :class:`AccountIdError` otherwise."""
    if not isinstance(did, str) or not did.startswith("did:pkh:"):
        raise AccountIdError("not a did:pkh")
    return AccountId.parse(did[8:])


def as_account(account: Any) -> AccountId:
    """An :class:`AccountId`, or its CAIP-10 string parsed."""
    if isinstance(account, str):
        return AccountId.parse(account)
    if not isinstance(account, AccountId):
        raise UsageError("account must be an AccountId or a CAIP-10 account id string")
    return account


async def get_account_id(
    provider: Any, address: str, *, platform: Platform | None = None
) -> AccountId:
    """The account id of ``address`` on the wallet's current chain (asks ``eth_chainId``).

    ``provider`` as for :func:`did_session.request_accounts`."""
    from ._wallet import ethereum_provider, request_chain_id

    if not isinstance(address, str) or not _ETH_ADDRESS.match(address):
        raise AccountIdError("an Ethereum address is 0x followed by 40 hex digits")
    return AccountId(await request_chain_id(ethereum_provider(provider, platform)), address)
