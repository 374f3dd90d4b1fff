"""Pure-Python Ed25519 (RFC 8032, pure EdDSA with SHA-512): public keys, signing and
verification.

Verification follows what OpenSSL (pyca/cryptography), BoringSSL (WebCrypto in Chromium)
and the Wycheproof vectors agree on:

* signature exactly 64 bytes, public key exactly 32 bytes;
* ``S`` must be canonical (``S < L``): rejects the ``S + L`` malleability;
* ``R`` is compared as bytes with the encoding of ``[S]B - [k]A``, so a non-canonical
  ``R`` never verifies; the check is the cofactorless equation;
* the public key is decoded like OpenSSL's ``ge_frombytes_vartime``: ``y`` is taken mod p
  (a non-canonical ``y >= p`` is not rejected), the point must be on the curve, and
  ``x = 0`` with the sign bit set is accepted as ``x = 0``. Small-order keys are not
  rejected (neither does OpenSSL); they cannot verify a signature with ``k != 0 mod 8``.

Points use extended twisted-Edwards coordinates (X:Y:Z:T) with the complete a = -1
formulas; ``[k]B`` uses a signed radix-16 table of multiples of B (512 points, built on
first use and cached), so signing needs no doublings.

Not constant-time: no pure-Python code can be. Use WebCrypto or a native back end for
long-lived private keys.
"""

from __future__ import annotations

from did_session.errors import MalformedError

__all__ = ["public_key", "sign", "verify"]

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of B
D = -121665 * pow(121666, -1, P) % P
_D2 = 2 * D % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)  # a square root of -1
_BY = 4 * pow(5, -1, P) % P
_BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202

# An extended point (X, Y, Z, T) with x = X/Z, y = Y/Z, x*y = T/Z.
Extended = tuple[int, int, int, int]
# An affine point in "Niels" form for mixed addition: (y + x, y - x, 2*d*x*y).
Niels = tuple[int, int, int]

_IDENTITY: Extended = (0, 1, 1, 0)
_A_WINDOW = 5  # wNAF width for the public key in verification (8 odd multiples)


def _add(p1: Extended, p2: Extended) -> Extended:
    # add-2008-hwcd-3: complete for a = -1 (handles doubling and the identity).
    X1, Y1, Z1, T1 = p1
    X2, Y2, Z2, T2 = p2
    A = (Y1 - X1) * (Y2 - X2) % P
    B = (Y1 + X1) * (Y2 + X2) % P
    C = T1 * _D2 * T2 % P
    Dd = 2 * Z1 * Z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return E * F % P, G * H % P, F * G % P, E * H % P


def _double(p1: Extended) -> Extended:
    # dbl-2008-hwcd with a = -1.
    X1, Y1, Z1, _ = p1
    A = X1 * X1 % P
    B = Y1 * Y1 % P
    C = 2 * Z1 * Z1 % P
    E = ((X1 + Y1) * (X1 + Y1) - A - B) % P
    G = B - A
    F = G - C
    H = -A - B
    return E * F % P, G * H % P, F * G % P, E * H % P


def _to_niels(points: list[Extended]) -> list[Niels]:
    """Affine Niels forms of (non-identity-Z) extended points, with one inversion."""
    prefix = []
    acc = 1
    for pt in points:
        prefix.append(acc)
        acc = acc * pt[2] % P
    inv = pow(acc, -1, P)
    out: list[Niels] = [(0, 0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        X, Y, Z, _ = points[i]
        zi = inv * prefix[i] % P
        inv = inv * Z % P
        x = X * zi % P
        y = Y * zi % P
        out[i] = ((y + x) % P, (y - x) % P, _D2 * x * y % P)
    return out


def _neg_niels(points: list[Niels]) -> list[Niels]:
    return [(ymx, ypx, (P - t) % P) for ypx, ymx, t in points]


# Signed radix-16 comb: _comb[i][j] = (j + 1) * 16^i * B for i < 64, j < 8.
_comb: tuple[list[list[Niels]], list[list[Niels]]] | None = None


def _comb_get() -> tuple[list[list[Niels]], list[list[Niels]]]:
    global _comb
    if _comb is None:
        flat: list[Extended] = []
        base: Extended = (_BX, _BY, 1, _BX * _BY % P)
        for _ in range(64):
            cur = base
            for _ in range(8):
                flat.append(cur)
                cur = _add(cur, base)
            base = _double(flat[-1])  # 16 * base = 2 * (8 * base)
        niels = _to_niels(flat)
        pos = [niels[8 * i : 8 * i + 8] for i in range(64)]
        _comb = pos, [_neg_niels(row) for row in pos]
    return _comb


def _madd(pt: Extended, q: Niels) -> Extended:
    X1, Y1, Z1, T1 = pt
    ypx, ymx, xy2d = q
    A = (Y1 - X1) * ymx % P
    B = (Y1 + X1) * ypx % P
    C = T1 * xy2d % P
    Dd = 2 * Z1
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return E * F % P, G * H % P, F * G % P, E * H % P


def _comb_add(acc: Extended, k: int) -> Extended:
    """acc + [k]B for 0 <= k < L, from the radix-16 table (about 60 mixed additions)."""
    pos_rows, neg_rows = _comb_get()
    X, Y, Z, T = acc
    p = P
    carry = 0
    for i in range(64):
        v = (k & 15) + carry
        k >>= 4
        carry = (v + 8) >> 4  # signed digit in [-8, 8); k < 2^253 leaves no final carry
        v -= carry << 4
        if v == 0:
            continue
        ypx, ymx, xy2d = pos_rows[i][v - 1] if v > 0 else neg_rows[i][-v - 1]
        A = (Y - X) * ymx % p  # inlined _madd
        B = (Y + X) * ypx % p
        C = T * xy2d % p
        Dd = 2 * Z
        E, F, G, H = B - A, Dd - C, Dd + C, B + A
        X, Y, Z, T = E * F % p, G * H % p, F * G % p, E * H % p
    return X, Y, Z, T


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


def _var_mul(pt: Extended, k: int) -> Extended:
    """[k]pt for a variable point (wNAF, window 5)."""
    # Odd multiples pt, 3pt, ..., 15pt as affine Niels (one inversion).
    two = _double(pt)
    mults = [pt]
    for _ in range((1 << (_A_WINDOW - 1)) - 1):
        mults.append(_add(mults[-1], two))
    pos_t = _to_niels(mults)
    neg_t = _neg_niels(pos_t)
    digits = _wnaf(k, _A_WINDOW)
    if not digits:
        return _IDENTITY

    p = P
    X, Y, Z, T = _IDENTITY
    cur = digits[-1][0]
    for pos, d in reversed(digits):
        if cur > pos:
            for _ in range(cur - pos):  # inlined _double; T is only needed at the end
                A = X * X % p
                B = Y * Y % p
                C = 2 * Z * Z % p
                E = ((X + Y) * (X + Y) - A - B) % p
                G = B - A
                F = G - C
                H = -A - B
                X, Y, Z = E * F % p, G * H % p, F * G % p
            T = E * H % p
        cur = pos
        ypx, ymx, xy2d = pos_t[d >> 1] if d > 0 else neg_t[-d >> 1]
        A = (Y - X) * ymx % p  # inlined _madd
        B = (Y + X) * ypx % p
        C = T * xy2d % p
        Dd = 2 * Z
        E, F, G, H = B - A, Dd - C, Dd + C, B + A
        X, Y, Z, T = E * F % p, G * H % p, F * G % p, E * H % p
    result = (X, Y, Z, T)
    for _ in range(cur):
        result = _double(result)
    return result


def _encode(pt: Extended) -> bytes:
    X, Y, Z, _ = pt
    zi = pow(Z, -1, P)
    x = X * zi % P
    y = Y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(data: bytes) -> Extended | None:
    """Decode a point like OpenSSL's ge_frombytes_vartime (see module docstring)."""
    v = int.from_bytes(data, "little")
    sign = v >> 255
    y = (v & ((1 << 255) - 1)) % P
    u = (y * y - 1) % P
    w = (D * y * y + 1) % P
    # x = sqrt(u / w) = u * w^3 * (u * w^7)^((p - 5) / 8)  (RFC 8032, 5.1.3)
    w3 = w * w * w % P
    x = u * w3 * pow(u * w3 * w3 * w % P, (P - 5) // 8, P) % P
    wxx = w * x * x % P
    if wxx != u:
        if wxx != P - u:
            return None
        x = x * _SQRT_M1 % P
    if (x & 1) != sign:
        x = P - x if x else 0
    return x, y, 1, x * y % P


def _hash_scalar(*parts: bytes) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little") % L


def _expand_seed(seed: bytes) -> tuple[int, bytes]:
    import hashlib

    if len(seed) != 32:
        raise MalformedError("Ed25519 seed must be 32 bytes")
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def public_key(seed: bytes) -> bytes:
    """32-byte public key of a 32-byte seed (RFC 8032 "private key")."""
    a, _ = _expand_seed(bytes(seed))
    return _encode(_comb_add(_IDENTITY, a % L))


def sign(seed: bytes, message: bytes) -> bytes:
    """64-byte signature ``R || S`` of ``message`` (deterministic, RFC 8032 5.1.6)."""
    a, prefix = _expand_seed(bytes(seed))
    message = bytes(message)
    pk = _encode(_comb_add(_IDENTITY, a % L))
    r = _hash_scalar(prefix, message)
    big_r = _encode(_comb_add(_IDENTITY, r))
    s = (r + _hash_scalar(big_r, pk, message) * a) % L
    return big_r + s.to_bytes(32, "little")


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True iff ``signature`` is a valid Ed25519 signature of ``message`` under
    ``public_key``. Never raises on malformed input: returns False."""
    try:
        return _verify(bytes(public_key), bytes(message), bytes(signature))
    except (TypeError, ValueError):
        return False


def _verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(public_key) != 32 or len(signature) != 64:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    a_pt = _decode(public_key)
    if a_pt is None:
        return False
    k = _hash_scalar(signature[:32], public_key, message)
    x, y, z, t = a_pt
    neg_a: Extended = ((P - x) % P, y, z, (P - t) % P)
    # [S]B - [k]A, compared with R as bytes (rejects a non-canonical R encoding).
    return _encode(_comb_add(_var_mul(neg_a, k), s)) == signature[:32]
