"""``DIDSession.get`` / ``has_session_for`` / ``remove`` with a passkey on CPython: the
account is the passkey's did:key (or any object with a ``did``, as ``Passkey``), the
session is stored under that did:key, and the CACAO must be issued by it. The passkey is a
software authenticator with a public test key (tests/wallet.py), signing for real."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from did_session import (
    AccountId,
    DIDSession,
    EthereumNodeAuth,
    TimePolicy,
    WalletResponseError,
    verify_jws,
)
from did_session.did_key import decode_did_key
from did_session.errors import (
    AccountIdError,
    DIDKeyError,
    DIDSessionError,
    PasskeyRefusedError,
    UnsupportedKeyTypeError,
    UsageError,
)
from did_session.host import MemoryStore
from did_session.interfaces import StoredSession
from tests.wallet import PASSKEY_OTHER_KEY, PasskeyTestAuthenticator, TestWallet

RES = ["ceramic://*"]
ACCOUNT = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
WEBAUTHN = {"webauthn:p256": {"rp_id": "app.example.org"}}


@dataclass(frozen=True)
class Identity:
    """What ``did_session.browser.webauthn.Passkey`` is to the session: a ``did``."""

    did: str


async def test_get_with_a_passkey_asks_once_then_reuses() -> None:
    passkey, store = PasskeyTestAuthenticator(), MemoryStore()
    did = passkey.did
    assert did.startswith("did:key:zDn")
    assert not await DIDSession.has_session_for(passkey, resources=RES, store=store)
    first = await DIDSession.get(passkey, passkey, resources=RES, store=store)
    assert passkey.sign_count == 1
    assert first.id == first.cacao.payload.iss == first.did.parent == did
    assert first.cacao.to_json()["s"]["t"] == "webauthn:p256"
    assert list(store._sessions) == [did]  # the store key is the did:key itself
    # The same identity as an object, the did:key text, or a Passkey-like value.
    for account in (passkey, did, Identity(did)):
        again = await DIDSession.get(account, passkey, resources=RES, store=store)
        assert again.did.id == first.did.id
        assert await DIDSession.has_session_for(account, resources=RES, store=store)
    assert passkey.sign_count == 1  # reused: no new ceremony
    jws = await first.did.create_jws({"hello": "passkey"})
    verified = await verify_jws(jws, capability=first.cacao, issuer=did, signature_options=WEBAUTHN)
    assert verified.payload == b'{"hello":"passkey"}'
    # An uncovered resource asks again, and replaces the entry.
    wider = await DIDSession.get(passkey, passkey, resources=["other://1"], store=store)
    assert passkey.sign_count == 2 and wider.did.id != first.did.id
    await DIDSession.remove(Identity(did), store=store)
    assert not await DIDSession.has_session_for(did, resources=[], store=store)
    assert len(store) == 0


async def test_legacy_did_key_forms_share_the_canonical_key() -> None:
    passkey, store = PasskeyTestAuthenticator(), MemoryStore()
    await DIDSession.get(passkey, passkey, resources=RES, store=store)
    key = decode_did_key(passkey.did)
    from did_session.codecs.bases import b58encode

    # key-did-resolver still reads a P-256 did:key holding the 65-byte uncompressed point.
    legacy = "did:key:z" + b58encode(key.key_type.prefix + key.uncompressed)
    assert legacy != passkey.did
    assert await DIDSession.has_session_for(legacy, resources=RES, store=store)


async def test_passkey_and_wallet_sessions_side_by_side() -> None:
    passkey, wallet, store = PasskeyTestAuthenticator(), TestWallet(), MemoryStore()
    auth = EthereumNodeAuth.get_auth_method(wallet, ACCOUNT, "app.example.org")
    by_wallet = await DIDSession.get(ACCOUNT, auth, resources=RES, store=store)
    by_passkey = await DIDSession.get(passkey, passkey, resources=RES, store=store)
    assert sorted(store._sessions) == sorted([str(ACCOUNT), passkey.did])
    assert by_wallet.id == ACCOUNT.did_pkh and by_passkey.id == passkey.did
    await DIDSession.remove(passkey, store=store)
    assert await DIDSession.has_session_for(ACCOUNT, resources=RES, store=store)
    assert not await DIDSession.has_session_for(passkey, resources=RES, store=store)


async def test_refused_or_foreign_passkey_leaves_the_store_intact() -> None:
    store = MemoryStore()
    mine = PasskeyTestAuthenticator()
    kept = await DIDSession.get(mine, mine, resources=RES, store=store)
    # Another identity's entry: a refusal, then a CACAO issued by another key.
    other = PasskeyTestAuthenticator(PASSKEY_OTHER_KEY)
    other.mode = "reject"
    with pytest.raises(PasskeyRefusedError):
        await DIDSession.get(other, other, resources=RES, store=store)
    mine.mode = "other-key"  # another passkey answers the ceremony for `mine`
    with pytest.raises(WalletResponseError, match="another account"):
        await DIDSession.get(mine, mine, resources=["new://1"], store=store)
    assert list(store._sessions) == [mine.did]
    assert (await DIDSession.get(mine, mine, resources=RES, store=store)).did.id == kept.did.id


async def test_an_entry_issued_by_another_identity_is_not_used() -> None:
    store = MemoryStore()
    mine, other = PasskeyTestAuthenticator(), PasskeyTestAuthenticator(PASSKEY_OTHER_KEY)
    theirs = await DIDSession.get(other, other, resources=RES, store=store)
    # Another script copies that entry under my did:key.
    await store.save(mine.did, StoredSession(cacao=theirs.cacao.to_json(), signer=theirs.signer))
    assert not await DIDSession.has_session_for(mine, resources=RES, store=store)
    again = await DIDSession.get(mine, mine, resources=RES, store=store)
    assert mine.sign_count == 1 and again.id == mine.did


@pytest.mark.parametrize(
    ("account", "error"),
    [
        ("did:key:zDn0Il", DIDKeyError),  # not base58
        ("did:key:zDnBad", UnsupportedKeyTypeError),
        ("did:key:", DIDKeyError),
        ("did:pkh:eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", AccountIdError),
        (Identity("did:web:example.org"), AccountIdError),
        (Identity("not a did"), UsageError),
        (42, UsageError),
        (None, UsageError),
        ("eip155:1", AccountIdError),
    ],
)
async def test_malformed_identities_are_typed(account: object, error: type[Exception]) -> None:
    passkey = PasskeyTestAuthenticator()
    store = MemoryStore()
    calls = (
        lambda: DIDSession.get(account, passkey, resources=RES, store=store),  # type: ignore[arg-type]
        lambda: DIDSession.has_session_for(account, resources=RES, store=store),  # type: ignore[arg-type]
        lambda: DIDSession.remove(account, store=store),  # type: ignore[arg-type]
    )
    for call in calls:
        with pytest.raises(error) as caught:
            await call()
        assert isinstance(caught.value, DIDSessionError)
        assert not isinstance(caught.value, (ValueError, TypeError))
    assert passkey.sign_count == 0


async def test_authorize_with_a_passkey_round_trips() -> None:
    passkey = PasskeyTestAuthenticator()
    policy = TimePolicy()
    session = await DIDSession.authorize(passkey, resources=RES, time_policy=policy)
    text = session.serialize()
    loaded = await DIDSession.from_session(text)  # checks the webauthn:p256 signature
    assert loaded.id == passkey.did and loaded.did.id == session.did.id
    assert loaded.cacao.block == session.cacao.block
    jws = await loaded.did.create_jws({"n": 1})
    await verify_jws(jws, capability=loaded.cacao, issuer=passkey.did, signature_options=WEBAUTHN)


async def test_entry_read_back_with_memoryview_bytes_is_reused() -> None:
    # Pyodide reads the Uint8Array of a passkey's s.m.aad back from IndexedDB as a
    # memoryview: the entry must load as the same CACAO (it once raised TypeError).
    passkey, store = PasskeyTestAuthenticator(), MemoryStore()
    first = await DIDSession.get(passkey, passkey, resources=RES, store=store)
    entry = store._sessions[passkey.did]
    as_read = first.cacao.to_json()
    as_read["s"]["m"] = {"aad": memoryview(bytearray(as_read["s"]["m"]["aad"]))}
    await store.save(passkey.did, StoredSession(cacao=as_read, signer=entry.signer))
    again = await DIDSession.get(passkey, passkey, resources=RES, store=store)
    assert passkey.sign_count == 1 and again.did.id == first.did.id
    assert again.cacao.block == first.cacao.block
    assert again.cacao.to_json() == first.cacao.to_json()
