"""CACAO: JSON / block / CID conformance, EIP-191 verification, tampering, time rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from did_session import Cacao, SiweMessage, TimePolicy
from did_session._time import format_iso_ms, parse_rfc3339
from did_session.cacao import DEFAULT_CLOCK_SKEW_SECS
from did_session.errors import (
    CacaoError,
    CapabilityExpiredError,
    CapabilityNotYetValidError,
    InvalidSignatureError,
    UnsupportedSignatureTypeError,
)
from did_session.eth import sign_personal_message
from tests.conftest import load_vector
from tests.wallet import HARDHAT_0

JSDID = load_vector("ceramic-js-did/cacao_session_jws_vectors.json")
REF = load_vector("did-session-js/reference-sessions.json")
REF_CACAO = REF["deterministic"]["ten_years"]["cacao"]


def test_js_did_cacao_block_vector() -> None:
    v = JSDID["cacao_siwe_block"]
    cacao = Cacao.from_json(v["value"])
    assert cacao.block.hex() == v["dag_cbor_hex"]
    assert len(cacao.block) == 549
    assert cacao.cid == v["cid"] == "bafyreibaql5vt75krup6nazwid5yccoxodo7pqvreszapxlh56ovkhyazm"
    assert Cacao.from_block(cacao.block) == cacao
    cacao.verify_signature()  # issued 2021: an EIP-55 iss, the pre-2022-09-20 rules apply
    assert cacao.to_siwe_message().to_message() == v["eip4361_message_signed_reconstructed"]


def test_legacy_did_session_snapshot_cacao_verifies() -> None:
    # The upstream snapshot's resources start with a backtick: not RFC 3986, but signed
    # by the JS library, so its signature must still be checked (relaxed re-rendering).
    v = JSDID["did_session_serialized"]
    cacao = Cacao.from_json(v["decoded"]["cacao"])
    assert cacao.cid == v["cacao_cid_computed_locally"]
    cacao.verify_signature()


@pytest.mark.parametrize("name", ["default_expiry", "ten_years"])
def test_reference_cacao_json_roundtrip_and_siwe(name: str) -> None:
    c = REF["deterministic"][name]
    cacao = Cacao.from_json(c["cacao"])
    assert cacao.to_json() == c["cacao"]
    assert list(cacao.to_json()["p"]) == list(c["cacao"]["p"])  # JS key order
    assert cacao.cid == c["cacaoCid"]["cid"]
    msg = cacao.to_siwe_message()
    assert msg.to_message(style="js", address=cacao.address) == c["siweMessageFromCacao"]
    assert msg.to_message(style="js") == c["siweMessageFromCacaoEip55"]
    cacao.verify(at_time=parse_rfc3339(c["cacao"]["p"]["iat"]))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("p", "domain"), "evil.example"),
        (("p", "iat"), "2025-01-01T00:00:00.001Z"),
        (("p", "iss"), "did:pkh:eip155:1:0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
        (("p", "iss"), "did:pkh:eip155:5:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
        (("p", "aud"), "did:key:z6MktvqCyLxTsXUH1tUZncNdVeEZ7hNh7npPRbUU27GTrYb8"),
        (("p", "nonce"), "refjsNoncf"),
        (("p", "exp"), "2099-12-30T00:00:00.000Z"),
        (("p", "statement"), "Give this application access to all of your data"),
        (("p", "resources"), ["ceramic://*", "ceramic://more"]),
        (("p", "resources"), ["ceramic://x"]),
        (("p", "nbf"), "2025-01-01T00:00:00.000Z"),
        (("p", "requestId"), "r1"),
        (("s", "s"), "0x" + "11" * 65),
    ],
)
def test_every_tampered_field_fails(path: tuple[str, str], value: Any) -> None:
    data = copy.deepcopy(REF_CACAO)
    data[path[0]][path[1]] = value
    with pytest.raises(InvalidSignatureError):
        Cacao.from_json(data).verify_signature()


def test_signature_v_values_and_high_s() -> None:
    cacao = Cacao.from_json(REF_CACAO)
    sig = bytes.fromhex(REF_CACAO["s"]["s"][2:])
    for v in (sig[64] - 27, sig[64]):  # 0/1 and 27/28 both accepted
        data = copy.deepcopy(REF_CACAO)
        data["s"]["s"] = "0x" + (sig[:64] + bytes([v])).hex()
        Cacao.from_json(data).verify_signature()
    for v in (2, 26, 29, 35, 255):
        data = copy.deepcopy(REF_CACAO)
        data["s"]["s"] = "0x" + (sig[:64] + bytes([v])).hex()
        with pytest.raises(InvalidSignatureError):
            Cacao.from_json(data).verify_signature()
    # High-S twin (s' = n - s, v flipped) recovers the same address: Ethereum's ecrecover
    # accepts it for personal messages, and so do we (documented in SECURITY.md).
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(sig[32:64], "big")
    twin = sig[:32] + (n - s).to_bytes(32, "big") + bytes([27 + ((sig[64] - 27) ^ 1)])
    data = copy.deepcopy(REF_CACAO)
    data["s"]["s"] = "0x" + twin.hex()
    Cacao.from_json(data).verify_signature()
    assert cacao.cid != Cacao.from_json(data).cid


def test_unknown_signature_and_header_types() -> None:
    data = copy.deepcopy(REF_CACAO)
    data["s"]["t"] = "eip1271"
    with pytest.raises(UnsupportedSignatureTypeError):
        Cacao.from_json(data).verify()
    data = copy.deepcopy(REF_CACAO)
    data["h"]["t"] = "caip122"
    Cacao.from_json(data)  # accepted header type (its CID differs, its signature too)
    for bad_header in ("eip4362", "", None):
        data["h"]["t"] = bad_header
        with pytest.raises(CacaoError):
            Cacao.from_json(data)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("s"),
        lambda d: d["p"].pop("iat"),
        lambda d: d["p"].update(version=1),
        lambda d: d["p"].update(resources="ceramic://*"),
        lambda d: d["p"].update(resources=[1]),
        lambda d: d["p"].update(extra="x"),
        lambda d: d["p"].update(iss=["x"]),
        lambda d: d["p"].update(domain="x" * 10_000),
        lambda d: d["p"].update(resources=["r"] * 2000),
    ],
)
def test_malformed_cacao_json(mutate: Any) -> None:
    data = copy.deepcopy(REF_CACAO)
    mutate(data)
    with pytest.raises(CacaoError):
        Cacao.from_json(data)


@pytest.mark.parametrize("field", ["iat", "exp", "nbf"])
@pytest.mark.parametrize(
    "bad", ["", "yesterday", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "NaN"]
)
def test_malformed_times_fail_closed(field: str, bad: str) -> None:
    data = copy.deepcopy(REF_CACAO)
    data["p"][field] = bad
    with pytest.raises(CacaoError):
        Cacao.from_json(data).verify(at_time=parse_rfc3339("2025-01-02T00:00:00Z"))


def _signed(**fields: Any) -> Cacao:
    base: dict[str, Any] = {
        "domain": "example.org",
        "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "uri": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
        "version": "1",
        "chain_id": 1,
        "nonce": "abcdefgh12",
        "issued_at": "2030-01-01T00:00:00.000Z",
        "statement": "Sign in",
        "resources": ["ceramic://*"],
    }
    base.update(fields)
    msg = SiweMessage(**base)
    sig = sign_personal_message(bytes.fromhex(HARDHAT_0[2:]), msg.to_message(style="js"))
    return Cacao.from_siwe_message(msg, sig)


def test_time_window_boundaries_to_the_second() -> None:
    iat = parse_rfc3339("2030-01-01T00:00:00Z")
    exp = iat + 3600
    cacao = _signed(expiration_time=format_iso_ms(exp), not_before=format_iso_ms(iat + 600))
    skew = DEFAULT_CLOCK_SKEW_SECS
    # not before: valid from nbf - skew on (the boundary second itself is valid)
    with pytest.raises(CapabilityNotYetValidError):
        cacao.verify(at_time=iat + 600 - skew - 0.001)
    cacao.verify(at_time=iat + 600 - skew)
    # expiry: valid up to exp + skew inclusive
    cacao.verify(at_time=exp + skew)
    with pytest.raises(CapabilityExpiredError):
        cacao.verify(at_time=exp + skew + 0.001)
    cacao.verify(at_time=exp + skew + 50, time_policy=TimePolicy(revocation_phaseout_secs=60))
    cacao.verify(at_time=exp + 10_000, disable_expiration_check=True)
    cacao.verify(
        at_time=exp + 1, time_policy=TimePolicy(clock_skew_secs=0, revocation_phaseout_secs=1)
    )
    with pytest.raises(CapabilityExpiredError):
        cacao.verify(at_time=exp + 0.5, time_policy=TimePolicy(clock_skew_secs=0))
    # issued-at in the future beyond the skew
    fresh = _signed()
    with pytest.raises(CapabilityNotYetValidError):
        fresh.verify(at_time=iat - skew - 1)
    fresh.verify(at_time=iat - skew)
    fresh.verify(time_policy=TimePolicy(clock=lambda: iat + 1))


def test_statement_js_accepts_but_abnf_does_not() -> None:
    # The JS library signs any statement; a relaxed re-rendering verifies it.
    iat = "2030-01-01T00:00:00.000Z"
    msg = SiweMessage(
        strict=False,
        domain="example.org",
        address="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        uri="did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
        version="1",
        chain_id=1,
        nonce="abcdefgh12",
        issued_at=iat,
        statement='Say "hi" at 100% of ceramic',
        resources=["ceramic://*"],
    )
    sig = sign_personal_message(bytes.fromhex(HARDHAT_0[2:]), msg.to_message(style="js"))
    Cacao.from_siwe_message(msg, sig).verify(at_time=parse_rfc3339(iat))


def test_no_statement_both_renderings_verify() -> None:
    iat = parse_rfc3339("2030-01-01T00:00:00Z")
    for style in ("js", "eip4361"):
        msg = SiweMessage(
            domain="example.org",
            address="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            uri="did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
            version="1",
            chain_id=1,
            nonce="abcdefgh12",
            issued_at=format_iso_ms(iat),
        )
        sig = sign_personal_message(bytes.fromhex(HARDHAT_0[2:]), msg.to_message(style=style))
        Cacao.from_siwe_message(msg, sig).verify(at_time=iat)
