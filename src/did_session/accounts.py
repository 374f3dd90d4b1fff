"""CAIP-10 account ids for Ethereum accounts (``eip155:<chain id>:<address>``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import AccountIdError

if TYPE_CHECKING:
    from .platform import Platform

NAMESPACE = "eip155"
"""The CAIP-2 namespace of Ethereum accounts: the key of the platform's wallet adapter."""

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")
_ACCOUNT = re.compile(r"eip155:([1-9][0-9]{0,31}):(0x[0-9a-fA-F]{40})\Z")


@dataclass(frozen=True)
class AccountId:
    """An Ethereum account on one chain. ``address`` is kept in lower case, as in JS."""

    chain_id: int
    address: str

    def __post_init__(self) -> None:
        if isinstance(self.chain_id, bool) or not isinstance(self.chain_id, int):
            raise AccountIdError("chain id must be an int")
        if not 0 < self.chain_id < 10**32:  # CAIP-2: a reference of at most 32 characters
            raise AccountIdError("chain id must be positive, of at most 32 digits")
        if not isinstance(self.address, str) or not _ADDRESS.match(self.address):
            raise AccountIdError("an Ethereum address is 0x followed by 40 hex digits")
        object.__setattr__(self, "address", self.address.lower())

    @classmethod
    def parse(cls, text: str) -> AccountId:
        """Parse ``eip155:<chain id>:<address>``."""
        m = _ACCOUNT.match(text) if isinstance(text, str) else None
        if m is None:
            raise AccountIdError(f"not an eip155 CAIP-10 account id: {str(text)[:80]!r}")
        return cls(int(m.group(1)), m.group(2))

    @property
    def chain(self) -> str:
        """The CAIP-2 chain id, e.g. ``eip155:1``."""
        return f"eip155:{self.chain_id}"

    @property
    def did_pkh(self) -> str:
        return f"did:pkh:eip155:{self.chain_id}:{self.address}"

    def __str__(self) -> str:
        return f"eip155:{self.chain_id}:{self.address}"


async def get_account_id(
    provider: Any, address: str, *, platform: Platform | None = None
) -> AccountId:
    """The account id of ``address`` on the wallet's current chain (asks ``eth_chainId``).

    ``provider`` as for :func:`did_session.request_accounts`."""
    from ._wallet import ethereum_provider, request_chain_id

    if not isinstance(address, str) or not _ADDRESS.match(address):
        raise AccountIdError("an Ethereum address is 0x followed by 40 hex digits")
    return AccountId(await request_chain_id(ethereum_provider(provider, platform)), address)
