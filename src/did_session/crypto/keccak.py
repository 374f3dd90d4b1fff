"""Pure-Python Keccak-256 as used by Ethereum (original Keccak padding ``0x01``, not the
FIPS 202 SHA3-256 padding ``0x06``), so ``keccak256(b"")`` is ``c5d2460186f7...a470``.

Written for speed under CPython and Pyodide, which have no Keccak in ``hashlib``: the
state lives in 25 local variables (Python ints holding 64-bit lanes) and a whole round is
unrolled, so a round allocates no lists and does only integer operations on locals.
Chi is written ``b ^ ((b1 | b2) ^ b1)`` (= ``b ^ (~b1 & b2)``) to keep every int
non-negative: CPython's bitwise operations on negative ints take a slower path.
Not constant-time (no pure-Python code can be); it only hashes public data here.
"""

from __future__ import annotations

import struct

__all__ = ["keccak256"]

_RATE = 136  # bytes: 1600 - 2 * 256 bits of capacity
_M = 0xFFFFFFFFFFFFFFFF
_UNPACK_BLOCK = struct.Struct("<17Q").unpack_from
_PACK_DIGEST = struct.Struct("<4Q").pack
_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip


def keccak256(data: bytes | bytearray | memoryview) -> bytes:
    """Keccak-256 digest (32 bytes) of ``data``."""
    # Pad once up front (pad10*1 with the Keccak domain bit 0x01) so that every block
    # is handled by the same straight-line code below.
    buf = bytearray(data)
    pad = _RATE - len(buf) % _RATE
    if pad == 1:
        buf.append(0x81)
    else:
        buf.append(0x01)
        buf.extend(bytes(pad - 2))
        buf.append(0x80)

    M = _M
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = a12 = 0
    a13 = a14 = a15 = a16 = a17 = a18 = a19 = a20 = a21 = a22 = a23 = a24 = 0
    for offset in range(0, len(buf), _RATE):
        w = _UNPACK_BLOCK(buf, offset)
        a0 ^= w[0]
        a1 ^= w[1]
        a2 ^= w[2]
        a3 ^= w[3]
        a4 ^= w[4]
        a5 ^= w[5]
        a6 ^= w[6]
        a7 ^= w[7]
        a8 ^= w[8]
        a9 ^= w[9]
        a10 ^= w[10]
        a11 ^= w[11]
        a12 ^= w[12]
        a13 ^= w[13]
        a14 ^= w[14]
        a15 ^= w[15]
        a16 ^= w[16]
        for rc in _RC:
            c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            d0 = c4 ^ (((c1 << 1) & M) | (c1 >> 63))
            d1 = c0 ^ (((c2 << 1) & M) | (c2 >> 63))
            d2 = c1 ^ (((c3 << 1) & M) | (c3 >> 63))
            d3 = c2 ^ (((c4 << 1) & M) | (c4 >> 63))
            d4 = c3 ^ (((c0 << 1) & M) | (c0 >> 63))
            b0 = a0 ^ d0
            t = a1 ^ d1
            b10 = ((t << 1) & M) | (t >> 63)
            t = a2 ^ d2
            b20 = ((t << 62) & M) | (t >> 2)
            t = a3 ^ d3
            b5 = ((t << 28) & M) | (t >> 36)
            t = a4 ^ d4
            b15 = ((t << 27) & M) | (t >> 37)
            t = a5 ^ d0
            b16 = ((t << 36) & M) | (t >> 28)
            t = a6 ^ d1
            b1 = ((t << 44) & M) | (t >> 20)
            t = a7 ^ d2
            b11 = ((t << 6) & M) | (t >> 58)
            t = a8 ^ d3
            b21 = ((t << 55) & M) | (t >> 9)
            t = a9 ^ d4
            b6 = ((t << 20) & M) | (t >> 44)
            t = a10 ^ d0
            b7 = ((t << 3) & M) | (t >> 61)
            t = a11 ^ d1
            b17 = ((t << 10) & M) | (t >> 54)
            t = a12 ^ d2
            b2 = ((t << 43) & M) | (t >> 21)
            t = a13 ^ d3
            b12 = ((t << 25) & M) | (t >> 39)
            t = a14 ^ d4
            b22 = ((t << 39) & M) | (t >> 25)
            t = a15 ^ d0
            b23 = ((t << 41) & M) | (t >> 23)
            t = a16 ^ d1
            b8 = ((t << 45) & M) | (t >> 19)
            t = a17 ^ d2
            b18 = ((t << 15) & M) | (t >> 49)
            t = a18 ^ d3
            b3 = ((t << 21) & M) | (t >> 43)
            t = a19 ^ d4
            b13 = ((t << 8) & M) | (t >> 56)
            t = a20 ^ d0
            b14 = ((t << 18) & M) | (t >> 46)
            t = a21 ^ d1
            b24 = ((t << 2) & M) | (t >> 62)
            t = a22 ^ d2
            b9 = ((t << 61) & M) | (t >> 3)
            t = a23 ^ d3
            b19 = ((t << 56) & M) | (t >> 8)
            t = a24 ^ d4
            b4 = ((t << 14) & M) | (t >> 50)
            a0 = b0 ^ ((b1 | b2) ^ b1) ^ rc
            a1 = b1 ^ ((b2 | b3) ^ b2)
            a2 = b2 ^ ((b3 | b4) ^ b3)
            a3 = b3 ^ ((b4 | b0) ^ b4)
            a4 = b4 ^ ((b0 | b1) ^ b0)
            a5 = b5 ^ ((b6 | b7) ^ b6)
            a6 = b6 ^ ((b7 | b8) ^ b7)
            a7 = b7 ^ ((b8 | b9) ^ b8)
            a8 = b8 ^ ((b9 | b5) ^ b9)
            a9 = b9 ^ ((b5 | b6) ^ b5)
            a10 = b10 ^ ((b11 | b12) ^ b11)
            a11 = b11 ^ ((b12 | b13) ^ b12)
            a12 = b12 ^ ((b13 | b14) ^ b13)
            a13 = b13 ^ ((b14 | b10) ^ b14)
            a14 = b14 ^ ((b10 | b11) ^ b10)
            a15 = b15 ^ ((b16 | b17) ^ b16)
            a16 = b16 ^ ((b17 | b18) ^ b17)
            a17 = b17 ^ ((b18 | b19) ^ b18)
            a18 = b18 ^ ((b19 | b15) ^ b19)
            a19 = b19 ^ ((b15 | b16) ^ b15)
            a20 = b20 ^ ((b21 | b22) ^ b21)
            a21 = b21 ^ ((b22 | b23) ^ b22)
            a22 = b22 ^ ((b23 | b24) ^ b23)
            a23 = b23 ^ ((b24 | b20) ^ b24)
            a24 = b24 ^ ((b20 | b21) ^ b20)
    return _PACK_DIGEST(a0, a1, a2, a3)
