"""did_session.crypto: the pure modules, the native wrappers and the facade, checked
against public vectors (Wycheproof, RFC 8032, did:key) and against cryptography /
coincurve / pycryptodome on seeded random inputs."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import did_session.crypto as facade
from did_session.crypto import _native, ed25519, keccak, p256, secp256k1
from did_session.errors import InvalidSignatureError, MalformedError
from tests.conftest import load_vector

# --- implementations under test ------------------------------------------------------


@dataclass(frozen=True)
class Impl:
    name: str
    ed25519_public_key: Callable[[bytes], bytes]
    ed25519_sign: Callable[[bytes, bytes], bytes]
    ed25519_verify: Callable[[bytes, bytes, bytes], bool]
    p256_public_key: Callable[[bytes], bytes]
    p256_sign: Callable[[bytes, bytes], bytes]
    p256_verify: Callable[[bytes, bytes, bytes], bool]
    secp256k1_public_key: Callable[[bytes], bytes]
    secp256k1_recover: Callable[[bytes, bytes, int], bytes]
    secp256k1_sign_recoverable: Callable[[bytes, bytes], tuple[bytes, int]]


PURE = Impl(
    "pure",
    ed25519.public_key,
    ed25519.sign,
    ed25519.verify,
    p256.public_key,
    p256.sign,
    p256.verify,
    secp256k1.public_key,
    secp256k1.recover,
    secp256k1.sign_recoverable,
)
FACADE = Impl(
    "facade",
    facade.ed25519_public_key,
    facade.ed25519_sign,
    facade.ed25519_verify,
    facade.p256_public_key,
    facade.p256_sign,
    facade.p256_verify,
    facade.secp256k1_public_key,
    facade.secp256k1_recover,
    facade.secp256k1_sign_recoverable,
)
IMPLS = [PURE, FACADE]
if _native.HAVE_CRYPTOGRAPHY and _native.HAVE_COINCURVE:
    IMPLS.append(
        Impl(
            "native",
            _native.ed25519_public_key,
            _native.ed25519_sign,
            _native.ed25519_verify,
            _native.p256_public_key,
            _native.p256_sign,
            _native.p256_verify,
            _native.secp256k1_public_key,
            _native.secp256k1_recover,
            _native.secp256k1_sign_recoverable,
        )
    )


@pytest.fixture(params=IMPLS, ids=lambda i: i.name)
def impl(request: pytest.FixtureRequest) -> Impl:
    return request.param  # type: ignore[no-any-return]


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        n = n * 58 + _B58.index(c)
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + n.to_bytes((n.bit_length() + 7) // 8, "big")


def b64url(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def did_key_bytes(did: str, prefix: bytes) -> bytes:
    raw = b58decode(did.removeprefix("did:key:z"))
    assert raw[: len(prefix)] == prefix
    return raw[len(prefix) :]


# --- backend selection ---------------------------------------------------------------


def test_backend_native_here() -> None:
    if os.environ.get("DID_SESSION_PURE") == "1":
        assert facade.BACKEND == "pure"
    else:
        assert facade.BACKEND.startswith("native (cryptography, coincurve")


def test_backend_forced_pure_in_subprocess() -> None:
    root = Path(__file__).resolve().parents[2]
    code = (
        "import did_session.crypto as c, did_session.eth as e;"
        "print(c.BACKEND);"
        "print(e.sign_personal_message(bytes(31) + b'\\x01', 'hi'))"
    )
    env = {**os.environ, "DID_SESSION_PURE": "1", "PYTHONPATH": str(root / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "pure"
    # Same deterministic signature as in this process (native or not).
    from did_session.eth import sign_personal_message

    assert out[1] == sign_personal_message(bytes(31) + b"\x01", "hi")


# --- hashes ------------------------------------------------------------------------


KECCAK_KATS = {
    b"": "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    b"abc": "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    b"The quick brown fox jumps over the lazy dog": (
        "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"
    ),
}


@pytest.mark.parametrize("fn", [keccak.keccak256, facade.keccak256], ids=["pure", "facade"])
def test_keccak_known_answers(fn: Callable[[bytes], bytes]) -> None:
    for data, digest in KECCAK_KATS.items():
        assert fn(data).hex() == digest
    # 10_000 x "a" (74 blocks); digest computed with pycryptodome.
    assert fn(b"a" * 10_000).hex() == (
        "f7538f138f13bc95fd1fbf3b045d29c54f9f66817c635941270f8813ba1e81b8"
    )


def test_keccak_all_padding_boundaries_against_pycryptodome() -> None:
    ref = pytest.importorskip("Crypto.Hash.keccak")
    rnd = random.Random(7)
    for n in [*range(300), 407, 408, 409, 543, 544, 545, 1000]:
        data = rnd.randbytes(n)
        assert keccak.keccak256(data) == ref.new(digest_bits=256, data=data).digest(), n
    assert keccak.keccak256(bytearray(b"abc")) == keccak.keccak256(memoryview(b"abc"))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
def test_keccak_pure_equals_facade(data: bytes) -> None:
    assert keccak.keccak256(data) == facade.keccak256(data)


def test_keccak_is_not_sha3() -> None:
    assert keccak.keccak256(b"") != hashlib.sha3_256(b"").digest()


def test_sha256() -> None:
    assert facade.sha256(b"abc") == hashlib.sha256(b"abc").digest()


# --- Ed25519 -----------------------------------------------------------------------


def test_ed25519_wycheproof(impl: Impl) -> None:
    data = load_vector("ed25519/wycheproof_ed25519_test.json")
    count = 0
    for group in data["testGroups"]:
        pk = bytes.fromhex(group["publicKey"]["pk"])
        for case in group["tests"]:
            got = impl.ed25519_verify(pk, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))
            assert got is (case["result"] == "valid"), (case["tcId"], case["flags"])
            count += 1
    assert count == data["numberOfTests"] == 151


def test_ed25519_rfc8032(impl: Impl) -> None:
    for vec in load_vector("ed25519/rfc8032_section7.1_tests1-3.json")["vectors"]:
        seed = bytes.fromhex(vec["secret_key_seed_hex"])
        msg = bytes.fromhex(vec["message_hex"])
        assert impl.ed25519_public_key(seed).hex() == vec["public_key_hex"]
        assert impl.ed25519_sign(seed, msg).hex() == vec["signature_hex"]
        assert impl.ed25519_verify(
            bytes.fromhex(vec["public_key_hex"]), msg, impl.ed25519_sign(seed, msg)
        )


def test_ed25519_did_key_vectors(impl: Impl) -> None:
    for did, entry in load_vector("did-key/ed25519-x25519.json").items():
        if "seed" not in entry:
            continue
        pk = impl.ed25519_public_key(bytes.fromhex(entry["seed"]))
        assert pk == did_key_bytes(did, b"\xed\x01")


def test_ed25519_random_against_cryptography() -> None:
    c = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    rnd = random.Random(11)
    for _ in range(40):
        seed = rnd.randbytes(32)
        msg = rnd.randbytes(rnd.randrange(0, 300))
        key = c.Ed25519PrivateKey.from_private_bytes(seed)
        pk = key.public_key().public_bytes_raw()
        sig = key.sign(msg)
        assert ed25519.public_key(seed) == pk
        assert ed25519.sign(seed, msg) == sig
        assert ed25519.verify(pk, msg, sig)
        bad = bytearray(sig)
        bad[rnd.randrange(64)] ^= 1 << rnd.randrange(8)
        assert ed25519.verify(pk, msg, bytes(bad)) is _native.ed25519_verify(pk, msg, bytes(bad))


def _ed_identity_signature(s: int) -> bytes:
    r = ed25519._encode(ed25519._comb_add(ed25519._IDENTITY, s))
    return r + s.to_bytes(32, "little")


@pytest.mark.skipif(not _native.HAVE_CRYPTOGRAPHY, reason="needs cryptography")
def test_ed25519_edge_public_keys_match_openssl() -> None:
    """Non-canonical y, x = 0 with the sign bit, small-order keys: same verdicts as OpenSSL."""
    p = ed25519.P
    sig = _ed_identity_signature(12345)
    keys = [
        (y + extra) | (sign << 255)
        for y in (0, 1, 2, p - 1)
        for extra in (0, p)
        for sign in (0, 1)
        if y + extra < 2**255
    ]
    for value in keys:
        pk = value.to_bytes(32, "little")
        for msg in (b"", b"a", b"b", b"c", b"d", b"e"):
            assert ed25519.verify(pk, msg, sig) is _native.ed25519_verify(pk, msg, sig), (
                pk.hex(),
                msg,
            )


def test_ed25519_bad_inputs_never_raise(impl: Impl) -> None:
    seed = bytes(range(32))
    pk = impl.ed25519_public_key(seed)
    sig = impl.ed25519_sign(seed, b"m")
    assert impl.ed25519_verify(pk, b"m", sig)
    bad: list[tuple[Any, Any, Any]] = [
        (pk[:31], b"m", sig),
        (pk + b"\0", b"m", sig),
        (pk, b"m", sig[:63]),
        (pk, b"m", sig + b"\0"),
        (pk, b"m", b""),
        (b"", b"m", sig),
        (
            pk,
            b"m",
            sig[:32] + (int.from_bytes(sig[32:], "little") + ed25519.L).to_bytes(32, "little"),
        ),
        (b"\xff" * 32, b"m", sig),  # y >= p, not on the curve
        (None, b"m", sig),
        (pk, None, sig),
        (pk, b"m", "0" * 64),
    ]
    for args in bad:
        assert impl.ed25519_verify(*args) is False


def test_ed25519_bad_seed(impl: Impl) -> None:
    for seed in (b"", bytes(31), bytes(33)):
        with pytest.raises(MalformedError):
            impl.ed25519_public_key(seed)
        with pytest.raises(MalformedError):
            impl.ed25519_sign(seed, b"")


def test_ed25519_scalar_paths_agree() -> None:
    base = (ed25519._BX, ed25519._BY, 1, ed25519._BX * ed25519._BY % ed25519.P)
    rnd = random.Random(5)
    for k in [0, 1, 2, 15, 16, 17, ed25519.L - 1, *(rnd.randrange(ed25519.L) for _ in range(8))]:
        a = ed25519._encode(ed25519._comb_add(ed25519._IDENTITY, k))
        b = ed25519._encode(ed25519._var_mul(base, k))
        assert a == b, k


# --- P-256 --------------------------------------------------------------------------


def test_p256_did_key_vectors(impl: Impl) -> None:
    seen = 0
    for did, entry in load_vector("did-key/nist-curves.json").items():
        method = entry["verificationMethod"]
        if method.get("publicKeyJwk", {}).get("crv") == "P-256":
            d = b64url(method["privateKeyJwk"]["d"])
            jwk = method["publicKeyJwk"]
            expected = b"\x04" + b64url(jwk["x"]) + b64url(jwk["y"])
        elif did.startswith("did:key:zDn"):
            d = b58decode(method["privateKeyBase58"])
            expected = p256.decompress(b58decode(method["publicKeyBase58"]))
        else:
            continue
        pub = impl.p256_public_key(d)
        assert pub == expected
        assert facade.p256_compress(pub) == did_key_bytes(did, b"\x80\x24")
        assert facade.p256_decompress(facade.p256_compress(pub)) == pub
        seen += 1
    assert seen == 3


@pytest.mark.skipif(not _native.HAVE_CRYPTOGRAPHY, reason="needs cryptography")
def test_p256_random_against_cryptography() -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    rnd = random.Random(13)
    for i in range(25):
        d = rnd.randrange(1, p256.N)
        sk = d.to_bytes(32, "big")
        key = ec.derive_private_key(d, ec.SECP256R1())
        pub = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        cpub = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        assert p256.public_key(sk) == pub
        assert p256.compress(pub) == cpub
        assert p256.decompress(cpub) == pub
        msg = rnd.randbytes(rnd.randrange(0, 200))
        # Randomised OpenSSL signature: verified by the pure code.
        r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
        assert p256.verify(cpub, msg, r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        # Deterministic: identical bytes.
        sig = p256.sign(sk, msg)
        assert sig == _native.p256_sign(sk, msg), i
        assert _native.p256_verify(pub, msg, sig)
        bad = bytearray(sig)
        bad[rnd.randrange(64)] ^= 1 << rnd.randrange(8)
        assert p256.verify(pub, msg, bytes(bad)) is _native.p256_verify(pub, msg, bytes(bad))


def test_p256_sign_verify_high_s(impl: Impl) -> None:
    sk = bytes(31) + b"\x07"
    pub = impl.p256_public_key(sk)
    sig = impl.p256_sign(sk, b"msg")
    assert sig == p256.sign(sk, b"msg")  # deterministic everywhere
    r, s = sig[:32], int.from_bytes(sig[32:], "big")
    flipped = r + (p256.N - s).to_bytes(32, "big")
    for key in (pub, facade.p256_compress(pub)):
        assert impl.p256_verify(key, b"msg", sig)
        assert impl.p256_verify(key, b"msg", flipped)  # WebCrypto accepts high-S
        assert not impl.p256_verify(key, b"msg!", sig)


def test_p256_bad_inputs_never_raise(impl: Impl) -> None:
    sk = bytes(31) + b"\x09"
    pub = impl.p256_public_key(sk)
    sig = impl.p256_sign(sk, b"m")
    n = p256.N.to_bytes(32, "big")
    one = (1).to_bytes(32, "big")
    off_curve = pub[:-1] + bytes([pub[-1] ^ 1])
    bad: list[tuple[Any, Any, Any]] = [
        (pub, b"m", sig[:63]),
        (pub, b"m", sig + b"\0"),
        (pub, b"m", bytes(64)),
        (pub, b"m", bytes(32) + sig[32:]),
        (pub, b"m", sig[:32] + bytes(32)),
        (pub, b"m", n + sig[32:]),
        (pub, b"m", sig[:32] + n),
        (pub, b"m", one + one),
        (pub[1:], b"m", sig),
        (b"\x06" + pub[1:], b"m", sig),  # hybrid encoding: not accepted
        (b"\x05" + facade.p256_compress(pub)[1:], b"m", sig),
        (off_curve, b"m", sig),
        (b"\x02" + b"\xff" * 32, b"m", sig),
        (b"", b"m", sig),
        (None, b"m", sig),
        (pub, None, sig),
        (pub, b"m", None),
    ]
    for args in bad:
        assert impl.p256_verify(*args) is False


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=70), st.binary(max_size=70))
def test_p256_verify_garbage_is_false(pub: bytes, sig: bytes) -> None:
    assert p256.verify(pub, b"x", sig) is False
    assert facade.p256_verify(pub, b"x", sig) is False


def test_p256_bad_private_keys(impl: Impl) -> None:
    for sk in (b"", bytes(31), bytes(32), p256.N.to_bytes(32, "big"), b"\xff" * 32, bytes(33)):
        with pytest.raises(MalformedError):
            impl.p256_public_key(sk)
        with pytest.raises(MalformedError):
            impl.p256_sign(sk, b"")


def test_p256_multiply_edge_cases() -> None:
    table = p256._table(p256.GX, p256.GY, 8)
    rnd = random.Random(17)
    cases = [(0, 1), (1, 0), (1, 1), (2, p256.N - 1), (5, 5), (p256.N - 1, 1)]
    cases += [(rnd.randrange(p256.N), rnd.randrange(p256.N)) for _ in range(6)]
    for a, b in cases:
        X, Y, Z = p256._multiply(a, b, table)
        if (a + b) % p256.N == 0:
            assert Z == 0
            continue
        zi = pow(Z, -1, p256.P)
        assert (X * zi * zi % p256.P, Y * zi**3 % p256.P) == p256._base_multiply((a + b) % p256.N)


# --- compression (both curves) -------------------------------------------------------


@pytest.mark.parametrize(
    ("compress", "decompress", "prime", "public_key"),
    [
        (facade.p256_compress, facade.p256_decompress, p256.P, facade.p256_public_key),
        (
            facade.secp256k1_compress,
            facade.secp256k1_decompress,
            secp256k1.P,
            facade.secp256k1_public_key,
        ),
    ],
    ids=["p256", "secp256k1"],
)
def test_compression_validation(
    compress: Callable[[bytes], bytes],
    decompress: Callable[[bytes], bytes],
    prime: int,
    public_key: Callable[[bytes], bytes],
) -> None:
    pub = public_key(bytes(31) + b"\x05")
    short = compress(pub)
    assert len(short) == 33 and short[0] in (2, 3)
    assert decompress(short) == pub
    assert compress(short) == short
    assert decompress(pub) == pub
    other = bytes([short[0] ^ 1]) + short[1:]
    assert decompress(other)[1:33] == pub[1:33] and decompress(other) != pub
    bad = [
        b"",
        short[:-1],
        short + b"\0",
        b"\x04" + short[1:],
        b"\x01" + short[1:],
        b"\x02" + prime.to_bytes(32, "big"),  # x >= p
        pub[:-1],
        b"\x06" + pub[1:],
        pub[:-1] + bytes([pub[-1] ^ 1]),  # off the curve
        b"\x04" + bytes(64),
    ]
    # An x with no point on the curve.
    x = 1
    while True:
        try:
            decompress(b"\x02" + x.to_bytes(32, "big"))
        except MalformedError:
            bad.append(b"\x02" + x.to_bytes(32, "big"))
            break
        x += 1
    for data in bad:
        with pytest.raises(MalformedError):
            decompress(data)
        with pytest.raises(MalformedError):
            compress(data)


# --- secp256k1 ------------------------------------------------------------------------


def test_secp256k1_did_key_vectors(impl: Impl) -> None:
    seen = 0
    for did, entry in load_vector("did-key/secp256k1.json").items():
        if "seed" in entry:
            sk = bytes.fromhex(entry["seed"])
            assert b58decode(entry["verificationKeyPair"]["privateKeyBase58"]) == sk
        else:
            sk = b64url(entry["verificationKeyPair"]["privateKeyJwk"]["d"])
            jwk = entry["verificationKeyPair"]["publicKeyJwk"]
            assert impl.secp256k1_public_key(sk) == b"\x04" + b64url(jwk["x"]) + b64url(jwk["y"])
        pub = impl.secp256k1_public_key(sk)
        assert facade.secp256k1_compress(pub) == did_key_bytes(did, b"\xe7\x01")
        seen += 1
    assert seen == 6


@pytest.mark.skipif(not _native.HAVE_COINCURVE, reason="needs coincurve")
def test_secp256k1_random_against_coincurve() -> None:
    import coincurve

    rnd = random.Random(19)
    for i in range(60):
        sk = rnd.randbytes(32)
        h = rnd.randbytes(32)
        key = coincurve.PrivateKey(sk)
        pub = key.public_key.format(compressed=False)
        ref = key.sign_recoverable(h, hasher=None)
        assert secp256k1.public_key(sk) == pub
        assert secp256k1.sign_recoverable(sk, h) == (ref[:64], ref[64]), i
        assert secp256k1.recover(h, ref[:64], ref[64]) == pub
        assert secp256k1.compress(pub) == key.public_key.format(compressed=True)
        # High-S twin (recovery id flips): same key, both paths.
        s = int.from_bytes(ref[32:64], "big")
        twin = ref[:32] + (secp256k1.N - s).to_bytes(32, "big")
        assert (
            secp256k1.recover(h, twin, ref[64] ^ 1)
            == pub
            == _native.secp256k1_recover(h, twin, ref[64] ^ 1)
        )
        # Arbitrary (r, s, recid): both paths agree, including on failure.
        r = rnd.randrange(1, secp256k1.N).to_bytes(32, "big")
        sig = r + rnd.randrange(1, secp256k1.N).to_bytes(32, "big")
        recid = rnd.randrange(2)
        assert _recover_or_none(secp256k1.recover, h, sig, recid) == _recover_or_none(
            _native.secp256k1_recover, h, sig, recid
        )


def _recover_or_none(
    fn: Callable[[bytes, bytes, int], bytes], h: bytes, sig: bytes, recid: int
) -> bytes | None:
    try:
        return fn(h, sig, recid)
    except InvalidSignatureError:
        return None


def test_secp256k1_recovery_ids_2_and_3(impl: Impl) -> None:
    """r + n as the x coordinate (only possible for r < p - n)."""
    n = secp256k1.N
    r = next(r for r in range(1, 10_000) if secp256k1._lift_x(r + n, 0) is not None)
    sig = r.to_bytes(32, "big") + (12345).to_bytes(32, "big")
    h = hashlib.sha256(b"x").digest()
    for recid in (2, 3):
        q = impl.secp256k1_recover(h, sig, recid)
        assert q == secp256k1.recover(h, sig, recid)
        assert q != secp256k1.recover(h, sig, recid - 2)
    # r + n >= p: no point for recovery ids 2 and 3.
    big_r = (secp256k1.P - n).to_bytes(32, "big")
    with pytest.raises(InvalidSignatureError):
        impl.secp256k1_recover(h, big_r + sig[32:], 2)


def test_secp256k1_recover_errors(impl: Impl) -> None:
    h = bytes(32)
    one = (1).to_bytes(32, "big")
    n = secp256k1.N.to_bytes(32, "big")
    no_point = next(x for x in range(1, 10_000) if secp256k1._lift_x(x, 0) is None).to_bytes(
        32, "big"
    )
    for sig, recid in [
        (bytes(32) + one, 0),
        (one + bytes(32), 0),
        (n + one, 0),
        (one + n, 1),
        (b"\xff" * 64, 0),
        (one + one, 4),
        (one + one, -1),
        (one + one[:-1], 0),
        (one + one + b"\0", 0),
        (no_point + one, 0),
    ]:
        with pytest.raises(InvalidSignatureError):
            impl.secp256k1_recover(h, sig, recid)
    with pytest.raises(MalformedError):
        impl.secp256k1_recover(bytes(31), one + one, 0)


def test_secp256k1_recover_zero_hash(impl: Impl) -> None:
    """z = 0 makes u1 = 0: only the R half of the multiplication runs."""
    sk = bytes(31) + b"\x03"
    sig, recid = impl.secp256k1_sign_recoverable(sk, bytes(32))
    assert impl.secp256k1_recover(bytes(32), sig, recid) == impl.secp256k1_public_key(sk)


def test_secp256k1_bad_private_keys(impl: Impl) -> None:
    n = secp256k1.N.to_bytes(32, "big")
    for sk in (b"", bytes(31), bytes(32), n, b"\xff" * 32):
        with pytest.raises(MalformedError):
            impl.secp256k1_public_key(sk)
        with pytest.raises(MalformedError):
            impl.secp256k1_sign_recoverable(sk, bytes(32))
    with pytest.raises(MalformedError):
        impl.secp256k1_sign_recoverable(bytes(31) + b"\x01", bytes(31))


def test_secp256k1_glv_split() -> None:
    n = secp256k1.N
    rnd = random.Random(23)
    ks = [0, 1, 2, n - 1, n - 2, secp256k1._LAMBDA, n - secp256k1._LAMBDA, n >> 1, (n >> 1) + 1]
    ks += [rnd.randrange(n) for _ in range(200)]
    for k in ks:
        k1, k2 = secp256k1._split(k)
        assert (k1 + k2 * secp256k1._LAMBDA - k) % n == 0
        assert abs(k1) < 2**129 and abs(k2) < 2**129


def test_secp256k1_multiply_edge_cases() -> None:
    """u1*G + u2*R with R = G hits the doubling and infinity branches of the addition."""
    g = secp256k1._odd_multiples(secp256k1.GX, secp256k1.GY, 8)
    lg = secp256k1._endo(g)
    tables = ((g, secp256k1._negated(g)), (lg, secp256k1._negated(lg)))
    n = secp256k1.N
    rnd = random.Random(29)
    cases = [(0, 1), (1, 0), (1, 1), (3, 3), (2, n - 1), (n - 1, 1), (7, n - 7)]
    cases += [(rnd.randrange(n), rnd.randrange(n)) for _ in range(6)]
    for a, b in cases:
        got = secp256k1._multiply(a, b, tables)
        expected = secp256k1._multiply((a + b) % n) if (a + b) % n else None
        assert got == expected, (a, b)


def test_secp256k1_lambda_is_the_endomorphism() -> None:
    pt = secp256k1._multiply(secp256k1._LAMBDA)
    assert pt == (secp256k1._BETA * secp256k1.GX % secp256k1.P, secp256k1.GY)
