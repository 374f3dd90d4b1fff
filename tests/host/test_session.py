"""DIDSession on CPython: persisted sessions (memory store), portable sessions, JWS."""

from __future__ import annotations

import json

import pytest

from did_session import (
    AccountId,
    CapabilityMismatchError,
    DIDSession,
    EthereumNodeAuth,
    InvalidSignatureError,
    SerializedSessionError,
    SessionNotSerializableError,
    TimePolicy,
    UserRejectedError,
    WalletResponseError,
    verify_jws,
)
from did_session.codecs.bases import b64url_decode, b64url_encode
from did_session.errors import DIDSessionError, SiweError
from did_session.host import MemoryStore
from tests.wallet import TestWallet

ACCOUNT = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")


def auth_for(wallet: TestWallet, account: AccountId = ACCOUNT, app: str = "example.org"):  # type: ignore[no-untyped-def]
    return EthereumNodeAuth.get_auth_method(wallet, account, app)


async def test_get_asks_the_wallet_once_then_reuses() -> None:
    wallet, store = TestWallet(), MemoryStore()
    first = await DIDSession.get(ACCOUNT, auth_for(wallet), resources=["ceramic://*"], store=store)
    assert wallet.calls["personal_sign"] == 1
    assert first.did.id.startswith("did:key:zDn")  # P-256, as the JS get()
    assert first.cacao.payload.aud == first.did.id
    assert await DIDSession.has_session_for(ACCOUNT, resources=["ceramic://*"], store=store)
    again = await DIDSession.get(ACCOUNT, auth_for(wallet), resources=["ceramic://*"], store=store)
    assert wallet.calls["personal_sign"] == 1
    assert again.did.id == first.did.id
    jws = await again.did.create_jws({"n": 1})
    result = await verify_jws(jws, capability=again.cacao, issuer=again.id)
    assert result.header["alg"] == "ES256"
    with pytest.raises(SessionNotSerializableError, match="Secure sessions cannot be serialized"):
        again.serialize()


async def test_get_asks_again_for_uncovered_resource_and_after_expiry() -> None:
    wallet, store = TestWallet(), MemoryStore()
    now = [1_800_000_000.0]
    policy = TimePolicy(clock=lambda: now[0])
    auth = EthereumNodeAuth.get_auth_method(wallet, ACCOUNT, "example.org")
    s1 = await DIDSession.get(
        ACCOUNT,
        auth,
        resources=["a://1"],
        expires_in_secs=60,
        store=store,
        time_policy=policy,
    )
    s2 = await DIDSession.get(ACCOUNT, auth, resources=["b://2"], store=store, time_policy=policy)
    assert wallet.calls["personal_sign"] == 2 and s2.did.id != s1.did.id
    assert not await DIDSession.has_session_for(
        ACCOUNT, resources=["a://1"], store=store, time_policy=policy
    )
    s3 = await DIDSession.get(
        ACCOUNT,
        auth,
        resources=["b://2"],
        expires_in_secs=60,
        store=store,
        time_policy=policy,
    )
    assert wallet.calls["personal_sign"] == 2 and s3.did.id == s2.did.id  # reused
    now[0] += 8 * 24 * 3600  # past the 7-day default of s2
    assert not await DIDSession.has_session_for(
        ACCOUNT, resources=["b://2"], store=store, time_policy=policy
    )
    s4 = await DIDSession.get(ACCOUNT, auth, resources=["b://2"], store=store, time_policy=policy)
    assert wallet.calls["personal_sign"] == 3 and s4.did.id != s2.did.id


async def test_remove_forgets_the_session() -> None:
    wallet, store = TestWallet(), MemoryStore()
    await DIDSession.get(ACCOUNT, auth_for(wallet), resources=["ceramic://*"], store=store)
    await DIDSession.remove(ACCOUNT, store=store)
    assert (
        await DIDSession.has_session_for(ACCOUNT, resources=["ceramic://*"], store=store) is False
    )
    await DIDSession.remove(ACCOUNT, store=store)  # removing nothing is fine


async def test_refusing_wallet_leaves_the_store_as_it_was() -> None:
    store = MemoryStore()
    good = await DIDSession.get(ACCOUNT, auth_for(TestWallet()), resources=["x://1"], store=store)
    for mode, error in [
        ("reject", UserRejectedError),
        ("garbage", WalletResponseError),
        ("other-account", WalletResponseError),
    ]:
        with pytest.raises(error):
            await DIDSession.get(
                ACCOUNT, auth_for(TestWallet(mode=mode)), resources=["y://2"], store=store
            )
        kept = await DIDSession.get(
            ACCOUNT, auth_for(TestWallet()), resources=["x://1"], store=store
        )
        assert kept.did.id == good.did.id


async def test_authorize_roundtrip_and_options_untouched() -> None:
    wallet = TestWallet(chain_id=137)
    account = AccountId(137, wallet.address)
    resources = ["ceramic://*", "ipfs://x"]
    session = await DIDSession.authorize(
        auth_for(wallet, account),
        resources=resources,
        request_id="req-1",
        not_before="2020-01-01T00:00:00.000Z",
        statement="Sign in to the test",
    )
    assert resources == ["ceramic://*", "ipfs://x"]
    p = session.cacao.payload
    assert (p.request_id, p.nbf, p.statement) == (
        "req-1",
        "2020-01-01T00:00:00.000Z",
        "Sign in to the test",
    )
    assert session.id == f"did:pkh:eip155:137:{wallet.address.lower()}"
    assert session.did.id.startswith("did:key:z6Mk")
    loaded = await DIDSession.from_session(session.serialize())
    assert loaded.did.id == session.did.id and loaded.cacao.cid == session.cacao.cid
    jws = await loaded.did.create_jws({"b": 2, "a": [1, {"y": True, "x": None}]})
    assert jws == await session.did.create_jws({"b": 2, "a": [1, {"y": True, "x": None}]})
    ok = await verify_jws(
        jws,
        capability=session.cacao,
        issuer=session.id.upper().replace("DID:PKH:EIP155", "did:pkh:eip155"),
    )
    assert ok.payload_json() == {"a": [1, {"x": None, "y": True}], "b": 2}


async def test_seed_never_shows_in_repr_or_errors() -> None:
    seed = bytes(range(100, 132))
    session = await DIDSession.authorize(
        auth_for(TestWallet()), resources=["ceramic://*"], random_bytes=lambda n: seed[:n]
    )
    from did_session.codecs.bases import b64_encode

    shown = " ".join([repr(session), str(session), repr(session.signer), repr(session.did)])
    for secret in (seed.hex(), b64_encode(seed), b64_encode(seed).rstrip("=")):
        assert secret not in shown


async def test_authorize_requires_resources() -> None:
    for bad in ([], None, "ceramic://*"):
        with pytest.raises(SiweError):
            await DIDSession.authorize(auth_for(TestWallet()), resources=bad)  # type: ignore[arg-type]


async def test_from_session_is_strict() -> None:
    session = await DIDSession.authorize(auth_for(TestWallet()), resources=["ceramic://*"])
    data = json.loads(b64url_decode(session.serialize()))

    def enc(obj: object) -> str:
        return b64url_encode(json.dumps(obj, separators=(",", ":")).encode())

    bad_inputs: list[tuple[str, type[DIDSessionError]]] = [
        ("", SerializedSessionError),
        ("!!!not base64!!!", SerializedSessionError),
        (b64url_encode(b"not json"), SerializedSessionError),
        (enc([1, 2]), SerializedSessionError),
        (enc({"cacao": data["cacao"]}), SerializedSessionError),
        (enc({**data, "sessionKeySeed": "AAEC"}), SerializedSessionError),
        (
            enc({**data, "sessionKeySeed": data["sessionKeySeed"].replace("=", "")}),
            SerializedSessionError,
        ),
        (enc({**data, "sessionKeySeed": "A" * 43 + "="}), CapabilityMismatchError),
        (enc({**data, "cacao": {**data["cacao"], "h": {"t": "x"}}}), SerializedSessionError),
        (enc({**data, "extra": 1}), SerializedSessionError),
    ]
    tampered = json.loads(json.dumps(data))
    tampered["cacao"]["p"]["resources"] = ["ceramic://everything"]
    bad_inputs.append((enc(tampered), InvalidSignatureError))
    for text, error in bad_inputs:
        with pytest.raises(error):
            await DIDSession.from_session(text)
    # The JS form with padding is accepted, as JS does.
    padded = session.serialize() + "=" * (-len(session.serialize()) % 4)
    assert (await DIDSession.from_session(padded)).did.id == session.did.id


async def test_jws_capability_binding_is_checked() -> None:
    s1 = await DIDSession.authorize(auth_for(TestWallet()), resources=["ceramic://*"])
    s2 = await DIDSession.authorize(auth_for(TestWallet()), resources=["ceramic://*"])
    jws = await s1.did.create_jws({"hello": "world"})
    await verify_jws(jws, capability=s1.cacao, issuer=s1.id)
    with pytest.raises(CapabilityMismatchError, match="cap header"):
        await verify_jws(jws, capability=s2.cacao, issuer=s2.id)  # other session's CACAO
    with pytest.raises(CapabilityMismatchError, match="issuer"):
        await verify_jws(jws, capability=s1.cacao, issuer="did:pkh:eip155:5:" + "0" * 40)
    with pytest.raises(CapabilityMismatchError):
        await verify_jws(jws, issuer=s1.id)  # an issuer claim needs the capability
