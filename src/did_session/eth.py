"""Ethereum helpers on top of :mod:`did_session.crypto`: EIP-55 checksummed addresses and
EIP-191 (version ``0x45``, ``personal_sign``) message hashing, signing and recovery.
"""

from __future__ import annotations

import re
from functools import lru_cache

from did_session.crypto import keccak256, secp256k1_recover, secp256k1_sign_recoverable
from did_session.errors import AccountIdError, InvalidSignatureError, MalformedError

__all__ = [
    "address_from_public_key",
    "is_checksum_address",
    "personal_message_hash",
    "recover_personal_signer",
    "sign_personal_message",
    "to_checksum_address",
]

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_SIGNATURE_HEX = re.compile(r"0x[0-9a-fA-F]{130}")
_PREFIX = b"\x19Ethereum Signed Message:\n"


# Cached: the same few addresses (a session's issuer) are checksummed over and over, and
# each costs a pure-Python keccak under Pyodide.
@lru_cache(maxsize=512)
def _checksum(hex40_lower: str) -> str:
    digest = keccak256(hex40_lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c > "9" and digest[i] >= "8" else c for i, c in enumerate(hex40_lower)
    )


def to_checksum_address(address: str) -> str:
    """EIP-55 form of ``0x`` + 40 hex digits in any case; AccountIdError if malformed."""
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise AccountIdError("an Ethereum address must be 0x followed by 40 hex digits")
    return _checksum(address[2:].lower())


def is_checksum_address(address: str) -> bool:
    """True only for an address whose mixed case is exactly its EIP-55 checksum.

    An all-lower or all-upper address carries no checksum, so it is not one here (even
    in the rare case where the checksum would leave every letter in that case).
    """
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        return False
    body = address[2:]
    if body == body.lower() or body == body.upper():
        return False
    return _checksum(body.lower()) == address


def personal_message_hash(message: bytes | str) -> bytes:
    """keccak256(b"\\x19Ethereum Signed Message:\\n" + len + message) (EIP-191, 0x45).

    A str is UTF-8 encoded and the length is its UTF-8 byte count, as in eth-account,
    ethers and viem. (Some older JS code used the UTF-16 ``string.length`` instead, which
    differs for non-ASCII text; wallets hash the bytes, so the byte count is right.)
    """
    data = message.encode("utf-8") if isinstance(message, str) else bytes(message)
    return keccak256(_PREFIX + str(len(data)).encode("ascii") + data)


def address_from_public_key(public_key65: bytes) -> str:
    """Checksummed address of a 65-byte uncompressed secp256k1 public key."""
    if len(public_key65) != 65 or public_key65[0] != 4:
        raise MalformedError("expected a 65-byte uncompressed secp256k1 public key (0x04...)")
    return _checksum(keccak256(bytes(public_key65[1:]))[-20:].hex())


def _signature_bytes(signature: bytes | str) -> bytes:
    if isinstance(signature, str):
        if not _SIGNATURE_HEX.fullmatch(signature):
            raise InvalidSignatureError("signature must be 0x followed by 130 hex digits")
        return bytes.fromhex(signature[2:])
    if isinstance(signature, bytes | bytearray | memoryview) and len(signature) == 65:
        return bytes(signature)
    raise InvalidSignatureError("signature must be 65 bytes (r || s || v)")


def recover_personal_signer(message: bytes | str, signature: bytes | str) -> str:
    """Checksummed address that signed ``message`` with ``personal_sign``.

    ``signature`` is 65 bytes ``r || s || v`` or its ``0x`` hex; v may be 0, 1, 27 or 28.
    InvalidSignatureError for anything malformed or unrecoverable.
    """
    sig = _signature_bytes(signature)
    v = sig[64]
    if v in (27, 28):
        v -= 27
    elif v not in (0, 1):
        raise InvalidSignatureError("signature v must be 0, 1, 27 or 28")
    public_key = secp256k1_recover(personal_message_hash(message), sig[:64], v)
    return address_from_public_key(public_key)


def sign_personal_message(private_key: bytes, message: bytes | str) -> str:
    """``personal_sign`` signature as wallets return it: ``0x`` + 130 hex, v = 27/28."""
    rs, recid = secp256k1_sign_recoverable(private_key, personal_message_hash(message))
    return "0x" + rs.hex() + bytes((27 + recid,)).hex()
