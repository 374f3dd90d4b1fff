"""The foundations other auth methods build on: one time policy owned by the session, the
platform injected, the declared public surface and the error contract."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

import did_session
from did_session import (
    AccountId,
    AuthRequest,
    Cacao,
    CapabilityMismatchError,
    DIDSession,
    EthereumNodeAuth,
    EthereumWebAuth,
    MemoryStore,
    Platform,
    SessionError,
    TimePolicy,
    UsageError,
    Verifier,
    default_platform,
    errors,
    verify_jws,
)
from did_session._time import format_iso_ms, parse_rfc3339
from tests.wallet import TestWallet

ACCOUNT = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
SESSION_NOW = parse_rfc3339("2026-03-01T12:00:00.000Z")
WEEK = 7 * 24 * 3600


def node_auth(wallet: TestWallet) -> Any:
    return EthereumNodeAuth.get_auth_method(wallet, ACCOUNT, "example.org")


def with_own_clock(wallet: TestWallet, auth_now: float, **fields: Any) -> Any:
    """An auth method with a clock of its own, as auth methods had before: it fills the
    expiry from its clock (the JS default, now + 7 days) instead of signing the request's."""
    inner = node_auth(wallet)

    async def auth(request: AuthRequest) -> Cacao:
        changed = {"expiration_time": format_iso_ms(auth_now + WEEK), **fields}
        return await inner(dataclasses.replace(request, **changed))  # type: ignore[no-any-return]

    return auth


# ---- one time policy ------------------------------------------------------------------


async def test_two_clocks_cannot_make_a_capability_that_expires_before_it_is_issued() -> None:
    # The auth method's clock is 30 days behind the session's: its exp (its now + 7 days)
    # is before the session's iat. Such a CACAO was signed and accepted; now it is refused
    # before it is stored or used.
    wallet, store = TestWallet(), MemoryStore()
    policy = TimePolicy(clock=lambda: SESSION_NOW)
    auth = with_own_clock(wallet, SESSION_NOW - 30 * 86400)
    for make in (
        lambda: DIDSession.authorize(auth, resources=["a://1"], time_policy=policy),
        lambda: DIDSession.get(ACCOUNT, auth, resources=["a://1"], store=store, time_policy=policy),
    ):
        with pytest.raises(CapabilityMismatchError, match="times the session asked for"):
            await make()
    assert wallet.calls["personal_sign"] == 2  # the wallet signed; the session refused
    assert len(store) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"expiration_time": format_iso_ms(SESSION_NOW + 2 * WEEK)},  # a longer lifetime
        {"issued_at": format_iso_ms(SESSION_NOW - 3600)},
        {"not_before": format_iso_ms(SESSION_NOW + 60)},
    ],
    ids=["exp", "iat", "nbf"],
)
async def test_a_cacao_with_other_times_than_asked_is_refused(fields: dict[str, Any]) -> None:
    # Same clock, but the auth method signs another time than the request's.
    auth = with_own_clock(TestWallet(), SESSION_NOW, **fields)
    with pytest.raises(CapabilityMismatchError):
        await DIDSession.authorize(
            auth, resources=["a://1"], time_policy=TimePolicy(clock=lambda: SESSION_NOW)
        )


async def test_the_session_policy_decides_every_time() -> None:
    # The session's clock is not the system's: the CACAO carries the session's times only,
    # the default lifetime included, and the same policy signs, checks and verifies.
    now = [SESSION_NOW]
    policy = TimePolicy(clock=lambda: now[0], clock_skew_secs=0)
    session = await DIDSession.authorize(
        node_auth(TestWallet()), resources=["a://1"], time_policy=policy
    )
    iat, nbf, exp = session.cacao.time_window()
    assert (iat, nbf, exp) == (SESSION_NOW, None, SESSION_NOW + WEEK)
    jws = await session.did.create_jws({"a": 1})
    assert (await session.did.verify_jws(jws, capability=session.cacao)).issuer == session.id
    assert Verifier(time_policy=policy).verify(jws, session.cacao).issuer == session.id
    now[0] = SESSION_NOW + WEEK + 1  # past exp, no skew: expired for every check at once
    assert session.is_expired
    with pytest.raises(did_session.SessionExpiredError):
        await session.did.create_jws({"a": 1})
    with pytest.raises(did_session.CapabilityExpiredError):
        await session.did.verify_jws(jws, capability=session.cacao)
    with pytest.raises(did_session.CapabilityExpiredError):
        Verifier(time_policy=policy).verify(jws, session.cacao)
    # The phase-out is one option of the same policy, in every verifier.
    late = dataclasses.replace(policy, revocation_phaseout_secs=60)
    await verify_jws(jws, capability=session.cacao, time_policy=late)
    Verifier(time_policy=late).verify(jws, session.cacao)


@pytest.mark.parametrize(
    "options",
    [
        {"expiration_time": "2026-03-01T11:00:00.000Z"},  # before iat
        {"expiration_time": "2026-03-01T12:00:00.000Z"},  # exp == iat
        {"not_before": "2026-03-09T00:00:00.000Z"},  # after the default exp
    ],
)
async def test_inconsistent_times_are_refused_before_the_wallet(options: dict[str, str]) -> None:
    wallet = TestWallet()
    with pytest.raises(SessionError):
        await DIDSession.authorize(
            node_auth(wallet),
            resources=["a://1"],
            time_policy=TimePolicy(clock=lambda: SESSION_NOW),
            **options,
        )
    assert wallet.calls["personal_sign"] == 0


def test_verify_jws_and_verifier_share_the_time_options() -> None:
    names = {"at_time", "time_policy"}
    assert names <= set(inspect.signature(verify_jws).parameters)
    assert {"time_policy"} <= {f.name for f in dataclasses.fields(Verifier)}
    assert not hasattr(did_session, "verify_jws_sync")
    for name in ("clock", "clock_skew_secs", "revocation_phaseout_secs"):
        assert name not in inspect.signature(verify_jws).parameters
        assert name not in inspect.signature(EthereumNodeAuth.get_auth_method).parameters


# ---- the platform, injected ----------------------------------------------------------


async def test_platform_is_injected() -> None:
    made: list[MemoryStore] = []

    def store() -> MemoryStore:
        made.append(MemoryStore())
        return made[-1]

    platform = dataclasses.replace(default_platform(), store_factory=store)
    assert isinstance(platform, Platform) and platform.page is None
    wallet = TestWallet()
    auth = EthereumNodeAuth.get_auth_method(wallet, ACCOUNT, "example.org", platform=platform)
    s1 = await DIDSession.get(ACCOUNT, auth, resources=["a://1"], platform=platform)
    assert len(made) == 1 and len(made[0]) == 1
    assert await DIDSession.has_session_for(ACCOUNT, resources=["a://1"], platform=platform)
    assert not await DIDSession.has_session_for(ACCOUNT, resources=["a://1"])  # the default
    s2 = await DIDSession.get(ACCOUNT, auth, resources=["a://1"], platform=platform)
    assert s2.did.id == s1.did.id and wallet.calls["personal_sign"] == 1
    await DIDSession.remove(ACCOUNT, platform=platform)
    assert len(made[0]) == 0 and len(made) == 1


def test_host_platform_has_no_chain_specific_parts() -> None:
    platform = default_platform()
    assert platform.name == "host" and platform.wallet_adapters == {}
    public = {n for n in dir(platform) if not n.startswith("_")}
    assert not {n for n in public if "ethereum" in n.lower() or "provider" in n.lower()}
    wallet = TestWallet()
    assert platform.wallet("eip155", wallet) is wallet


async def test_memory_store_lock_serialises_concurrent_gets() -> None:
    import asyncio

    class SlowWallet(TestWallet):  # the user takes a while: the other calls get to run
        async def request(self, args: Any) -> Any:
            await asyncio.sleep(0.01)
            return await super().request(args)

    wallet, store = SlowWallet(), MemoryStore()
    sessions = await asyncio.gather(
        *(
            DIDSession.get(ACCOUNT, node_auth(wallet), resources=["a://1"], store=store)
            for _ in "abc"
        )
    )
    assert len({s.did.id for s in sessions}) == 1
    assert wallet.calls["personal_sign"] == 1


# ---- the public surface --------------------------------------------------------------

EXTENSION_TYPES = [
    "AuthMethod",
    "AuthRequest",
    "Clock",
    "KeyBackend",
    "MemoryStore",
    "Platform",
    "ReplayStore",
    "SessionStore",
    "Signer",
    "StorableSigner",
    "StoredSession",
    "TimePolicy",
]


def test_public_surface() -> None:
    for name in did_session.__all__:
        assert getattr(did_session, name) is not None, name
    assert set(EXTENSION_TYPES) <= set(did_session.__all__)
    assert {"verify_jws", "Verifier"} <= set(did_session.__all__)
    verifier_names = {
        n for n in did_session.__all__ if "verif" in n.lower() and not n.endswith("Error")
    }
    assert verifier_names == {
        "Verifier",
        "VerifiedJWS",
        "VerifiedRequest",
        "verify_jws",
        "SignatureVerifier",
    }
    assert "VerificationError" in errors.__all__


# ---- the error contract --------------------------------------------------------------

TREE = {
    "DIDSessionError": "Exception",
    "UsageError": "DIDSessionError",
    "MalformedError": "DIDSessionError",
    "EncodingError": "MalformedError",
    "TimeFormatError": "MalformedError",
    "CBORError": "MalformedError",
    "CIDError": "MalformedError",
    "DIDKeyError": "MalformedError",
    "SiweError": "MalformedError",
    "CacaoError": "MalformedError",
    "JWSError": "MalformedError",
    "SerializedSessionError": "MalformedError",
    "AccountIdError": "MalformedError",
    "UnsupportedError": "DIDSessionError",
    "UnsupportedKeyTypeError": "UnsupportedError",
    "UnsupportedAlgorithmError": "UnsupportedError",
    "UnsupportedSignatureTypeError": "UnsupportedError",
    "VerificationError": "DIDSessionError",
    "InvalidSignatureError": "VerificationError",
    "CapabilityExpiredError": "VerificationError",
    "CapabilityNotYetValidError": "VerificationError",
    "CapabilityMismatchError": "VerificationError",
    "RequestFormatError": "MalformedError",
    "RequestError": "VerificationError",
    "RequestMismatchError": "RequestError",
    "RequestExpiredError": "RequestError",
    "RequestNotYetValidError": "RequestError",
    "RequestReplayedError": "RequestError",
    "ReplayStoreError": "DIDSessionError",
    "WebCryptoError": "DIDSessionError",
    "SessionError": "DIDSessionError",
    "SessionNotSerializableError": "SessionError",
    "SessionExpiredError": "SessionError",
    "WalletError": "DIDSessionError",
    "WalletUnavailableError": "WalletError",
    "UserRejectedError": "WalletError",
    "WalletUnauthorizedError": "WalletError",
    "WalletUnsupportedMethodError": "WalletError",
    "WalletDisconnectedError": "WalletError",
    "WalletResponseError": "WalletError",
    "StorageError": "DIDSessionError",
    "StorageUnavailableError": "StorageError",
    "StorageBlockedError": "StorageError",
    "StorageQuotaError": "StorageError",
    # A passkey failure is a WebAuthnError and also what it means to a relying party that
    # catches the general class (a bad signature is an InvalidSignatureError, and so on).
    "WebAuthnError": "DIDSessionError",
    "WebAuthnFormatError": "WebAuthnError, MalformedError",
    "WebAuthnSignatureError": "WebAuthnError, InvalidSignatureError",
    "WebAuthnChallengeError": "WebAuthnError, CapabilityMismatchError",
    "WebAuthnClientDataError": "WebAuthnError, CapabilityMismatchError",
    "WebAuthnRelyingPartyError": "WebAuthnError, CapabilityMismatchError",
    "WebAuthnFlagsError": "WebAuthnError, VerificationError",
    "PasskeyError": "WebAuthnError",
    "PasskeyUnavailableError": "PasskeyError",
    "PasskeyRefusedError": "PasskeyError",
    "PasskeyResponseError": "PasskeyError",
    "PasskeySelectionError": "PasskeyError",
}


def test_error_tree() -> None:
    assert sorted(errors.__all__) == sorted(TREE)
    for name, parent in TREE.items():
        cls = getattr(did_session, name)
        assert cls is getattr(errors, name)
        assert [base.__name__ for base in cls.__bases__] == parent.split(", "), name
        # No builtin base besides Exception: an application's `except ValueError` never
        # swallows one of ours (examples/verify_server.py answered 400 "expected JSON").
        assert not issubclass(cls, (ValueError, TypeError, LookupError)), name
    assert did_session._time.TimeFormatError is errors.TimeFormatError  # type: ignore[attr-defined]


def test_api_misuse_raises_usage_errors() -> None:
    cases: list[Any] = [
        lambda: Verifier(domains="example.org"),
        lambda: Verifier(required_resources="ceramic://*"),
        lambda: Verifier(time_policy=60),  # type: ignore[arg-type]
        lambda: Verifier(nonce_check="n"),  # type: ignore[arg-type]
        lambda: EthereumWebAuth.get_auth_method(TestWallet(), ACCOUNT),  # no page here
        lambda: EthereumNodeAuth.get_auth_method(TestWallet(), 42, "app"),  # type: ignore[arg-type]
    ]
    for case in cases:
        with pytest.raises(UsageError):
            case()


async def test_session_misuse_raises_usage_errors() -> None:
    with pytest.raises(UsageError):
        await DIDSession.authorize(
            node_auth(TestWallet()),
            resources=["a://1"],
            time_policy=lambda: 0,  # type: ignore[arg-type]
        )
