"""Pure-Python NIST P-256 (secp256r1) ECDSA with SHA-256: public keys, point
(de)compression, deterministic RFC 6979 signing and verification.

Signatures are raw ``r || s`` (64 bytes, as in JWS ES256 and WebCrypto). Verification
accepts high-S signatures, as WebCrypto does; signing does not normalise S either, so the
output equals OpenSSL's deterministic (RFC 6979) ECDSA byte for byte.

Jacobian coordinates, a cached table of odd multiples of G (built on first use) and an
interleaved wNAF loop for ``u1*G + u2*Q``; see secp256k1.py for the cost model.

Not constant-time: no pure-Python code can be. Use WebCrypto or a native back end for
long-lived private keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from did_session.errors import MalformedError

__all__ = ["compress", "decompress", "public_key", "sign", "verify"]

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_A = P - 3
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
_SQRT_EXP = (P + 1) // 4  # P = 3 mod 4

_G_WINDOW = 8  # wNAF width for G: 128 odd multiples, built once
_Q_WINDOW = 5  # wNAF width for the per-call public key: 8 odd multiples

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]
Table = tuple[list[Affine], list[Affine]]  # odd multiples, and the same negated


def _lift_x(x: int, odd: int) -> int | None:
    rhs = (x * x * x + _A * x + _B) % P
    y = pow(rhs, _SQRT_EXP, P)
    if y * y % P != rhs:
        return None
    return P - y if (y & 1) != odd else y


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - _A * x - _B) % P == 0


def _double(pt: Jacobian) -> Jacobian:
    # dbl-2001-b for a = -3. Z == 0 (infinity) stays infinity; y == 0 cannot occur
    # (the group order is odd).
    X, Y, Z = pt
    delta = Z * Z % P
    gamma = Y * Y % P
    beta = X * gamma % P
    alpha = 3 * (X - delta) * (X + delta) % P
    X3 = (alpha * alpha - 8 * beta) % P
    return X3, (alpha * (4 * beta - X3) - 8 * gamma * gamma) % P, 2 * Y * Z % P


def _add_mixed(pt: Jacobian, x2: int, y2: int) -> Jacobian:
    """Jacobian + affine, handling infinity, doubling and P + (-P)."""
    X, Y, Z = pt
    if Z == 0:
        return x2, y2, 1
    ZZ = Z * Z % P
    H = x2 * ZZ % P - X
    R = y2 * ZZ * Z % P - Y
    if H == 0:
        return _double(pt) if R == 0 else (0, 1, 0)
    HH = H * H % P
    HHH = H * HH % P
    V = X * HH % P
    X3 = (R * R - HHH - 2 * V) % P
    return X3, (R * (V - X3) - Y * HHH) % P, Z * H % P


def _batch_to_affine(points: list[Jacobian]) -> list[Affine]:
    """Normalise non-infinity Jacobian points with one inversion (Montgomery's trick)."""
    prefix = []
    acc = 1
    for _, _, z in points:
        prefix.append(acc)
        acc = acc * z % P
    inv = pow(acc, -1, P)
    out: list[Affine] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inv * prefix[i] % P
        inv = inv * z % P
        zi2 = zi * zi % P
        out[i] = (x * zi2 % P, y * zi2 * zi % P)
    return out


def _table(x: int, y: int, count: int) -> Table:
    """[P, 3P, ..., (2*count-1)P] in affine form (one inversion), and their negations."""
    d = _double((x, y, 1))
    zi = pow(d[2], -1, P)  # 2P is never infinity (odd group order)
    dx, dy = d[0] * zi * zi % P, d[1] * zi * zi * zi % P
    pts: list[Jacobian] = [(x, y, 1)]
    cur: Jacobian = (x, y, 1)
    for _ in range(count - 1):
        cur = _add_mixed(cur, dx, dy)
        pts.append(cur)
    aff = _batch_to_affine(pts)
    return aff, [(px, P - py) for px, py in aff]


_g_table: Table | None = None


def _g_table_get() -> Table:
    global _g_table
    if _g_table is None:
        _g_table = _table(GX, GY, 1 << (_G_WINDOW - 1))
    return _g_table


def _wnaf(k: int, w: int) -> list[tuple[int, int]]:
    """Non-zero width-w NAF digits of k >= 0 as (bit position, odd digit)."""
    out = []
    pos = 0
    mask = (1 << w) - 1
    half = 1 << (w - 1)
    full = 1 << w
    while k:
        tz = (k & -k).bit_length() - 1
        k >>= tz
        pos += tz
        d = k & mask
        if d >= half:
            d -= full
        out.append((pos, d))
        k = (k - d) >> w
        pos += w
    return out


def _multiply(u1: int, u2: int = 0, q_table: Table | None = None) -> Jacobian:
    """u1*G + u2*Q in Jacobian coordinates (Z == 0 for infinity)."""
    events: list[tuple[int, Affine]] = []
    pos_t, neg_t = _g_table_get()
    for pos, d in _wnaf(u1 % N, _G_WINDOW):
        events.append((pos, pos_t[d >> 1] if d > 0 else neg_t[-d >> 1]))
    if q_table is not None:
        pos_t, neg_t = q_table
        for pos, d in _wnaf(u2 % N, _Q_WINDOW):
            events.append((pos, pos_t[d >> 1] if d > 0 else neg_t[-d >> 1]))
    if not events:
        return 0, 1, 0
    events.sort(key=lambda e: e[0], reverse=True)

    p = P
    X, Y, Z = 0, 1, 0
    cur = events[0][0]
    for pos, (x2, y2) in events:
        for _ in range(cur - pos):  # inlined _double
            delta = Z * Z % p
            gamma = Y * Y % p
            beta = X * gamma % p
            alpha = 3 * (X - delta) * (X + delta) % p
            Z = 2 * Y * Z % p
            X = (alpha * alpha - 8 * beta) % p
            Y = (alpha * (4 * beta - X) - 8 * gamma * gamma) % p
        cur = pos
        if Z == 0:
            X, Y, Z = x2, y2, 1
            continue
        ZZ = Z * Z % p  # inlined _add_mixed
        H = x2 * ZZ % p - X
        R = y2 * ZZ * Z % p - Y
        if H == 0:
            X, Y, Z = _double((X, Y, Z)) if R == 0 else (0, 1, 0)
            continue
        HH = H * H % p
        HHH = H * HH % p
        V = X * HH % p
        X = (R * R - HHH - 2 * V) % p
        Y = (R * (V - X) - Y * HHH) % p
        Z = Z * H % p
    for _ in range(cur):
        X, Y, Z = _double((X, Y, Z))
    return X, Y, Z


def _base_multiply(k: int) -> Affine:
    X, Y, Z = _multiply(k)
    zi = pow(Z, -1, P)  # 0 < k < N, so never infinity
    zi2 = zi * zi % P
    return X * zi2 % P, Y * zi2 * zi % P


# --- encoding ------------------------------------------------------------------------


def _private_scalar(private_key: bytes) -> int:
    if len(private_key) != 32:
        raise MalformedError("P-256 private key must be 32 bytes")
    d = int.from_bytes(private_key, "big")
    if not 0 < d < N:
        raise MalformedError("P-256 private key out of range")
    return d


def _encode(x: int, y: int) -> bytes:
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _decode(pub: bytes) -> Affine:
    """Parse a 33-byte compressed or 65-byte uncompressed SEC1 point, checked on-curve."""
    if len(pub) == 33 and pub[0] in (2, 3):
        x = int.from_bytes(pub[1:], "big")
        y = _lift_x(x, pub[0] & 1) if x < P else None
        if y is None:
            raise MalformedError("P-256 point is not on the curve")
        return x, y
    if len(pub) == 65 and pub[0] == 4:
        x = int.from_bytes(pub[1:33], "big")
        y = int.from_bytes(pub[33:], "big")
        if not _on_curve(x, y):
            raise MalformedError("P-256 point is not on the curve")
        return x, y
    raise MalformedError("P-256 public key must be 33 bytes (02/03) or 65 bytes (04)")


def public_key(private_key: bytes) -> bytes:
    """65-byte uncompressed public key of a 32-byte private key."""
    return _encode(*_base_multiply(_private_scalar(private_key)))


def compress(pub: bytes) -> bytes:
    """33-byte compressed form of a (validated) 65- or 33-byte public key."""
    x, y = _decode(bytes(pub))
    return bytes((2 | (y & 1),)) + x.to_bytes(32, "big")


def decompress(pub: bytes) -> bytes:
    """65-byte uncompressed form of a (validated) 33- or 65-byte public key."""
    return _encode(*_decode(bytes(pub)))


# --- ECDSA -------------------------------------------------------------------------


def _rfc6979_nonces(d: int, h1: bytes) -> Iterator[int]:
    """RFC 6979 section 3.2 with HMAC-SHA256; qlen == hlen == 256, so no truncation."""
    import hashlib
    import hmac

    x = d.to_bytes(32, "big")
    h = (int.from_bytes(h1, "big") % N).to_bytes(32, "big")  # bits2octets
    k = b"\x00" * 32
    v = b"\x01" * 32
    k = hmac.digest(k, v + b"\x00" + x + h, hashlib.sha256)
    v = hmac.digest(k, v, hashlib.sha256)
    k = hmac.digest(k, v + b"\x01" + x + h, hashlib.sha256)
    v = hmac.digest(k, v, hashlib.sha256)
    while True:
        v = hmac.digest(k, v, hashlib.sha256)
        candidate = int.from_bytes(v, "big")
        if 0 < candidate < N:
            yield candidate
        k = hmac.digest(k, v + b"\x00", hashlib.sha256)
        v = hmac.digest(k, v, hashlib.sha256)


def sign(private_key: bytes, message: bytes) -> bytes:
    """Deterministic ECDSA over SHA-256(message): raw 64-byte ``r || s``."""
    import hashlib

    d = _private_scalar(private_key)
    h1 = hashlib.sha256(message).digest()
    z = int.from_bytes(h1, "big")
    for k in _rfc6979_nonces(d, h1):
        r = _base_multiply(k)[0] % N
        if r == 0:
            continue
        s = pow(k, -1, N) * (z + r * d) % N
        if s != 0:
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raise AssertionError("unreachable")  # pragma: no cover


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True iff ``signature`` (raw r || s) is valid for SHA-256(message) under the 33- or
    65-byte SEC1 ``public_key``. Never raises on malformed input: returns False."""
    try:
        return _verify(public_key, message, signature)
    except (TypeError, ValueError, MalformedError):  # a key that does not decode
        return False


def _verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    qx, qy = _decode(bytes(public_key))
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < N and 0 < s < N):
        return False
    import hashlib

    z = int.from_bytes(hashlib.sha256(message).digest(), "big")
    s_inv = pow(s, -1, N)
    X, _, Z = _multiply(z * s_inv, r * s_inv, _table(qx, qy, 1 << (_Q_WINDOW - 1)))
    if Z == 0:
        return False
    # x(R) mod N == r without an inversion: X == x * Z^2 for x in {r, r + N} (x < P).
    zz = Z * Z % P
    if r * zz % P == X:
        return True
    return r + N < P and (r + N) * zz % P == X
