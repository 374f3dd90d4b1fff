"""Sessions made by the real npm did-session 4.0.0, reproduced and loaded on CPython.

../shared/vectors/did-session-js/reference-sessions.json was produced by the JS library
with a fixed seed, clock, nonce and test wallet (Hardhat #0). With the same inputs our
``authorize`` + ``serialize`` must give the same string, and loading the JS string must
give byte-identical JWS / DagJWS.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from did_session import (
    AccountId,
    CapabilityExpiredError,
    DIDSession,
    EthereumNodeAuth,
    SessionExpiredError,
    TimePolicy,
    verify_jws,
)
from did_session._time import parse_rfc3339
from did_session.codecs.bases import b64_decode
from did_session.jws import to_compact
from tests.conftest import load_vector
from tests.wallet import TestWallet

REF = load_vector("did-session-js/reference-sessions.json")
CASES = ["default_expiry", "ten_years"]
FIXED = parse_rfc3339(REF["deterministic"]["fixedTime"])


def case(name: str) -> dict[str, Any]:
    return REF["deterministic"][name]  # type: ignore[no-any-return]


def fixed_clock() -> float:
    return FIXED


async def authorize_like_js(name: str, wallet: TestWallet) -> DIDSession:
    c = case(name)
    seed = bytes.fromhex(c["input"]["seedHex"])
    account = AccountId.parse(REF["wallet"]["accountId"])
    auth = EthereumNodeAuth.get_auth_method(wallet, account, "127.0.0.1")
    return await DIDSession.authorize(
        auth,
        resources=c["input"]["resources"],
        nonce=c["input"]["nonce"],
        expires_in_secs=c["input"]["expiresInSecs"],
        time_policy=TimePolicy(clock=fixed_clock),
        random_bytes=lambda n: seed[:n],
    )


@pytest.mark.parametrize("name", CASES)
async def test_authorize_reproduces_js_serialized_session(name: str) -> None:
    wallet = TestWallet(REF["wallet"]["privateKey"])
    session = await authorize_like_js(name, wallet)
    c = case(name)
    assert wallet.calls["personal_sign"] == 1
    assert wallet.signed == c["siweMessageSigned"]
    assert session.serialize() == c["serialized"]
    assert session.did.id == c["did"]
    assert session.id == c["id"]
    assert session.cacao.to_json() == c["cacao"]
    assert session.cacao.cid == c["cacaoCid"]["cid"]
    assert session.cacao.block.hex() == c["cacaoCid"]["blockHex"]
    assert session.authorizations == c["authorizations"]
    assert session.expires_in_secs == c["expireInSecs"]["value"]
    assert session.is_expired is c["isExpired"]
    assert session.is_authorized() is c["isAuthorized"]
    assert session.is_authorized(["ceramic://*"]) is c["isAuthorizedCeramicStar"]
    assert session.is_authorized(["ceramic://other"]) is c["isAuthorizedOther"]


@pytest.mark.parametrize("name", CASES)
async def test_js_session_loads_and_signs_identically(name: str) -> None:
    c = case(name)
    session = await DIDSession.from_session(
        c["serialized"], time_policy=TimePolicy(clock=fixed_clock)
    )
    assert session.did.id == c["did"]
    assert session.id == c["id"]
    assert session.cacao.cid == c["cacaoCid"]["cid"]
    assert session.serialize() == c["serialized"]

    jws = await session.did.create_jws(c["jws"]["payload"])
    assert jws == c["jws"]["general"]
    assert to_compact(jws) == c["jws"]["compact"]

    dag = await session.did.create_dag_jws(c["dagJws"]["payload"])
    assert dag.to_json() == c["dagJws"]["jws"]
    assert dag.linked_block.hex() == c["dagJws"]["linkedBlockHex"]
    assert dag.cacao_block == b64_decode(c["dagJws"]["cacaoBlockBase64"])
    assert to_compact(dag.jws) == c["dagJws"]["compact"]


@pytest.mark.parametrize("name", CASES)
async def test_js_jws_verifies_with_our_verifier(name: str) -> None:
    c = case(name)
    cacao = c["cacao"]
    signature_only = await verify_jws(c["jws"]["general"])
    assert signature_only.kid == c["verify"]["signatureOnly"]["kid"]
    assert json.loads(signature_only.payload) == c["verify"]["signatureOnly"]["payload"]
    at_issue = await verify_jws(
        c["jws"]["compact"], capability=cacao, issuer=c["id"], at_time=FIXED
    )
    assert at_issue.signer_did == c["did"]
    assert at_issue.issuer == c["id"]
    dag = await verify_jws(c["dagJws"]["jws"], capability=cacao, issuer=c["id"], at_time=FIXED)
    assert dag.signer_did == c["did"]


async def test_expired_capability_is_refused_now() -> None:
    c = case("default_expiry")
    with pytest.raises(CapabilityExpiredError):
        await verify_jws(c["jws"]["general"], capability=c["cacao"], issuer=c["id"])
    loaded = await DIDSession.from_session(c["serialized"])  # loads, as in JS
    assert loaded.is_expired
    assert loaded.expires_in_secs == 0
    with pytest.raises(SessionExpiredError, match="Capability is expired"):
        await loaded.did.create_jws({"hello": "world"})
    # disable_timecheck skips the expiry only (as in JS).
    ok = await verify_jws(
        c["jws"]["general"], capability=c["cacao"], issuer=c["id"], disable_timecheck=True
    )
    assert ok.signer_did == c["did"]


async def test_reference_p256_did_matches_stored_public_key() -> None:
    from did_session import crypto
    from did_session.did_key import KeyType, encode_did_key

    entry = REF["indexeddb_after_get"][0]["stores"][0]["entries"][0]
    raw = bytes.fromhex(entry["value"]["keypair"]["publicKey"]["rawHex"])
    assert (
        encode_did_key(KeyType.P256, crypto.p256_compress(raw))
        == entry["value"]["cacao"]["p"]["aud"]
    )
