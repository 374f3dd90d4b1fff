"""Chain-agnostic core and Solana on CPython (issue 13): CAIP-10 accounts of any namespace,
CAIP-122 messages per chain, the CACAO verifier registry (eip191, solana:ed25519,
webauthn:p256 and a user's own), Solana auth methods with a real signing test wallet,
the js-did SIWS vector, Ceramic model access for relying parties, and the CLI.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from did_session import (
    AccountId,
    DIDSession,
    EthereumNodeAuth,
    MemoryStore,
    SiweMessage,
    SiwxMessage,
    SolanaNodeAuth,
    SolanaWebAuth,
    TimePolicy,
    Verifier,
    solana,
    verify_jws,
)
from did_session import errors as E
from did_session.cacao import (
    Cacao,
    CacaoVerifier,
    model_access_granted,
    register_cacao_verifier,
    unregister_cacao_verifier,
)
from did_session.codecs.bases import b58decode, b58encode
from tests.conftest import load_vector
from tests.host.test_verifier_cli import run_cli
from tests.wallet import (
    SOLANA_OTHER_KEY,
    SOLANA_TEST_ADDRESS,
    SOLANA_TEST_KEY,
    SolanaTestWallet,
    TestWallet,
)

SNAPSHOT = load_vector("ceramic-js-did/snapshots/integration__cacao-siws.snap.json")
VECTOR = SNAPSHOT["Cacao SIWS Can create and verify Cacao Block for Solana 1"]
VECTOR_CID = "bafyreiegtrmteagncsf3gi4csws3posuq6vpvlz2sjpbh22uxolzi74w6q"
VECTOR_IAT = 1633019124.0  # 2021-09-30T16:25:24Z
MAINNET = solana.SOLANA_MAINNET_CHAIN_REF
ACCOUNT = AccountId(MAINNET, SOLANA_TEST_ADDRESS, namespace="solana")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def vector_json(change: Callable[[dict[str, Any]], Any] | None = None) -> dict[str, Any]:
    value = json.loads(json.dumps(VECTOR["value"]))
    if change is not None:
        change(value)
    return value


def authorize(wallet: SolanaTestWallet | None = None, **kw: Any) -> DIDSession:
    auth = SolanaNodeAuth.get_auth_method(wallet or SolanaTestWallet(), ACCOUNT, "app.example")
    return run(DIDSession.authorize(auth, resources=kw.pop("resources", ["ceramic://*"]), **kw))


# ---- the js-did SIWS vector --------------------------------------------------------------------


def test_test_wallet_holds_the_vector_key() -> None:
    assert b58encode(SolanaTestWallet().public_key) == SOLANA_TEST_ADDRESS
    assert SOLANA_TEST_KEY.hex() not in repr(SolanaTestWallet())


def test_siws_vector_block_cid_and_signature() -> None:
    cacao = Cacao.from_json(VECTOR["value"])
    assert cacao.block.hex() == VECTOR["bytes_hex"]
    assert cacao.cid == VECTOR["cid"]["/"] == VECTOR_CID
    assert Cacao.from_block(bytes.fromhex(VECTOR["bytes_hex"])) == cacao
    assert (cacao.header_type, cacao.signature_type) == ("caip122", "solana:ed25519")
    assert cacao.namespace == "solana" and cacao.chain_id == "1"
    assert cacao.account == AccountId("1", SOLANA_TEST_ADDRESS, namespace="solana")
    cacao.verify(at_time=VECTOR_IAT + 60)
    run(cacao.verify_signature_async())
    solana.verify_solana_cacao(cacao)


def test_siws_vector_message_is_the_signed_text() -> None:
    cacao = Cacao.from_json(VECTOR["value"])
    text = cacao.to_siwx_message().to_message(style="js")
    assert text.startswith("service.org wants you to sign in with your Solana account:\n")
    # Sign the same text with the vector's key (cryptography): the vector's signature.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(SOLANA_TEST_KEY)
    assert b58encode(key.sign(text.encode())) == cacao.signature
    parsed = SiwxMessage.from_message(text)
    assert parsed == cacao.to_siwx_message()
    assert parsed.namespace == "solana" and parsed.chain_id == "1"


def _flip_last_char(text: str) -> str:
    return text[:-1] + ("2" if text[-1] != "2" else "3")


TAMPERED: dict[str, tuple[Callable[[dict[str, Any]], Any], type[Exception]]] = {
    "statement": (lambda d: d["p"].update(statement="I accept nothing"), E.InvalidSignatureError),
    "resources": (lambda d: d["p"]["resources"].append("ceramic://*"), E.InvalidSignatureError),
    "domain": (lambda d: d["p"].update(domain="evil.org"), E.InvalidSignatureError),
    "aud": (
        lambda d: d["p"].update(aud="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        E.InvalidSignatureError,
    ),
    "nonce": (lambda d: d["p"].update(nonce="32891758"), E.InvalidSignatureError),
    "wrong chain": (
        lambda d: d["p"].update(iss=d["p"]["iss"].replace(":1:", f":{MAINNET}:")),
        E.InvalidSignatureError,
    ),
    "another address": (
        lambda d: d["p"].update(
            iss="did:pkh:solana:1:" + b58encode(bytes.fromhex("8a" * 32)),
        ),
        E.InvalidSignatureError,
    ),
    "signature bit": (
        lambda d: d["s"].update(
            s=b58encode(bytes([b58decode(d["s"]["s"])[0] ^ 1]) + b58decode(d["s"]["s"])[1:])
        ),
        E.InvalidSignatureError,
    ),
    "signature last char": (
        lambda d: d["s"].update(s=_flip_last_char(d["s"]["s"])),
        E.InvalidSignatureError,
    ),
    "signature not base58": (
        lambda d: d["s"].update(s="0OIl" + d["s"]["s"][4:]),
        E.InvalidSignatureError,
    ),
    "signature 63 bytes": (
        lambda d: d["s"].update(s=b58encode(b58decode(d["s"]["s"])[:63])),
        E.InvalidSignatureError,
    ),
    "signature huge": (lambda d: d["s"].update(s="2" * 5000), E.InvalidSignatureError),
    "address not base58": (
        lambda d: d["p"].update(iss="did:pkh:solana:1:0OIl" + SOLANA_TEST_ADDRESS[4:]),
        E.CacaoError,
    ),
    "address 31 bytes": (
        lambda d: d["p"].update(iss="did:pkh:solana:1:" + b58encode(b"\x07" * 31)),
        E.CacaoError,
    ),
    "eip191 label": (lambda d: d["s"].update(t="eip191"), E.InvalidSignatureError),
    "eip155 issuer": (
        lambda d: d["p"].update(iss="did:pkh:eip155:1:0x" + "ab" * 20),
        E.InvalidSignatureError,
    ),
    "did:key issuer": (
        lambda d: d["p"].update(iss="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        E.CacaoError,
    ),
}


@pytest.mark.parametrize("name", list(TAMPERED))
def test_siws_vector_tampered_refused(name: str) -> None:
    change, error = TAMPERED[name]
    cacao = Cacao.from_json(vector_json(change))
    with pytest.raises(error):
        cacao.verify_signature()
    with pytest.raises(error):
        run(cacao.verify_signature_async())


def test_success_cache_is_by_bytes() -> None:
    good = Cacao.from_json(VECTOR["value"])
    good.verify_signature()  # remembered
    bad = Cacao.from_json(vector_json(lambda d: d["p"].update(nonce="32891759")))
    with pytest.raises(E.InvalidSignatureError):
        bad.verify_signature()


# ---- accounts ---------------------------------------------------------------------------------


def test_solana_account_ids() -> None:
    text = f"solana:{MAINNET}:{SOLANA_TEST_ADDRESS}"
    account = AccountId.parse(text)
    assert account == ACCOUNT and str(account) == text
    assert (account.namespace, account.reference, account.chain_id) == ("solana", MAINNET, MAINNET)
    assert account.chain == f"solana:{MAINNET}"
    assert account.did_pkh == f"did:pkh:{text}"
    assert solana.account_id_by_network("devnet", SOLANA_TEST_ADDRESS).reference == (
        "EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
    )


@pytest.mark.parametrize(
    "text",
    [
        f"solana:{MAINNET}:{SOLANA_TEST_ADDRESS.lower()}",  # base58 is case-sensitive
        f"solana:{MAINNET}:0OIl{SOLANA_TEST_ADDRESS[4:]}",  # not in the alphabet
        f"solana:{MAINNET}:{b58encode(b'x' * 33)}",
        f"solana:{MAINNET}:{b58encode(b'x' * 31)}",
        f"solana:{MAINNET}:",
        f"solana:{MAINNET}:{SOLANA_TEST_ADDRESS}:extra",
        f"solana::{SOLANA_TEST_ADDRESS}",
        f"solana:{'a' * 33}:{SOLANA_TEST_ADDRESS}",
        f"solana:ma!n:{SOLANA_TEST_ADDRESS}",
        f"Solana:{MAINNET}:{SOLANA_TEST_ADDRESS}",
    ],
)
def test_bad_solana_account_ids(text: str) -> None:
    with pytest.raises(E.AccountIdError):
        AccountId.parse(text)


def test_ethereum_account_ids_unchanged() -> None:
    account = AccountId(1, "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266")
    assert str(account) == "eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert account.chain_id == 1 and account.namespace == "eip155"
    with pytest.raises(E.AccountIdError):
        AccountId("1", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
    with pytest.raises(E.AccountIdError):
        AccountId.parse("eip155:01:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")


def test_other_namespaces_generic() -> None:
    account = AccountId.parse("cosmos:cosmoshub-3:cosmos1t2uflqwqe0fsj0shcfkrvpukewcw40yjj6hdc0")
    assert account.namespace == "cosmos" and account.reference == "cosmoshub-3"
    assert account.did_pkh.startswith("did:pkh:cosmos:cosmoshub-3:cosmos1")
    assert AccountId.parse(
        "bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6"
    )
    with pytest.raises(E.AccountIdError):
        AccountId.parse("cosmos:hub:bad/address")
    with pytest.raises(E.SiweError):  # no message rules for a namespace without ChainRules
        SiwxMessage(
            namespace="cosmos",
            domain="a.org",
            address="cosmos1abc",
            uri="https://a.org",
            version="1",
            chain_id="cosmoshub-3",
            nonce="12345678",
            issued_at="2026-01-01T00:00:00Z",
        )


# ---- messages --------------------------------------------------------------------------------

BASE: dict[str, Any] = {
    "namespace": "solana",
    "domain": "app.example",
    "address": SOLANA_TEST_ADDRESS,
    "uri": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "version": "1",
    "chain_id": MAINNET,
    "nonce": "abcdefgh12",
    "issued_at": "2026-01-01T00:00:00.000Z",
    "statement": "Give this application access to some of your data on Ceramic",
    "expiration_time": "2026-01-08T00:00:00.000Z",
    "resources": ["ceramic://*"],
}


def test_solana_message_round_trip_and_layout() -> None:
    m = SiwxMessage(**BASE)
    text = m.to_message(style="js")
    assert text.split("\n")[:2] == [
        "app.example wants you to sign in with your Solana account:",
        SOLANA_TEST_ADDRESS,
    ]
    assert f"\nChain ID: {MAINNET}\n" in text
    assert SiwxMessage.from_message(text) == m
    assert SiwxMessage.from_fields(m.to_fields(), namespace="solana") == m
    cacao = Cacao.from_siwx_message(m, b58encode(b"\x00" * 64))
    assert cacao.payload.iss == f"did:pkh:solana:{MAINNET}:{SOLANA_TEST_ADDRESS}"
    assert cacao.to_siwx_message().to_message(style="js") == text


def test_ethereum_text_still_parses_as_siwe() -> None:
    wallet = TestWallet()
    m = SiweMessage(**{**BASE, "namespace": "eip155", "address": wallet.address, "chain_id": 1})
    text = m.to_message()
    assert SiweMessage.from_message(text) == m
    generic = SiwxMessage.from_message(text)
    assert generic.namespace == "eip155" and generic.chain_id == 1
    assert generic.to_message() == text


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"address": SOLANA_TEST_ADDRESS.lower()}, "Solana address"),
        ({"address": "0x" + "ab" * 20}, "Solana address"),
        ({"chain_id": 1}, "reference"),
        ({"chain_id": "main net"}, "reference"),
        ({"namespace": "nope"}, "no sign-in message rules"),
    ],
)
def test_solana_message_refused(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(E.SiweError, match=match):
        SiwxMessage(**{**BASE, **changes})


def test_solana_text_is_not_a_siwe_message() -> None:
    text = SiwxMessage(**BASE).to_message(style="js")
    with pytest.raises(E.SiweError, match="Ethereum account"):
        SiweMessage.from_message(text)
    for header in ("Bitcoin", "solana", "Solana "):
        bad = text.replace("your Solana account", f"your {header} account")
        with pytest.raises(E.SiweError, match="known chain"):
            SiwxMessage.from_message(bad)
    with pytest.raises(E.SiweError):
        SiweMessage(**BASE)


# ---- auth methods and sessions ---------------------------------------------------------------


def test_authorize_serialize_load_and_verify() -> None:
    wallet = SolanaTestWallet()
    session = authorize(wallet)
    assert session.id == f"did:pkh:solana:{MAINNET}:{SOLANA_TEST_ADDRESS}"
    cacao = session.cacao
    assert (cacao.header_type, cacao.signature_type) == ("caip122", "solana:ed25519")
    assert wallet.signed == [cacao.to_siwx_message().to_message(style="js")]
    assert wallet.signed[0].startswith("app.example wants you to sign in with your Solana")
    loaded = run(DIDSession.from_session(session.serialize()))
    assert loaded.did.id == session.did.id and loaded.cacao.cid == cacao.cid
    jws = run(loaded.did.create_jws({"hello": "solana"}))
    verified = run(verify_jws(jws, capability=cacao, issuer=session.id))
    assert verified.payload_json() == {"hello": "solana"}
    assert Verifier(domains=["app.example"]).verify(jws, cacao).issuer == session.id


def test_from_session_refuses_a_forged_solana_cacao() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    session = authorize()
    text = session.cacao.to_siwx_message().to_message(style="js").encode()
    other = Ed25519PrivateKey.from_private_bytes(SOLANA_OTHER_KEY)
    data = json.loads(b64url(session.serialize()))
    data["cacao"]["s"]["s"] = b58encode(other.sign(text))
    with pytest.raises(E.InvalidSignatureError):
        run(DIDSession.from_session(to_b64url(data)))


def b64url(text: str) -> str:
    from did_session.codecs.bases import b64url_decode

    return b64url_decode(text).decode()


def to_b64url(data: Mapping[str, Any]) -> str:
    from did_session.codecs.bases import b64url_encode

    return b64url_encode(json.dumps(data, separators=(",", ":")).encode())


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("reject", E.UserRejectedError),
        ("garbage", E.WalletResponseError),
        ("other-account", E.WalletResponseError),
    ],
)
def test_wallet_failures_typed_and_store_untouched(mode: str, error: type[Exception]) -> None:
    store = MemoryStore()
    good = SolanaNodeAuth.get_auth_method(SolanaTestWallet(), ACCOUNT, "app.example")
    first = run(DIDSession.get(ACCOUNT, good, resources=["ceramic://*"], store=store))
    bad = SolanaNodeAuth.get_auth_method(SolanaTestWallet(mode=mode), ACCOUNT, "app.example")
    with pytest.raises(error):
        run(DIDSession.get(ACCOUNT, bad, resources=["ceramic://*?model=k2t6"], store=store))
    again = run(DIDSession.get(ACCOUNT, good, resources=["ceramic://*"], store=store))
    assert again.cacao.cid == first.cacao.cid


def test_request_account() -> None:
    account = run(solana.request_account(SolanaTestWallet(), network="devnet"))
    assert str(account) == f"solana:{solana.SOLANA_DEVNET_CHAIN_REF}:{SOLANA_TEST_ADDRESS}"
    assert run(solana.request_account(SolanaTestWallet())).reference == MAINNET
    with pytest.raises(E.UserRejectedError):
        run(solana.request_account(SolanaTestWallet(mode="reject")))
    with pytest.raises(E.WalletUnavailableError):
        run(solana.request_account(None))
    with pytest.raises(E.AccountIdError):
        run(solana.request_account(SolanaTestWallet(), network="moon"))


def test_no_provider_and_bad_arguments() -> None:
    with pytest.raises(E.WalletUnavailableError):
        run(DIDSession.authorize(
            SolanaNodeAuth.get_auth_method(None, ACCOUNT, "a"), resources=["ceramic://*"]
        ))  # fmt: skip
    with pytest.raises(E.WalletUnavailableError):
        run(DIDSession.authorize(
            SolanaNodeAuth.get_auth_method(object(), ACCOUNT, "a"), resources=["ceramic://*"]
        ))  # fmt: skip
    with pytest.raises(E.SiweError):
        SolanaNodeAuth.get_auth_method(SolanaTestWallet(), ACCOUNT, "")
    with pytest.raises(E.UsageError):
        SolanaNodeAuth.get_auth_method(SolanaTestWallet(), "eip155:1:0x" + "ab" * 20, "a")
    with pytest.raises(E.UsageError):
        EthereumNodeAuth.get_auth_method(TestWallet(), ACCOUNT, "a")
    with pytest.raises(E.UsageError):  # no page on CPython
        SolanaWebAuth.get_auth_method(SolanaTestWallet(), ACCOUNT)


def test_get_has_session_for_and_remove_with_a_solana_account() -> None:
    store = MemoryStore()
    wallet = SolanaTestWallet()
    auth = SolanaNodeAuth.get_auth_method(wallet, ACCOUNT, "app.example")
    key = str(ACCOUNT)
    assert not run(DIDSession.has_session_for(key, resources=["ceramic://*"], store=store))
    session = run(DIDSession.get(key, auth, resources=["ceramic://*"], store=store))
    assert session.id == ACCOUNT.did_pkh and len(wallet.signed) == 1
    assert run(store.load(key)) is not None  # keyed by the CAIP-10 string, as in JS
    assert run(DIDSession.has_session_for(ACCOUNT, resources=["ceramic://*"], store=store))
    again = run(DIDSession.get(ACCOUNT, auth, resources=["ceramic://*"], store=store))
    assert again.cacao.cid == session.cacao.cid and len(wallet.signed) == 1
    run(DIDSession.remove(key, store=store))
    assert not run(DIDSession.has_session_for(key, resources=["ceramic://*"], store=store))


def test_get_refuses_a_cacao_of_another_solana_account() -> None:
    other = AccountId(MAINNET, b58encode(bytes.fromhex("8a" * 32)), namespace="solana")
    auth = SolanaNodeAuth.get_auth_method(SolanaTestWallet(), ACCOUNT, "app.example")
    store = MemoryStore()
    with pytest.raises(E.WalletResponseError, match="another account"):
        run(DIDSession.get(other, auth, resources=["ceramic://*"], store=store))
    assert run(store.load(str(other))) is None


# ---- the verifier registry ---------------------------------------------------------------------


def test_register_a_verifier_of_ones_own() -> None:
    """A user's type, e.g. an Ed25519 signature over the block of the CACAO without s."""
    from did_session import crypto
    from did_session.codecs import dag_cbor

    seen: list[Mapping[str, Any]] = []

    def check(cacao: Cacao, options: Mapping[str, Any]) -> None:
        seen.append(options)
        unsigned = dag_cbor.encode({k: v for k, v in cacao.to_json().items() if k != "s"})
        key = b58decode(cacao.address)
        if not crypto.ed25519_verify(key, unsigned, b58decode(cacao.signature)):
            raise E.InvalidSignatureError("not signed")

    data = vector_json(lambda d: d["s"].update(t="test:ed25519-block"))
    unsigned = Cacao.from_json(data).to_json()
    del unsigned["s"]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from did_session.codecs import dag_cbor as cbor

    sig = Ed25519PrivateKey.from_private_bytes(SOLANA_TEST_KEY).sign(cbor.encode(unsigned))
    data["s"]["s"] = b58encode(sig)
    cacao = Cacao.from_json(data)
    with pytest.raises(E.UnsupportedSignatureTypeError):
        cacao.verify_signature()
    verifier = CacaoVerifier(signature_type="test:ed25519-block", verify=check)
    register_cacao_verifier(verifier)
    try:
        cacao.verify_signature(signature_options={"test:ed25519-block": {"k": 1}})
        assert seen == [{"k": 1}]
        tampered = Cacao.from_json({**data, "p": {**data["p"], "nonce": "99999999"}})
        with pytest.raises(E.InvalidSignatureError):
            tampered.verify_signature()
        with pytest.raises(E.UsageError):  # registered once; replace=True to replace
            register_cacao_verifier(
                CacaoVerifier(signature_type="test:ed25519-block", verify=check)
            )
        with pytest.raises(E.UsageError):  # built-ins are not silently replaced either
            register_cacao_verifier(CacaoVerifier(signature_type="solana:ed25519", verify=check))
    finally:
        unregister_cacao_verifier("test:ed25519-block")
    with pytest.raises(E.UnsupportedSignatureTypeError):
        cacao.verify_signature()


def test_passkey_cacao_through_the_registry() -> None:
    from tests.host import test_webauthn as tw

    cacao = tw.make()
    at = tw.NOW + 60
    cacao.verify(at_time=at)  # Cacao.verify knows webauthn:p256 now
    run(cacao.verify_signature_async())
    options = {"webauthn:p256": {"rp_id": "other.example"}}
    with pytest.raises(E.WebAuthnRelyingPartyError):
        cacao.verify_signature(signature_options=options)
    with pytest.raises(E.UsageError):
        cacao.verify_signature(signature_options={"webauthn:p256": {"rpid": "typo"}})
    forged = Cacao.from_json(tw.with_signature_fields(cacao, s=tw.make(tw.Assertion(
        private_key=tw.OTHER_KEY)).signature))  # fmt: skip
    with pytest.raises(E.WebAuthnSignatureError):
        forged.verify_signature()


def test_passkey_session_verify_jws_from_session_and_verifier() -> None:
    """A passkey CACAO issued to an Ed25519 session key: portable, verifiable everywhere."""
    from did_session.host.keys import HostKeyBackend
    from tests.host import test_webauthn as tw

    seed = bytes(range(32))
    signer = run(HostKeyBackend().ed25519_from_seed(seed))
    cacao = tw.make(p=tw.payload(aud=signer.did))
    clock = TimePolicy(clock=lambda: tw.NOW + 60)
    session = DIDSession(signer=signer, cacao=cacao, seed=seed, time_policy=clock)
    loaded = run(DIDSession.from_session(session.serialize(), time_policy=clock))
    assert loaded.id == cacao.payload.iss and loaded.id.startswith("did:key:zDn")
    jws = run(loaded.did.create_jws({"passkey": True}))
    assert run(verify_jws(jws, capability=cacao, at_time=tw.NOW + 60)).payload_json() == {
        "passkey": True
    }
    verifier = Verifier(
        domains=[tw.DOMAIN],
        signature_options={"webauthn:p256": {"expected_origins": [tw.ORIGIN]}},
    )
    assert verifier.verify(jws, cacao, at_time=tw.NOW + 60).issuer == cacao.payload.iss
    strict = Verifier(
        domains=[tw.DOMAIN],
        signature_options={"webauthn:p256": {"expected_origins": ["https://elsewhere.org"]}},
    )
    with pytest.raises(E.WebAuthnClientDataError):
        strict.verify(jws, cacao, at_time=tw.NOW + 60)
    with pytest.raises(E.WebAuthnFlagsError):
        tw_uv = Verifier(signature_options={"webauthn:p256": {"require_user_verification": True}})
        no_uv = tw.make(tw.Assertion(flags=tw.wa.FLAG_UP), p=tw.payload(aud=signer.did))
        other = DIDSession(signer=signer, cacao=no_uv, seed=seed, time_policy=clock)
        tw_uv.verify(run(other.did.create_jws({"a": 1})), no_uv, at_time=tw.NOW + 60)


# ---- Ceramic model access ---------------------------------------------------------------------

MODEL = "kjzl6hvfrbw6c5ajfmes842lu09vjxu5956e3xq0xk12gp2jcf9s90cagt2god9"


@pytest.mark.parametrize(
    ("granted", "ok"),
    [
        (["ceramic://*"], True),
        ([f"ceramic://*?model={MODEL}"], True),
        ([f"ceramic://*?model={MODEL}x"], False),
        ([f"ceramic://*?model={MODEL[:-1]}"], False),
        (["ceramic://*?model="], False),
        ([f"ceramic://{MODEL}"], False),
        (["ceramic://**"], False),
        ([], False),
    ],
)
def test_model_access_rule(granted: list[str], ok: bool) -> None:
    assert model_access_granted(granted, MODEL) is ok


def test_verifier_requires_model_access() -> None:
    wildcard = authorize()
    one_model = authorize(resources=[f"ceramic://*?model={MODEL}"])
    for session, expected in ((wildcard, True), (one_model, True)):
        jws = run(session.did.create_jws({"a": 1}))
        assert Verifier(required_models=[MODEL]).verify(jws, session.cacao).issuer == session.id
        assert expected
    jws = run(one_model.did.create_jws({"a": 1}))
    with pytest.raises(E.CapabilityMismatchError, match="model"):
        Verifier(required_models=["kjzl6other"]).verify(jws, one_model.cacao)
    # The JS-parity rule stays exact: the wildcard is not the model's resource string.
    assert not wildcard.is_authorized([f"ceramic://*?model={MODEL}"])
    with pytest.raises(E.UsageError):
        Verifier(required_models=MODEL)  # type: ignore[arg-type]


# ---- CLI --------------------------------------------------------------------------------------


def test_cli_inspect_and_verify_solana(tmp_path: Path) -> None:
    session = authorize()
    code, out = run_cli("inspect", session.serialize(), "--json")
    info = json.loads(out)
    assert code == 0, out
    assert info["signature"] == "valid" and info["signature_type"] == "solana:ed25519"
    assert info["id"] == ACCOUNT.did_pkh
    jws = run(session.did.create_jws({"cli": "solana"}))
    (tmp_path / "jws.json").write_text(json.dumps(jws))
    (tmp_path / "cacao.json").write_text(json.dumps(session.cacao.to_json()))
    args = ["verify", str(tmp_path / "jws.json"), "--cacao", str(tmp_path / "cacao.json")]
    code, out = run_cli(*args, "--json", "--model", MODEL)
    assert code == 0 and json.loads(out)["issuer"] == ACCOUNT.did_pkh
    tampered = session.cacao.to_json()
    tampered["p"]["nonce"] = "tampered1"
    (tmp_path / "bad.json").write_text(json.dumps(tampered))
    bad = ["verify", str(tmp_path / "jws.json"), "--cacao", str(tmp_path / "bad.json")]
    assert run_cli(*bad)[0] == 1  # cap CID differs: invalid


def test_cli_verify_passkey(tmp_path: Path) -> None:
    from did_session.host.keys import HostKeyBackend
    from tests.host import test_webauthn as tw

    seed = bytes(range(32))
    signer = run(HostKeyBackend().ed25519_from_seed(seed))
    cacao = tw.make(p=tw.payload(aud=signer.did))
    clock = TimePolicy(clock=lambda: tw.NOW + 60)
    session = DIDSession(signer=signer, cacao=cacao, seed=seed, time_policy=clock)
    jws = run(session.did.create_jws({"cli": "passkey"}))
    (tmp_path / "jws.json").write_text(json.dumps(jws))
    (tmp_path / "cacao.json").write_bytes(cacao.block)  # a block: JSON has no bytes
    at = "2026-01-01T00:01:00Z"
    base = ["verify", str(tmp_path / "jws.json"), "--cacao", str(tmp_path / "cacao.json")]
    code, out = run_cli(*base, "--at", at, "--json")
    assert code == 0, out
    code, _ = run_cli(*base, "--at", at, "--rp-id", "other.example")
    assert code == 1
    code, out = run_cli("inspect", session.serialize(), "--at", at, "--json")
    assert code == 0 and json.loads(out)["signature_type"] == "webauthn:p256"
