"""A real signing test wallet for CPython tests: an EIP-1193 provider over eth-account.

It holds a public test key (Hardhat account #0 by default) and signs for real: never a
canned signature. ``mode`` makes it misbehave the way real wallets do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

HARDHAT_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
HARDHAT_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


class ProviderError(Exception):
    """An EIP-1193 error as wallets raise it (with a numeric code)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TestWallet:
    __test__ = False  # not a pytest class

    def __init__(self, private_key: str = HARDHAT_0, *, chain_id: int = 1, mode: str = "sign"):
        self.account = Account.from_key(private_key)
        self.chain_id = chain_id
        self.mode = mode
        self.calls: Counter[str] = Counter()
        self.signed: list[str] = []

    @property
    def address(self) -> str:
        return str(self.account.address)

    async def request(self, args: Mapping[str, Any]) -> Any:
        method = args["method"]
        params = list(args.get("params") or [])
        self.calls[method] += 1
        if self.mode == "reject" and method in ("personal_sign", "eth_requestAccounts"):
            raise ProviderError(4001, "User rejected the request.")
        if method in ("eth_requestAccounts", "eth_accounts"):
            return [self.address]
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "personal_sign":
            message_hex, address = params
            if address.lower() != self.address.lower():
                raise ProviderError(4100, "unknown account")
            data = bytes.fromhex(message_hex[2:])
            self.signed.append(data.decode("utf-8"))
            if self.mode == "garbage":
                return "0x1234"
            signer = Account.from_key(HARDHAT_1) if self.mode == "other-account" else self.account
            signed = signer.sign_message(encode_defunct(primitive=data))
            return "0x" + bytes(signed.signature).hex()
        raise ProviderError(4200, f"unsupported method {method}")
