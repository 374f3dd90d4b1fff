"""Strict text encodings (base58btc, base32, base64, base64url) and unsigned varints.

Every decoder accepts exactly one spelling per byte string: wrong alphabet, whitespace,
missing or extra padding and non-zero trailing bits are errors, so a value that round
trips through text always comes back as the same text (signatures and CIDs depend on it).
All errors are :class:`~did_session.errors.EncodingError`.
"""

from __future__ import annotations

import base64
import binascii
import re

from ..errors import EncodingError

__all__ = [
    "b32decode",
    "b32encode",
    "b58decode",
    "b58encode",
    "b64_decode",
    "b64_encode",
    "b64url_decode",
    "b64url_encode",
    "varint_decode",
    "varint_encode",
]

# --- base58btc (bitcoin alphabet) ----------------------------------------------------------

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
# Work in chunks of 10 digits: 58**10 < 2**63, so the inner loops only touch small ints
# and the big-int divisions / multiplications run once per chunk instead of per digit.
_B58_CHUNK = 10
_B58_CHUNK_BASE = 58**_B58_CHUNK
# Encoding emits two digits per step from a 58*58-entry table (5 steps per chunk).
_B58_PAIRS = [a + b for a in _B58_ALPHABET for b in _B58_ALPHABET]
_B58_RE = re.compile(f"[{_B58_ALPHABET}]*")


def b58encode(data: bytes) -> str:
    """Base58btc of ``data``; every leading zero byte becomes a leading ``'1'``."""
    data = bytes(data)
    stripped = data.lstrip(b"\x00")
    zeros = len(data) - len(stripped)
    n = int.from_bytes(stripped, "big")
    pairs = _B58_PAIRS
    parts: list[str] = []
    append = parts.append
    while n:
        n, chunk = divmod(n, _B58_CHUNK_BASE)
        chunk, d = divmod(chunk, 3364)
        append(pairs[d])
        chunk, d = divmod(chunk, 3364)
        append(pairs[d])
        chunk, d = divmod(chunk, 3364)
        append(pairs[d])
        chunk, d = divmod(chunk, 3364)
        append(pairs[d])
        append(pairs[chunk])
    parts.reverse()
    # The top chunk is padded with zero digits ('1'); they are not part of the number.
    return "1" * zeros + "".join(parts).lstrip("1")


def b58decode(text: str) -> bytes:
    """Bytes of base58btc ``text``; each leading ``'1'`` is a leading zero byte."""
    if not isinstance(text, str) or not _B58_RE.fullmatch(text):
        raise EncodingError("not base58btc: a character outside the bitcoin alphabet")
    stripped = text.lstrip("1")
    zeros = len(text) - len(stripped)
    index = _B58_INDEX
    n = 0
    pos = 0
    # A short first chunk makes every later chunk exactly _B58_CHUNK digits long.
    size = len(stripped) % _B58_CHUNK or _B58_CHUNK
    while pos < len(stripped):
        chunk = 0
        for c in stripped[pos : pos + size]:
            chunk = chunk * 58 + index[c]
        n = n * _B58_CHUNK_BASE + chunk
        pos += size
        size = _B58_CHUNK
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * zeros + body


# --- base32 (RFC 4648, lower case, no padding: multibase 'b') -----------------------------

_B32_RE = re.compile("[a-z2-7]*")
# Unpadded lengths that RFC 4648 can produce (1 byte -> 2 chars, 2 -> 4, 3 -> 5, 4 -> 7).
_B32_VALID_REMAINDERS = frozenset((0, 2, 4, 5, 7))


def b32encode(data: bytes) -> str:
    """RFC 4648 base32 of ``data``, lower case, without padding."""
    return base64.b32encode(bytes(data)).decode("ascii").rstrip("=").lower()


def b32decode(text: str) -> bytes:
    """Strict inverse of :func:`b32encode` (lower case only, no padding, canonical)."""
    if not isinstance(text, str) or not _B32_RE.fullmatch(text):
        raise EncodingError("not lower-case unpadded base32")
    if len(text) % 8 not in _B32_VALID_REMAINDERS:
        raise EncodingError("base32 text has an impossible length")
    padded = text.upper() + "=" * (-len(text) % 8)
    try:
        data = base64.b32decode(padded)
    except binascii.Error as exc:  # pragma: no cover - excluded by the checks above
        raise EncodingError("not base32") from exc
    # Unused low bits of the last character must be zero, else two texts give one value.
    if b32encode(data) != text:
        raise EncodingError("non-canonical base32: non-zero trailing bits")
    return data


# --- base64 / base64url --------------------------------------------------------------------

_B64URL_RE = re.compile("[A-Za-z0-9_-]*")
_B64URL_PADDED_RE = re.compile("[A-Za-z0-9_-]*={0,2}")
_B64_RE = re.compile("[A-Za-z0-9+/]*={0,2}")


def b64url_encode(data: bytes) -> str:
    """base64url of ``data`` without padding (JWS / did-session ``serialize()``)."""
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, allow_padding: bool = False) -> bytes:
    """Strict inverse of :func:`b64url_encode`.

    With ``allow_padding`` the text may also end in the correct ``=`` padding (the JS
    ``fromSession`` accepts both); it may never contain ``+``, ``/`` or whitespace.
    """
    if not isinstance(text, str):
        raise EncodingError("base64url text must be a str")
    if allow_padding and text.endswith("="):
        if not _B64URL_PADDED_RE.fullmatch(text) or len(text) % 4:
            raise EncodingError("base64url text has wrong padding")
        body = text.rstrip("=")
    else:
        body = text
    if not _B64URL_RE.fullmatch(body):
        raise EncodingError("not base64url: a character outside [A-Za-z0-9_-]")
    if len(body) % 4 == 1:
        raise EncodingError("base64url text has an impossible length")
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:  # pragma: no cover - excluded by the checks above
        raise EncodingError("not base64url") from exc
    if b64url_encode(data) != body:
        raise EncodingError("non-canonical base64url: non-zero trailing bits")
    return data


def b64_encode(data: bytes) -> str:
    """Standard base64 (``+/``) of ``data`` with ``=`` padding."""
    return base64.b64encode(bytes(data)).decode("ascii")


def b64_decode(text: str) -> bytes:
    """Strict inverse of :func:`b64_encode`: standard alphabet, padding required."""
    if not isinstance(text, str) or not _B64_RE.fullmatch(text):
        raise EncodingError("not standard base64: a character outside [A-Za-z0-9+/=]")
    if len(text) % 4:
        raise EncodingError("standard base64 text must be padded to a multiple of 4")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise EncodingError("not standard base64") from exc
    if b64_encode(data) != text:
        raise EncodingError("non-canonical base64: wrong padding or non-zero trailing bits")
    return data


# --- unsigned varint (multiformats) --------------------------------------------------------

_VARINT_MAX_BYTES = 9  # multiformats caps varints at 9 bytes = 63 bits
_VARINT_LIMIT = 1 << (7 * _VARINT_MAX_BYTES)


def varint_encode(n: int) -> bytes:
    """Unsigned LEB128 varint of ``0 <= n < 2**63``."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n >= _VARINT_LIMIT:
        raise EncodingError("varint value out of range [0, 2**63)")
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def varint_decode(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Decode a varint at ``offset``; returns ``(value, offset just after it)``.

    Rejects truncated input, encodings longer than 9 bytes and non-minimal encodings
    (a final ``0x00`` byte after a continuation byte), as multiformats requires.
    """
    if offset < 0:
        raise EncodingError("varint offset must not be negative")
    value = 0
    shift = 0
    pos = offset
    end = len(data)
    while True:
        if pos >= end:
            raise EncodingError("truncated varint")
        if pos - offset >= _VARINT_MAX_BYTES:
            raise EncodingError("varint longer than 9 bytes")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            if b == 0 and pos - offset > 1:
                raise EncodingError("non-minimal varint")
            return value, pos
        shift += 7
