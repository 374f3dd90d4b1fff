"""Pure-Python secp256k1: public keys, point (de)compression, RFC 6979 low-S recoverable
signatures and public-key recovery (what EIP-191 ``personal_sign`` checks need).

Speed matters here: CPython and Pyodide have no secp256k1, and every CACAO check recovers
one key. The costs that dominate are modular multiplications (~0.4 us each on CPython),
inversions (~20 us: ``pow(x, -1, p)``) and the square root (~115 us), so:

* points are kept in Jacobian coordinates (no inversion per addition) and added to affine
  table points with mixed additions;
* ``u1*G + u2*R`` is one interleaved (Straus/Shamir) wNAF loop over shared doublings;
* both scalars are split with the GLV endomorphism ``lambda*(x, y) = (beta*x, y)`` into
  ~128-bit halves, which halves the number of doublings;
* multiples of ``G`` come from a table of odd multiples built on first use and cached;
  the small per-call table of ``R`` is normalised to affine with a single inversion.

Not constant-time: no pure-Python code can be (big-int arithmetic and branches leak
timing). Signing here is meant for tests and tools; production keys belong in a native
or WebCrypto back end.
"""

from __future__ import annotations

from collections.abc import Iterator

from did_session.errors import InvalidSignatureError, MalformedError

__all__ = [
    "compress",
    "decompress",
    "public_key",
    "recover",
    "sign_recoverable",
]

P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
_B = 7
_SQRT_EXP = (P + 1) // 4  # P = 3 mod 4

# GLV endomorphism: LAMBDA * (x, y) == (BETA * x, y); LAMBDA^3 = 1 mod N, BETA^3 = 1 mod P.
_LAMBDA = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
_BETA = 0x7AE96A2B657C07106E64479EAC3434E99CF0497512F58995C1396C28719501EE
# Short basis of the lattice {(a, b): a + b*LAMBDA = 0 mod N} ("Guide to ECC", 3.74).
_A1 = 0x3086D221A7D46BCDE86C90E49284EB15
_B1 = -0xE4437ED6010E88286F547FA90ABFE4C3
_A2 = 0x114CA50F7A8E2F3F657C1108D9D44CFD8
_B2 = _A1
_HALF_N = N >> 1

_G_WINDOW = 8  # wNAF width for G: 128 odd multiples, built once
_R_WINDOW = 5  # wNAF width for the per-call point: 8 odd multiples

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]
# One table of odd multiples [P, 3P, 5P, ...] and the same points negated.
Table = tuple[list[Affine], list[Affine]]


# --- field / group helpers -------------------------------------------------------------


def _lift_x(x: int, odd: int) -> int | None:
    """The y with y^2 = x^3 + 7 and parity ``odd``, or None when x is not on the curve."""
    rhs = (x * x * x + _B) % P
    y = pow(rhs, _SQRT_EXP, P)
    if y * y % P != rhs:
        return None
    return P - y if (y & 1) != odd else y


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - _B) % P == 0


def _double(pt: Jacobian) -> Jacobian:
    # dbl for a = 0; Z == 0 (infinity) stays infinity. y == 0 cannot occur (odd order).
    X, Y, Z = pt
    YY = Y * Y % P
    S = 4 * X * YY % P
    M = 3 * X * X % P
    X3 = (M * M - 2 * S) % P
    return X3, (M * (S - X3) - 8 * YY * YY) % P, 2 * Y * Z % P


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


def _to_affine(pt: Jacobian) -> Affine | None:
    X, Y, Z = pt
    if Z == 0:
        return None
    zi = pow(Z, -1, P)
    zi2 = zi * zi % P
    return X * zi2 % P, Y * zi2 * zi % P


def _odd_multiples(x: int, y: int, count: int) -> list[Affine]:
    """[P, 3P, ..., (2*count-1)P] in affine form for an affine P (one inversion)."""
    d = _double((x, y, 1))
    dx, dy = _to_affine(d) or (0, 0)  # 2P is never infinity (odd group order)
    pts: list[Jacobian] = [(x, y, 1)]
    cur: Jacobian = (x, y, 1)
    for _ in range(count - 1):
        cur = _add_mixed(cur, dx, dy)
        pts.append(cur)
    if any(z == 0 for _, _, z in pts):  # only for points of tiny order: none on secp256k1
        raise InvalidSignatureError("degenerate point")
    return _batch_to_affine(pts)


def _negated(points: list[Affine]) -> list[Affine]:
    return [(x, P - y) for x, y in points]


def _endo(points: list[Affine]) -> list[Affine]:
    return [(_BETA * x % P, y) for x, y in points]


_g_tables: tuple[Table, Table] | None = None


def _g_tables_get() -> tuple[Table, Table]:
    """Odd multiples of G and of LAMBDA*G (+ negations), built on first use."""
    global _g_tables
    if _g_tables is None:
        g = _odd_multiples(GX, GY, 1 << (_G_WINDOW - 1))
        lg = _endo(g)
        _g_tables = ((g, _negated(g)), (lg, _negated(lg)))
    return _g_tables


# --- scalar multiplication ---------------------------------------------------------------


def _wnaf(k: int, w: int) -> list[tuple[int, int]]:
    """Non-zero width-w NAF digits of k >= 0 as (bit position, odd digit)."""
    out = []
    pos = 0
    mask = (1 << w) - 1
    half = 1 << (w - 1)
    full = 1 << w
    while k:
        tz = (k & -k).bit_length() - 1  # skip the run of zero digits at once
        k >>= tz
        pos += tz
        d = k & mask
        if d >= half:
            d -= full
        out.append((pos, d))
        k = (k - d) >> w  # the next w - 1 digits are zero by construction
        pos += w
    return out


def _split(k: int) -> tuple[int, int]:
    """GLV: k = k1 + k2*LAMBDA (mod N) with |k1|, |k2| < 2^129."""
    c1 = (_B2 * k + _HALF_N) // N
    c2 = (-_B1 * k + _HALF_N) // N
    return k - c1 * _A1 - c2 * _A2, -c1 * _B1 - c2 * _B2


def _add_terms(events: list[tuple[int, Affine]], k: int, w: int, table: Table) -> None:
    pos_t, neg_t = table if k >= 0 else (table[1], table[0])
    for pos, d in _wnaf(abs(k), w):
        events.append((pos, pos_t[d >> 1] if d > 0 else neg_t[-d >> 1]))


def _multiply(u1: int, u2: int = 0, r_tables: tuple[Table, Table] | None = None) -> Affine | None:
    """u1*G + u2*R (R given as its odd-multiple tables), or None for infinity."""
    g_table, lg_table = _g_tables_get()
    events: list[tuple[int, Affine]] = []
    k1, k2 = _split(u1 % N)
    _add_terms(events, k1, _G_WINDOW, g_table)
    _add_terms(events, k2, _G_WINDOW, lg_table)
    if r_tables is not None and u2 % N:
        k1, k2 = _split(u2 % N)
        _add_terms(events, k1, _R_WINDOW, r_tables[0])
        _add_terms(events, k2, _R_WINDOW, r_tables[1])
    if not events:
        return None
    events.sort(key=lambda e: e[0], reverse=True)

    # Straus: one pass from the top bit down. Doubling and mixed addition are inlined
    # (this loop is where recovery spends its time); rare cases go to the helpers.
    p = P
    X, Y, Z = 0, 1, 0  # infinity
    cur = events[0][0]
    for pos, (x2, y2) in events:
        for _ in range(cur - pos):
            YY = Y * Y % p
            S = 4 * X * YY % p
            M = 3 * X * X % p
            X = (M * M - 2 * S) % p
            Z = 2 * Y * Z % p
            Y = (M * (S - X) - 8 * YY * YY) % p
        cur = pos
        if Z == 0:
            X, Y, Z = x2, y2, 1
            continue
        ZZ = Z * Z % p
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
    return _to_affine((X, Y, Z))


# --- encoding ------------------------------------------------------------------------


def _private_scalar(private_key: bytes) -> int:
    if len(private_key) != 32:
        raise MalformedError("secp256k1 private key must be 32 bytes")
    d = int.from_bytes(private_key, "big")
    if not 0 < d < N:
        raise MalformedError("secp256k1 private key out of range")
    return d


def _encode(x: int, y: int) -> bytes:
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _decode(pub: bytes) -> Affine:
    """Parse a 33-byte compressed or 65-byte uncompressed SEC1 point, checked on-curve."""
    if len(pub) == 33 and pub[0] in (2, 3):
        x = int.from_bytes(pub[1:], "big")
        y = _lift_x(x, pub[0] & 1) if x < P else None
        if y is None:
            raise MalformedError("secp256k1 point is not on the curve")
        return x, y
    if len(pub) == 65 and pub[0] == 4:
        x = int.from_bytes(pub[1:33], "big")
        y = int.from_bytes(pub[33:], "big")
        if not _on_curve(x, y):
            raise MalformedError("secp256k1 point is not on the curve")
        return x, y
    raise MalformedError("secp256k1 public key must be 33 bytes (02/03) or 65 bytes (04)")


def public_key(private_key: bytes) -> bytes:
    """65-byte uncompressed public key of a 32-byte private key."""
    pt = _multiply(_private_scalar(private_key))
    assert pt is not None  # 0 < d < N
    return _encode(*pt)


def compress(pub: bytes) -> bytes:
    """33-byte compressed form of a (validated) 65- or 33-byte public key."""
    x, y = _decode(bytes(pub))
    return bytes((2 | (y & 1),)) + x.to_bytes(32, "big")


def decompress(pub: bytes) -> bytes:
    """65-byte uncompressed form of a (validated) 33- or 65-byte public key."""
    return _encode(*_decode(bytes(pub)))


# --- ECDSA -------------------------------------------------------------------------


def _hash_scalar(msg_hash: bytes) -> int:
    if len(msg_hash) != 32:
        raise MalformedError("secp256k1 message hash must be 32 bytes")
    return int.from_bytes(msg_hash, "big")


def _rfc6979_nonces(d: int, msg_hash: bytes) -> Iterator[int]:
    """RFC 6979 section 3.2 with HMAC-SHA256 (what libsecp256k1 uses by default)."""
    import hashlib
    import hmac

    x = d.to_bytes(32, "big")
    h = (int.from_bytes(msg_hash, "big") % N).to_bytes(32, "big")  # bits2octets
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


def sign_recoverable(private_key: bytes, msg_hash: bytes) -> tuple[bytes, int]:
    """Deterministic (RFC 6979) low-S signature of a 32-byte hash: (r || s, recovery id).

    Same bytes as libsecp256k1's ``secp256k1_ecdsa_sign_recoverable`` with the default
    nonce function.
    """
    d = _private_scalar(private_key)
    z = _hash_scalar(msg_hash)
    for k in _rfc6979_nonces(d, msg_hash):
        pt = _multiply(k)
        assert pt is not None  # 0 < k < N
        rx, ry = pt
        r = rx % N
        if r == 0:
            continue
        s = pow(k, -1, N) * (z + r * d) % N
        if s == 0:
            continue
        recid = (ry & 1) | (2 if rx >= N else 0)
        if s > _HALF_N:
            s = N - s
            recid ^= 1
        return r.to_bytes(32, "big") + s.to_bytes(32, "big"), recid
    raise AssertionError("unreachable")  # pragma: no cover


def check_recovery_input(
    msg_hash: bytes, signature64: bytes, recovery_id: int
) -> tuple[int, int, int, int]:
    """The checks every recovery back end (pure, native, noble) makes first, so that all
    accept and refuse the same input with the same errors. Returns ``(z, r, s, x)``: the
    hash as a scalar, r, s, and the x coordinate of the point R for ``recovery_id``."""
    z = _hash_scalar(msg_hash)
    if len(signature64) != 64:
        raise InvalidSignatureError("signature must be 64 bytes (r || s)")
    if not isinstance(recovery_id, int) or not 0 <= recovery_id <= 3:
        raise InvalidSignatureError("recovery id must be 0, 1, 2 or 3")
    r = int.from_bytes(signature64[:32], "big")
    s = int.from_bytes(signature64[32:], "big")
    if not (0 < r < N and 0 < s < N):
        raise InvalidSignatureError("signature r or s out of range")
    x = r + N if recovery_id & 2 else r
    if x >= P:
        raise InvalidSignatureError("signature r has no curve point for this recovery id")
    return z, r, s, x


def recover(msg_hash: bytes, signature64: bytes, recovery_id: int) -> bytes:
    """Public key (65 bytes, uncompressed) that produced ``r || s`` over ``msg_hash``.

    Raises InvalidSignatureError for r or s outside [1, N), a recovery id outside 0..3,
    an r with no curve point, or a result at infinity. High-S is accepted (as
    libsecp256k1's recovery and Ethereum's ``ecrecover`` do).
    """
    z, r, s, x = check_recovery_input(msg_hash, signature64, recovery_id)
    y = _lift_x(x, recovery_id & 1)
    if y is None:
        raise InvalidSignatureError("signature r is not the x of a curve point")

    # Q = r^-1 * (s*R - z*G) = u1*G + u2*R
    r_inv = pow(r, -1, N)
    u1 = -z * r_inv % N
    u2 = s * r_inv % N
    table = _odd_multiples(x, y, 1 << (_R_WINDOW - 1))
    lam_table = _endo(table)
    q = _multiply(u1, u2, ((table, _negated(table)), (lam_table, _negated(lam_table))))
    if q is None:
        raise InvalidSignatureError("recovered point is at infinity")
    return _encode(*q)
