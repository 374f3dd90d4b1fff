"""Passkey (``webauthn:p256``) CACAOs on CPython: the key-webauthn 2.0.2 vectors, CACAOs
signed by a software authenticator holding a public test key (the real WebAuthn message,
DER signatures), and every way to break one. Signature checks run on the pure and the
native (``cryptography``) P-256 back ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from did_session import crypto, errors
from did_session import webauthn as wa
from did_session.cacao import Cacao
from did_session.codecs import dag_cbor
from did_session.codecs.bases import b64url_decode, b64url_encode
from did_session.crypto import _native, p256

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "webauthn" / "key-webauthn-2.0.2.json").read_text()
)
N = p256.N
# A public test key (RFC 6979 A.2.5's P-256 private key): never a real credential.
TEST_KEY = bytes.fromhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
OTHER_KEY = bytes.fromhex("00" * 31 + "07")
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
DOMAIN = "app.example.org"
ORIGIN = "https://app.example.org"


@pytest.fixture(
    params=["pure", pytest.param("native", marks=pytest.mark.skipif(
        not _native.HAVE_CRYPTOGRAPHY, reason="needs cryptography"))],
)  # fmt: skip
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """verify_webauthn_cacao with the pure or the native P-256 verification."""
    impl = p256.verify if request.param == "pure" else _native.p256_verify
    monkeypatch.setattr(crypto, "_p256_verify", impl)
    return str(request.param)


# --- a software authenticator ------------------------------------------------------------


@dataclass
class Assertion:
    """What ``navigator.credentials.get`` returns, made by a software authenticator."""

    private_key: bytes = TEST_KEY
    rp_id: str = DOMAIN
    origin: str = ORIGIN
    flags: int = wa.FLAG_UP | wa.FLAG_UV
    counter: int = 7
    client_type: str = "webauthn.get"
    extra_client: dict[str, Any] = field(default_factory=dict)

    def sign(self, challenge: bytes) -> tuple[bytes, bytes, bytes]:
        auth_data = crypto.sha256(self.rp_id.encode()) + bytes([self.flags])
        auth_data += self.counter.to_bytes(4, "big")
        client = {
            "type": self.client_type,
            "challenge": b64url_encode(challenge),
            "origin": self.origin,
            "crossOrigin": False,
            **self.extra_client,
        }
        client_data_json = json.dumps(client, separators=(",", ":")).encode()
        raw = crypto.p256_sign(self.private_key, auth_data + crypto.sha256(client_data_json))
        return crypto.p256_der_encode(raw), auth_data, client_data_json


def did_of(private_key: bytes) -> str:
    return wa.did_for_public_key(crypto.p256_public_key(private_key))


def payload(**changes: Any) -> dict[str, Any]:
    """A payload as key-webauthn writes it (no iss yet, no statement)."""
    p = {
        "domain": DOMAIN,
        "aud": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "version": "1",
        "nonce": "uHbLdMp9dDQ",
        "resources": ["ceramic://*"],
        "exp": "2026-01-08T00:00:00.000Z",
        "nbf": "2026-01-01T00:00:00.000Z",
        "iat": "2026-01-01T00:00:00.000Z",
    }
    p.update(changes)
    return {k: v for k, v in p.items() if v is not None}


def make(
    authenticator: Assertion | None = None,
    *,
    p: dict[str, Any] | None = None,
    iss: str | None = None,
    challenge: bytes | None = None,
) -> Cacao:
    authenticator = authenticator or Assertion()
    p = p or payload()
    der, auth_data, cdj = authenticator.sign(challenge or wa.challenge_for(p))
    return wa.build_cacao(p, iss or did_of(authenticator.private_key), der, auth_data, cdj)


def with_signature_fields(cacao: Cacao, **s: Any) -> dict[str, Any]:
    j = cacao.to_json()
    j["s"].update(s)
    return j


def with_aad(cacao: Cacao, **fields: bytes) -> dict[str, Any]:
    aad = dag_cbor.decode(cacao.to_json()["s"]["m"]["aad"])
    aad.update(fields)
    return with_signature_fields(cacao, m={"aad": dag_cbor.encode(aad)})


def resigned(cacao: Cacao, auth_data: bytes, cdj: bytes, key: bytes = TEST_KEY) -> dict[str, Any]:
    """The CACAO with another authData / clientDataJSON, signed again by ``key``: only the
    check under test can refuse it."""
    raw = crypto.p256_sign(key, auth_data + crypto.sha256(cdj))
    j = with_aad(cacao, authData=auth_data, clientDataJSON=cdj)
    j["s"]["s"] = b64url_encode(crypto.p256_der_encode(raw))
    return j


def verify(cacao: Cacao | dict[str, Any], **options: Any) -> wa.WebAuthnAssertion:
    options.setdefault("at_time", NOW + 60)
    return wa.verify_webauthn_cacao(cacao, **options)


# --- the key-webauthn vectors ----------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["attestation_public_key"], ids=lambda c: c["test"])
def test_vector_attestation_object_public_key(case: dict[str, str]) -> None:
    att = wa.parse_attestation_object(bytes.fromhex(case["attestation_object"]))
    assert att.fmt == "none" and att.att_stmt == {}
    assert att.auth_data.public_key is not None
    assert att.auth_data.public_key.hex() == case["public_key"]
    assert att.auth_data.rp_id_hash == att.auth_data.raw[:32]


@pytest.mark.parametrize("case", VECTORS["verify"], ids=lambda c: c["test"])
def test_vector_verify_and_recover(case: dict[str, Any], backend: str) -> None:
    created = wa.parse_authenticator_data(bytes.fromhex(case["create_authenticator_data"]))
    assert created.credential_id is not None and created.public_key is not None
    assert created.credential_id.hex() == case["credential_id"]
    assert created.extensions == {"credProtect": 2}
    assert created.rp_id_hash == crypto.sha256(b"localhost")
    der = bytes.fromhex(case["signature_der"])
    auth_data = bytes.fromhex(case["get_authenticator_data"])
    cdj = bytes.fromhex(case["client_data_json"])
    message = auth_data + crypto.sha256(cdj)
    rs = crypto.p256_der_decode(der)
    assert crypto.p256_verify(created.public_key, message, rs) is case["valid"]
    assert crypto.p256_der_encode(rs) == der
    # key-webauthn's recoverPublicKeys: the credential's key is one of the two.
    candidates = wa.recover_candidate_dids(der, auth_data, cdj)
    assert len(candidates) == 2
    assert wa.did_for_public_key(created.public_key) in candidates
    client = wa.parse_client_data(cdj)
    assert b64url_decode(client["challenge"]) == bytes(range(32))
    assert client["origin"] == "http://localhost:8000"
    # The same signature over any other byte does not verify.
    assert not crypto.p256_verify(created.public_key, message[:-1] + b"\x00", rs)


# --- valid CACAOs -----------------------------------------------------------------------------


def test_valid_cacao(backend: str) -> None:
    cacao = make()
    result = verify(cacao)
    assert result.public_key == crypto.p256_compress(crypto.p256_public_key(TEST_KEY))
    assert result.authenticator_data.sign_count == 7
    assert cacao.payload.iss.startswith("did:key:zDn")
    assert cacao.header_type == "caip122" and cacao.signature_type == "webauthn:p256"
    # The JSON and the block round-trip and still verify (what is stored and sent).
    assert verify(Cacao.from_json(cacao.to_json())) == result
    assert verify(Cacao.from_block(cacao.block)) == result


def test_challenge_is_cid_of_cacao_without_iss_and_s() -> None:
    cacao = make()
    j = cacao.to_json()
    del j["p"]["iss"], j["s"]
    block = dag_cbor.encode(j)
    from did_session.codecs.cid import CID

    assert wa.challenge_for(payload()) == CID.from_block(block).bytes
    assert len(wa.challenge_for(payload())) == 36  # CIDv1 dag-cbor sha2-256


def test_recover_candidates_contains_signer() -> None:
    der, auth_data, cdj = Assertion().sign(b"\x01" * 32)
    assert did_of(TEST_KEY) in wa.recover_candidate_dids(der, auth_data, cdj)


def test_high_s_accepted_like_js_rust_and_webcrypto(backend: str) -> None:
    cacao = make()
    rs = crypto.p256_der_decode(b64url_decode(cacao.signature))
    s = int.from_bytes(rs[32:], "big")
    flipped = rs[:32] + (N - s).to_bytes(32, "big")
    j = with_signature_fields(cacao, s=b64url_encode(crypto.p256_der_encode(flipped)))
    verify(j)  # one of the two S values is high: both verify
    assert min(s, N - s) <= N // 2 < max(s, N - s)


def test_user_verification_when_required(backend: str) -> None:
    verify(make(Assertion(flags=wa.FLAG_UP)))  # UV not asked for
    with pytest.raises(errors.WebAuthnFlagsError, match="UV"):
        verify(make(Assertion(flags=wa.FLAG_UP)), require_user_verification=True)
    verify(make(), require_user_verification=True)


def test_relying_party_options(backend: str) -> None:
    cacao = make(Assertion(rp_id="example.org"))
    with pytest.raises(errors.WebAuthnRelyingPartyError):
        verify(cacao)  # default RP id: the CACAO domain
    verify(cacao, rp_id="example.org")
    verify(cacao, rp_id=["other.org", "example.org"])
    with pytest.raises(errors.WebAuthnClientDataError):
        verify(cacao, expected_origins=["https://elsewhere.example.org"])
    verify(cacao, expected_origins=[ORIGIN], rp_id="example.org")


def test_loopback_origin_over_http(backend: str) -> None:
    verify(
        make(
            Assertion(rp_id="localhost", origin="http://localhost:8000"),
            p=payload(domain="localhost"),
        )
    )
    with pytest.raises(errors.WebAuthnClientDataError):  # plain http elsewhere
        verify(make(Assertion(origin="http://app.example.org")))


def test_times_checked() -> None:
    cacao = make()
    with pytest.raises(errors.CapabilityExpiredError):
        verify(cacao, at_time=NOW + 8 * 86400)
    with pytest.raises(errors.CapabilityNotYetValidError):
        verify(cacao, at_time=NOW - 3600)
    verify(cacao, at_time=NOW + 8 * 86400, disable_expiration_check=True)


# --- adversarial ------------------------------------------------------------------------------


def _flip_bit(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_tampered_auth_data_counter(backend: str) -> None:
    cacao = make()
    auth_data = dag_cbor.decode(cacao.to_json()["s"]["m"]["aad"])["authData"]
    with pytest.raises(errors.WebAuthnSignatureError, match="does not verify"):
        verify(with_aad(cacao, authData=_flip_bit(auth_data, 36)))


def test_tampered_client_data(backend: str) -> None:
    cacao = make()
    cdj = dag_cbor.decode(cacao.to_json()["s"]["m"]["aad"])["clientDataJSON"]
    tampered = cdj.replace(b'"crossOrigin":false', b'"crossOrigin":false ')
    with pytest.raises(errors.WebAuthnSignatureError):
        verify(with_aad(cacao, clientDataJSON=tampered))


ChallengeError = errors.WebAuthnChallengeError


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"domain": "evil.example.org"}, errors.WebAuthnChallengeError),
        ({"resources": ["ceramic://*", "extra"]}, errors.WebAuthnChallengeError),
        ({"exp": "2027-01-08T00:00:00.000Z"}, errors.WebAuthnChallengeError),
        ({"aud": "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"}, ChallengeError),
        ({"statement": "hello"}, errors.WebAuthnFormatError),
        ({"requestId": "r1"}, errors.WebAuthnFormatError),
    ],
)  # fmt: skip
def test_payload_changed_after_signing(change: dict[str, Any], error: type[Exception]) -> None:
    j = make().to_json()
    j["p"].update(change)
    with pytest.raises(error):
        verify(j)


def test_another_challenge_signed(backend: str) -> None:
    with pytest.raises(errors.WebAuthnChallengeError):
        verify(make(challenge=wa.challenge_for(payload(nonce="other"))))
    with pytest.raises(errors.WebAuthnChallengeError):
        verify(make(challenge=b"\x00" * 32))


ClientDataError = errors.WebAuthnClientDataError


@pytest.mark.parametrize(
    ("authenticator", "error", "match"),
    [
        (Assertion(client_type="webauthn.create"), ClientDataError, "type"),
        (Assertion(client_type="payment.get"), ClientDataError, "type"),
        (Assertion(origin="https://evil.example.org"), ClientDataError, "origin"),
        (Assertion(origin="https://app.example.org.evil.com"), ClientDataError, "origin"),
        (Assertion(origin="https://app.example.org/path"), ClientDataError, "origin"),
        (Assertion(origin="https://APP.example.org"), ClientDataError, "origin"),
        (Assertion(origin="app.example.org"), ClientDataError, "origin"),
        (Assertion(extra_client={"crossOrigin": True}), ClientDataError, "cross-origin"),
        (Assertion(extra_client={"crossOrigin": "no"}), errors.WebAuthnFormatError, "crossOrigin"),
        (Assertion(rp_id="evil.example.org"), errors.WebAuthnRelyingPartyError, "rpIdHash"),
        (Assertion(rp_id="example.org"), errors.WebAuthnRelyingPartyError, "rpIdHash"),
        (Assertion(flags=wa.FLAG_UV), errors.WebAuthnFlagsError, "presence"),
        (Assertion(flags=0), errors.WebAuthnFlagsError, "presence"),
        (Assertion(flags=wa.FLAG_UP | wa.FLAG_BS), errors.WebAuthnFlagsError, "backed-up"),
        (Assertion(flags=wa.FLAG_UP | wa.FLAG_AT), errors.WebAuthnFormatError, "attested"),
        (Assertion(flags=wa.FLAG_UP | wa.FLAG_ED), errors.WebAuthnFormatError, "extensions"),
    ],
)  # fmt: skip
def test_refused_assertions(
    authenticator: Assertion, error: type[Exception], match: str, backend: str
) -> None:
    """Each CACAO is correctly signed over what it carries: only the check fails."""
    with pytest.raises(error, match=match):
        verify(make(authenticator))


def test_issuer_is_another_key(backend: str) -> None:
    with pytest.raises(errors.WebAuthnSignatureError, match="does not verify"):
        verify(make(iss=did_of(OTHER_KEY)))
    # A passkey signing for an issuer that is not P-256 at all.
    ed = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    with pytest.raises(errors.WebAuthnFormatError, match="P-256"):
        verify(make(iss=ed))
    with pytest.raises(errors.WebAuthnFormatError, match="did:key"):
        verify(make(iss="did:pkh:eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"))


def test_signed_by_another_key_claiming_ours(backend: str) -> None:
    """A key that re-signs the (tampered) assertion is not the issuer's."""
    cacao = make()
    aad = dag_cbor.decode(cacao.to_json()["s"]["m"]["aad"])
    with pytest.raises(errors.WebAuthnSignatureError):
        verify(resigned(cacao, aad["authData"], aad["clientDataJSON"], key=OTHER_KEY))


def test_resigned_but_wrong_rp_and_flags(backend: str) -> None:
    cacao = make()
    aad = dag_cbor.decode(cacao.to_json()["s"]["m"]["aad"])
    up_cleared = bytes([aad["authData"][32] & ~wa.FLAG_UP])
    no_up = aad["authData"][:32] + up_cleared + aad["authData"][33:]
    with pytest.raises(errors.WebAuthnFlagsError):
        verify(resigned(cacao, no_up, aad["clientDataJSON"]))
    other_rp = crypto.sha256(b"evil.example.org") + aad["authData"][32:]
    with pytest.raises(errors.WebAuthnRelyingPartyError):
        verify(resigned(cacao, other_rp, aad["clientDataJSON"]))
    verify(resigned(cacao, aad["authData"], aad["clientDataJSON"]))  # control: valid


def _der_variants(der: bytes) -> Iterator[tuple[str, bytes]]:
    r_len = der[3]
    r = der[4 : 4 + r_len]
    s = der[6 + r_len :]
    yield "trailing byte", der + b"\x00"
    yield "truncated", der[:-1]
    yield "long-form sequence length", b"\x30\x81" + bytes([der[1]]) + der[2:]
    yield "wrong sequence length", b"\x30" + bytes([der[1] + 1]) + der[2:] + b"\x00"
    yield "padded r", b"\x30" + bytes([der[1] + 1, 2, r_len + 1, 0]) + r + der[4 + r_len :]
    yield "negative s", der[: 6 + r_len] + bytes([s[0] | 0x80]) + s[1:]
    yield "not a sequence", b"\x31" + der[1:]
    yield "r is not an integer", der[:2] + b"\x04" + der[3:]
    yield "raw r || s", crypto.p256_der_decode(der)
    yield "empty", b""
    zero = b"\x02\x01\x00"
    yield "s = 0", b"\x30" + bytes([2 + r_len + 3, 2, r_len]) + r + zero
    n = N.to_bytes(32, "big")
    yield "s = n", b"\x30" + bytes([2 + r_len + 35, 2, r_len]) + r + b"\x02\x21\x00" + n


def test_malformed_der_refused(backend: str) -> None:
    cacao = make()
    der = b64url_decode(cacao.signature)
    seen = 0
    for name, bad in _der_variants(der):
        with pytest.raises(errors.WebAuthnSignatureError, match=r"DER|verify") as info:
            verify(with_signature_fields(cacao, s=b64url_encode(bad)))
        assert isinstance(info.value, errors.InvalidSignatureError), name
        seen += 1
    assert seen == 12
    for bad_text in ("", "!!", cacao.signature + "=", cacao.signature.replace("-", "+")):
        if bad_text == cacao.signature:
            continue
        with pytest.raises(errors.WebAuthnSignatureError):
            verify(with_signature_fields(cacao, s=bad_text))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda j: j["s"].pop("m"),
        lambda j: j["s"].update(m={"aad": "not bytes"}),
        lambda j: j["s"].update(m={"aad": b"\xa0", "x": 1}),
        lambda j: j["s"].update(m={"aad": b"\xff"}),
        lambda j: j["s"].update(m={"aad": dag_cbor.encode({"authData": b"x"})}),
        lambda j: j["s"].update(m={"aad": dag_cbor.encode([b"x", b"y"])}),
        lambda j: j["s"].update(x=1),
        lambda j: j["h"].update(t="eip4361"),
        lambda j: j["s"].update(t="eip191"),
    ],
)
def test_malformed_structure(mutate: Callable[[dict[str, Any]], Any]) -> None:
    j = make().to_json()
    mutate(j)
    with pytest.raises(errors.DIDSessionError) as info:
        verify(j)
    assert isinstance(info.value, (errors.WebAuthnFormatError, errors.CacaoError))


def test_aad_with_extra_field_refused() -> None:
    cacao = make()
    with pytest.raises(errors.WebAuthnFormatError, match="aad"):
        verify(with_aad(cacao, extra=b"x"))


@pytest.mark.parametrize(
    "cdj",
    [
        b'{"type":"webauthn.get","type":"webauthn.get","challenge":"","origin":"x"}',
        b"[1]",
        b"\xff",
        b'{"type":"webauthn.get","origin":"x"}',
        b'{"type":1,"challenge":"","origin":"x"}',
        b"",
    ],
)
def test_malformed_client_data(cdj: bytes, backend: str) -> None:
    cacao = make()
    auth_data = dag_cbor.decode(cacao.to_json()["s"]["m"]["aad"])["authData"]
    with pytest.raises(errors.WebAuthnFormatError):
        verify(resigned(cacao, auth_data, cdj))


# --- parsers -------------------------------------------------------------------------------------


def _vector_attestation() -> bytes:
    return bytes.fromhex(VECTORS["attestation_public_key"][0]["attestation_object"])


def test_attestation_object_strict() -> None:
    good = _vector_attestation()
    with pytest.raises(errors.WebAuthnFormatError):
        wa.parse_attestation_object(good + b"\x00")
    with pytest.raises(errors.WebAuthnFormatError):
        wa.parse_attestation_object(good[:-1])
    auth_data = wa.parse_attestation_object(good).auth_data.raw
    with pytest.raises(errors.WebAuthnFormatError, match="trailing"):
        wa.parse_authenticator_data(auth_data + b"\x00")
    no_at = auth_data[:32] + bytes([auth_data[32] & ~wa.FLAG_AT]) + auth_data[33:37]
    with pytest.raises(errors.WebAuthnFormatError, match="attested"):
        wa.parse_attestation_object(
            dag_cbor.encode({"fmt": "none", "attStmt": {}, "authData": no_at})
        )


@pytest.mark.parametrize(
    ("cose", "match"),
    [
        ({1: 1, 3: -8, -1: 6, -2: b"\x00" * 32}, "EC2"),  # Ed25519 (OKP)
        ({1: 3, 3: -257, -1: b"n", -2: b"e"}, "EC2"),  # RSA
        ({1: 2, 3: -7, -1: 2, -2: b"\x01" * 32, -3: b"\x01" * 32}, "P-256"),  # P-384 crv
        ({1: 2, 3: -7, -1: 1, -2: b"\x01" * 32, -3: b"\x01" * 32}, "invalid"),  # off curve
        ({1: 2, 3: -7, -1: 1, -2: b"\x01" * 31, -3: b"\x01" * 32}, "32-byte"),
        ([1, 2], "COSE map"),
    ],
)
def test_cose_keys_refused(cose: Any, match: str) -> None:
    with pytest.raises(errors.WebAuthnFormatError, match=match):
        wa.cose_p256_public_key(cose)


def test_ctap2_cbor_mode() -> None:
    cose = bytes.fromhex("a5010203262001215820") + b"\x01" * 32 + b"\x22\x58\x20" + b"\x02" * 32
    value, end = dag_cbor.decode_ctap2(cose + b"tail")
    assert end == len(cose) and value[1] == 2 and value[-3] == b"\x02" * 32
    with pytest.raises(errors.CBORError):
        dag_cbor.decode(cose)  # integer keys: not DAG-CBOR
    with pytest.raises(errors.CBORError, match="order"):
        dag_cbor.decode_ctap2(bytes.fromhex("a203260102"))  # keys 3, 1: not canonical
    with pytest.raises(errors.CBORError, match="duplicate"):
        dag_cbor.decode_ctap2(bytes.fromhex("a201020102"))
    with pytest.raises(errors.CBORError, match="truncated"):
        dag_cbor.decode_ctap2(bytes.fromhex("a20102"))


def test_recovery_matches_signer_and_rejects_garbage() -> None:
    for i in range(1, 9):
        key = i.to_bytes(32, "big")
        digest = crypto.sha256(bytes([i]))
        rs = p256.sign(key, bytes([i]))
        got = {crypto.p256_recover(digest, rs, recid) for recid in (0, 1)}
        assert crypto.p256_compress(crypto.p256_public_key(key)) in got
    assert crypto.p256_recover(b"\x00" * 32, b"\x00" * 64, 0) is None
    with pytest.raises(errors.MalformedError):
        crypto.p256_recover(b"\x00" * 31, b"\x01" * 64, 0)
    with pytest.raises(errors.MalformedError):
        crypto.p256_recover(b"\x00" * 32, b"\x01" * 64, 2)
