"""Strict, canonical DAG-CBOR (the IPLD codec 0x71) for the IPLD data model.

Python types: ``None``, ``bool``, ``int`` (-2**64 .. 2**64-1), ``float`` (always written as
a 64-bit float; NaN and infinities are refused both ways), ``str``, ``bytes``, ``list``
(``tuple`` is accepted when encoding), ``dict`` with ``str`` keys and
:class:`~did_session.codecs.cid.CID` (tag 42 around the CID bytes with a leading 0x00).

Only the canonical form is accepted when decoding, so ``encode(decode(b)) == b`` for every
accepted ``b`` (the CID of a block depends on it): shortest integer and length heads, map
keys sorted length-first then bytewise (on UTF-8) without duplicates, definite lengths only,
tag 42 only, 64-bit floats only, no ``undefined`` or other simple values, valid UTF-8, and
the whole input consumed. Containers may nest at most :data:`MAX_DEPTH` (512) deep, in both
directions, so hostile input cannot exhaust the Python stack (and cyclic values cannot be
encoded). Every failure is a :class:`~did_session.errors.CBORError`.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from operator import itemgetter
from typing import Any, Final

from ..errors import CBORError, CIDError
from .cid import CID

__all__ = ["MAX_DEPTH", "decode", "decode_ctap2", "encode"]

MAX_DEPTH: Final = 512
"""Deepest nesting of lists / maps accepted by :func:`encode` and :func:`decode`."""

_UINT64_LIMIT: Final = 1 << 64

_pack_u8 = struct.Struct(">BB").pack
_pack_u16 = struct.Struct(">BH").pack
_pack_u32 = struct.Struct(">BI").pack
_pack_u64 = struct.Struct(">BQ").pack
_pack_f64 = struct.Struct(">Bd").pack
_unpack_f64 = struct.Struct(">d").unpack_from
_first = itemgetter(0)

# --- encoding ------------------------------------------------------------------------------


def _head(major: int, n: int, out: bytearray) -> None:
    """Append the shortest head for ``major`` (already shifted: 0x00, 0x20, ...) and ``n``."""
    if n < 24:
        out.append(major | n)
    elif n < 0x100:
        out += _pack_u8(major | 24, n)
    elif n < 0x10000:
        out += _pack_u16(major | 25, n)
    elif n < 0x100000000:
        out += _pack_u32(major | 26, n)
    else:
        out += _pack_u64(major | 27, n)


# Encoded map keys by key: CACAOs and JWS headers reuse a handful of short keys, and the
# lookup is cheaper than encoding them again. Bounded, so arbitrary data cannot grow it.
_KEY_CACHE: dict[str, bytes] = {}
_KEY_CACHE_MAX: Final = 512
_KEY_CACHE_MAX_LEN: Final = 64


def _encode_key(key: object) -> bytes:
    """Head + UTF-8 of a map key. Comparing these bytes orders keys length-first, then
    bytewise, because the shortest head grows with the length: exactly DAG-CBOR's order."""
    if not isinstance(key, str):
        raise CBORError(f"DAG-CBOR map keys must be strings, not {type(key).__name__}")
    raw = key.encode("utf-8")
    n = len(raw)
    if n < 24:
        encoded = bytes((0x60 | n,)) + raw
    else:
        out = bytearray()
        _head(0x60, n, out)
        out += raw
        encoded = bytes(out)
    if type(key) is str and n <= _KEY_CACHE_MAX_LEN and len(_KEY_CACHE) < _KEY_CACHE_MAX:
        _KEY_CACHE[key] = encoded
    return encoded


def _encode(value: Any, out: bytearray, depth: int) -> None:
    # Exact-type checks first, most frequent in CACAOs first; subclasses fall through to
    # the isinstance() chain at the end.
    t = type(value)
    if t is str:
        raw = value.encode("utf-8")
        n = len(raw)
        if n < 24:
            out.append(0x60 | n)
        elif n < 0x100:
            out += _pack_u8(0x78, n)
        else:
            _head(0x60, n, out)
        out += raw
    elif t is dict:
        _encode_map(value, out, depth)
    elif t is list or t is tuple:
        if depth >= MAX_DEPTH:
            raise CBORError(f"DAG-CBOR value nested deeper than {MAX_DEPTH}")
        _head(0x80, len(value), out)
        depth += 1
        for item in value:
            _encode(item, out, depth)
    elif t is int:
        _encode_int(value, out)
    elif value is None:
        out.append(0xF6)
    elif t is bool:
        out.append(0xF5 if value else 0xF4)
    elif t is bytes or t is bytearray or t is memoryview:
        raw = bytes(value)
        _head(0x40, len(raw), out)
        out += raw
    elif t is CID:
        _encode_cid(value, out)
    elif t is float:
        _encode_float(value, out)
    else:
        _encode_other(value, out, depth)


def _encode_map(value: Mapping[Any, Any], out: bytearray, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise CBORError(f"DAG-CBOR value nested deeper than {MAX_DEPTH}")
    cached = _KEY_CACHE.get
    # An encoded key is never empty, so `or` only falls back on a cache miss.
    items = [(cached(k) or _encode_key(k), v) for k, v in value.items()]
    if len(items) > 1:
        items.sort(key=_first)
    _head(0xA0, len(items), out)
    depth += 1
    for key, item in items:
        out += key
        _encode(item, out, depth)


def _encode_int(value: int, out: bytearray) -> None:
    if value >= 0:
        if value < 24:
            out.append(value)
        elif value < _UINT64_LIMIT:
            _head(0x00, value, out)
        else:
            raise CBORError("integer too large for DAG-CBOR (max 2**64-1)")
    else:
        n = -1 - value
        if n >= _UINT64_LIMIT:
            raise CBORError("integer too small for DAG-CBOR (min -2**64)")
        _head(0x20, n, out)


def _encode_float(value: float, out: bytearray) -> None:
    if not math.isfinite(value):
        raise CBORError("DAG-CBOR cannot encode NaN or infinite floats")
    out += _pack_f64(0xFB, value)


def _encode_cid(value: CID, out: bytearray) -> None:
    raw = value.bytes
    out += b"\xd8\x2a"  # tag 42
    _head(0x40, len(raw) + 1, out)
    out.append(0x00)  # the multibase "identity" prefix DAG-CBOR requires
    out += raw


def _encode_other(value: object, out: bytearray, depth: int) -> None:
    """Subclasses of the supported types (IntEnum, StrEnum, OrderedDict, ...)."""
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        out.append(0xF5 if value else 0xF4)
    elif isinstance(value, int):
        _encode_int(int(value), out)
    elif isinstance(value, str):
        _encode(str(value), out, depth)
    elif isinstance(value, float):
        _encode_float(float(value), out)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        _encode(bytes(value), out, depth)
    elif isinstance(value, (list, tuple)):
        _encode(list(value), out, depth)
    elif isinstance(value, Mapping):
        _encode_map(value, out, depth)
    elif isinstance(value, CID):
        _encode_cid(value, out)
    else:
        raise CBORError(f"cannot encode {type(value).__name__} as DAG-CBOR")


def encode(value: object) -> bytes:
    """The canonical DAG-CBOR bytes of ``value`` (see the module docstring for types)."""
    out = bytearray()
    try:
        _encode(value, out, 0)
    except UnicodeEncodeError as exc:
        raise CBORError("string is not valid Unicode (lone surrogate)") from exc
    except RecursionError as exc:  # pragma: no cover - MAX_DEPTH stops this first
        raise CBORError("DAG-CBOR value nested too deeply") from exc
    return bytes(out)


# --- decoding ------------------------------------------------------------------------------


class _Truncated(Exception):
    """Internal: the input ended inside a value."""


def _decode(data: bytes, pos: int, depth: int, int_keys: bool = False) -> tuple[Any, int]:
    """Decode the value starting at ``pos``; returns it and the position after it.

    ``int_keys``: also accept integer map keys (CTAP2 canonical CBOR, see decode_ctap2)."""
    ib = data[pos]  # IndexError at the end of input is reported as truncation
    pos += 1
    major = ib >> 5
    ai = ib & 0x1F

    if major == 7:
        if ai == 27:
            end = pos + 8
            if end > len(data):
                raise _Truncated
            f: float = _unpack_f64(data, pos)[0]
            if not math.isfinite(f):
                raise CBORError("DAG-CBOR forbids NaN and infinite floats")
            return f, end
        if ai == 20:
            return False, pos
        if ai == 21:
            return True, pos
        if ai == 22:
            return None, pos
        if ai == 23:
            raise CBORError("DAG-CBOR forbids 'undefined'")
        if ai == 25 or ai == 26:
            raise CBORError("DAG-CBOR floats must be 64-bit (found a 16/32-bit float)")
        if ai == 31:
            raise CBORError("DAG-CBOR forbids indefinite lengths (unexpected break)")
        raise CBORError("DAG-CBOR forbids simple values other than false/true/null")

    if ai < 24:
        arg = ai
    elif ai == 24:
        arg = data[pos]
        pos += 1
        if arg < 24:
            raise CBORError("non-minimal integer or length encoding")
    elif ai == 25:
        end = pos + 2
        if end > len(data):
            raise _Truncated
        arg = int.from_bytes(data[pos:end], "big")
        pos = end
        if arg < 0x100:
            raise CBORError("non-minimal integer or length encoding")
    elif ai == 26:
        end = pos + 4
        if end > len(data):
            raise _Truncated
        arg = int.from_bytes(data[pos:end], "big")
        pos = end
        if arg < 0x10000:
            raise CBORError("non-minimal integer or length encoding")
    elif ai == 27:
        end = pos + 8
        if end > len(data):
            raise _Truncated
        arg = int.from_bytes(data[pos:end], "big")
        pos = end
        if arg < 0x100000000:
            raise CBORError("non-minimal integer or length encoding")
    elif ai == 31:
        raise CBORError("DAG-CBOR forbids indefinite lengths")
    else:
        raise CBORError("reserved additional information value in CBOR head")

    if major == 3:
        end = pos + arg
        if end > len(data):
            raise _Truncated
        try:
            return data[pos:end].decode("utf-8"), end
        except UnicodeDecodeError as exc:
            raise CBORError("string is not valid UTF-8") from exc
    if major == 5:
        if depth >= MAX_DEPTH:
            raise CBORError(f"DAG-CBOR value nested deeper than {MAX_DEPTH}")
        if 2 * arg > len(data) - pos:
            raise _Truncated
        result: dict[Any, Any] = {}
        previous = b""
        for _ in range(arg):
            start = pos
            if data[pos] >> 5 != 3 and not (int_keys and data[pos] >> 5 < 2):
                raise CBORError("DAG-CBOR map keys must be strings")
            key, pos = _decode(data, pos, depth)
            raw_key = data[start:pos]
            # Encoded keys compare in DAG-CBOR order (see _encode_key).
            if raw_key <= previous:
                if raw_key == previous:
                    raise CBORError(f"duplicate map key {str(key)[:40]!r}")
                raise CBORError("map keys are not in canonical (length-first) order")
            previous = raw_key
            result[key], pos = _decode(data, pos, depth + 1, int_keys)
        return result, pos
    if major == 0:
        return arg, pos
    if major == 4:
        if depth >= MAX_DEPTH:
            raise CBORError(f"DAG-CBOR value nested deeper than {MAX_DEPTH}")
        if arg > len(data) - pos:
            raise _Truncated
        items: list[Any] = []
        append = items.append
        depth += 1
        for _ in range(arg):
            item, pos = _decode(data, pos, depth, int_keys)
            append(item)
        return items, pos
    if major == 1:
        return -1 - arg, pos
    if major == 2:
        end = pos + arg
        if end > len(data):
            raise _Truncated
        return data[pos:end], end
    # major 6: a tag
    if arg != 42:
        raise CBORError(f"DAG-CBOR only allows tag 42 (CID), found tag {arg}")
    if data[pos] >> 5 != 2:
        raise CBORError("tag 42 must wrap a byte string")
    raw, pos = _decode(data, pos, depth)
    if not raw or raw[0] != 0x00:
        raise CBORError("tag 42 bytes must start with 0x00")
    try:
        return CID.decode(raw[1:]), pos
    except CIDError as exc:
        raise CBORError(f"invalid CID in tag 42: {exc}") from exc


def decode(data: bytes | bytearray | memoryview) -> Any:
    """Decode one canonical DAG-CBOR value that fills all of ``data``."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif not isinstance(data, bytes):
        raise CBORError(f"DAG-CBOR input must be bytes, not {type(data).__name__}")
    try:
        value, pos = _decode(data, 0, 0)
    except (IndexError, _Truncated) as exc:
        raise CBORError("truncated DAG-CBOR input") from exc
    except RecursionError as exc:  # pragma: no cover - MAX_DEPTH stops this first
        raise CBORError("DAG-CBOR value nested too deeply") from exc
    if pos != len(data):
        raise CBORError(f"{len(data) - pos} trailing byte(s) after the DAG-CBOR value")
    return value


def decode_ctap2(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[Any, int]:
    """One CBOR value at ``offset`` in CTAP2 canonical form (WebAuthn attestation objects,
    COSE keys, extensions): the rules of :func:`decode` plus integer map keys (ordered as
    CTAP2 orders them, which is DAG-CBOR's order on the encoded keys). Returns the value and
    the offset after it: the caller decides what may follow (authenticator data puts
    extensions after the COSE key)."""
    data = bytes(data)
    try:
        return _decode(data, offset, 0, True)
    except (IndexError, _Truncated) as exc:
        raise CBORError("truncated CBOR input") from exc
    except RecursionError as exc:  # pragma: no cover - MAX_DEPTH stops this first
        raise CBORError("CBOR value nested too deeply") from exc
