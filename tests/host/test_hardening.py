"""Adversarial tests: every hostile input ends in one exact, typed error (or an exact result).

Each case asserts the *exact* class (``type(e) is X``, not a subclass) of a
:class:`~did_session.errors.DIDSessionError`; anything else raised (``ValueError``,
``RecursionError``, ``TypeError``...) propagates and fails the test. Sessions are real:
``DIDSession.authorize`` (Ed25519) and ``DIDSession.get`` with a ``MemoryStore`` (P-256),
signed by :class:`tests.wallet.TestWallet` (eth-account), nothing mocked.

Rules chosen (and asserted here)
--------------------------------
Time window (``Cacao.check_time``; same comparisons as @didtools/cacao, but failing closed):
  * not valid yet iff ``iat > now + skew`` or ``nbf > now + skew``; expired iff
    ``exp + phase_out + skew < now``. The boundary instant itself is valid, on both ends:
    ``now = iat - skew`` and ``now = exp + skew`` pass, 1 ms beyond fails. Default skew 300 s.
  * A malformed ``iat`` / ``nbf`` / ``exp`` (not RFC 3339 with ASCII digits, impossible date,
    lower-case ``t``/``z``, no offset, ...) is a ``CacaoError`` (JS: NaN, passes).
  * A NaN ``at_time`` / clock / skew / phase-out is a ``CacaoError`` (NaN compares false, so
    it would pass every check). Infinite values are taken literally (``skew=inf`` disables
    the window on purpose; ``at_time=inf`` is expired).
Signatures (EIP-191):
  * ``v`` may be ``recid`` or ``recid + 27`` (0/1 and 27/28); every other byte 0..255 is an
    ``InvalidSignatureError`` (the other parity recovers another address).
  * High-S secp256k1 signatures (``s' = n - s`` with the recovery id flipped) are accepted,
    as Ethereum's ``ecrecover`` and the JS verifier (noble) accept them for personal_sign;
    the CACAO's CID changes with them. ``r``/``s`` of 0 or >= n are refused.
  * P-256 JWS signatures: high-S accepted (as WebCrypto); DER or wrong lengths refused.
    Ed25519: ``S >= L`` refused.
  * The ``iss`` address compares case-insensitively, as JS (``toLowerCase``): an upper-case
    or wrongly-checksummed ``iss`` of the signer verifies (its CID differs).
  * ``h.t`` is not covered by the EIP-191 signature (as in JS): ``caip122`` verifies too;
    any other header type is a ``CacaoError`` when parsing.
CACAO JSON (``Cacao.from_json``): parsing checks shape only (as JS, no SIWE grammar); a line
  break (LF, CR, CRLF, U+2028, NEL) or non-ASCII text in a payload field is a ``CacaoError``
  when verifying (the SIWE text cannot be rendered unambiguously); NUL is ASCII and renders,
  so a NUL in a free-text field is an ``InvalidSignatureError`` and in a time / ``iss`` a
  ``CacaoError``. Unknown keys (top level, ``h``, ``p``) and ``null`` values are refused
  (the CID must be that of the JSON as given); extra ``s`` fields (CAIP-74 ``m``) are kept,
  must be IPLD data, are not covered by the signature and change the CID.
Limits: SIWE fields and resources at most ``MAX_FIELD_LENGTH`` (8192) characters, at most
  ``MAX_RESOURCES`` (1024) resources, the EIP-4361 text at most ``MAX_MESSAGE_LENGTH``
  (256 KiB), checked before the wallet is asked (a message that passes makes a CACAO that
  parses and a session that serializes within ``MAX_SERIALIZED_LENGTH``, 1 MiB). JWS text
  at most 1 MiB (``MAX_JWS_LENGTH``); did:key fingerprints at most 2048 characters (base58
  decoding is quadratic: a 700 KB ``kid`` used to take 16 s).
JWS: the ``cap`` header must be exactly ``ipfs://`` + the base32 CID when a capability is
  given (ignored without one, as JS); a legacy (uncompressed) P-256 ``kid`` of the same key
  is accepted; an unsupported key type in the ``kid`` is ``UnsupportedKeyTypeError``.
Serialized sessions: outer base64url with or without ``=`` padding, surrounding whitespace
  tolerated; the seed is standard, padded base64 of 32 bytes; aud must be the seed's did:key
  (``CapabilityMismatchError``) and the CACAO must verify (``InvalidSignatureError``);
  an expired session loads (as JS) but cannot sign.
Wallet chain ids: ``0x`` + hex (lower-case ``x``), a decimal string or an int, in
  ``1 .. 10**32 - 1``; anything else is a ``WalletResponseError``.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from eth_account import Account
from eth_account.messages import encode_defunct

from did_session import (
    AccountId,
    Cacao,
    DIDSession,
    EthereumNodeAuth,
    SiweMessage,
    TimePolicy,
    get_account_id,
    verify_jws,
)
from did_session._sync import run_sync
from did_session._time import format_iso_ms, parse_rfc3339
from did_session.auth import AuthRequest
from did_session.cacao import DEFAULT_CLOCK_SKEW_SECS
from did_session.codecs import dag_cbor
from did_session.codecs.bases import (
    b58encode,
    b64_encode,
    b64url_decode,
    b64url_encode,
    varint_encode,
)
from did_session.crypto import secp256k1_compress, secp256k1_public_key
from did_session.did_key import DIDKey, KeyType
from did_session.errors import (
    CacaoError,
    CapabilityExpiredError,
    CapabilityMismatchError,
    CapabilityNotYetValidError,
    CBORError,
    DIDSessionError,
    InvalidSignatureError,
    JWSError,
    SerializedSessionError,
    SessionError,
    SessionExpiredError,
    SessionNotSerializableError,
    SiweError,
    StorageError,
    UnsupportedAlgorithmError,
    UnsupportedKeyTypeError,
    UnsupportedSignatureTypeError,
    UserRejectedError,
    WalletDisconnectedError,
    WalletError,
    WalletResponseError,
    WalletUnauthorizedError,
    WalletUnavailableError,
    WalletUnsupportedMethodError,
)
from did_session.host import MemoryStore
from did_session.jws import create_jws
from did_session.siwe import MAX_FIELD_LENGTH, MAX_MESSAGE_LENGTH, MAX_RESOURCES
from tests.conftest import load_vector
from tests.wallet import HARDHAT_0, HARDHAT_1, ProviderError, TestWallet

REF = load_vector("did-session-js/reference-sessions.json")
ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ACCOUNT = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
ED_DID = "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd"
IAT = parse_rfc3339("2030-01-01T00:00:00Z")
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ED25519_L = 2**252 + 27742317777372353535851937790883648493


# ---- helpers ----------------------------------------------------------------------------


@contextmanager
def exactly(
    cls: type[DIDSessionError], match: str | None = None
) -> Iterator[pytest.ExceptionInfo[DIDSessionError]]:
    """Like pytest.raises, but the class must be exactly ``cls``; a non-DIDSessionError
    propagates (and fails the test)."""
    with pytest.raises(DIDSessionError, match=match) as info:
        yield info
    assert type(info.value) is cls, (
        f"expected {cls.__name__}, got {type(info.value).__name__}: {info.value}"
    )


def wallet_sign(text: str, key: str = HARDHAT_0) -> str:
    """personal_sign by eth-account (independent of the library's own signing code)."""
    signed = Account.from_key(key).sign_message(encode_defunct(text=text))
    return "0x" + bytes(signed.signature).hex()


MESSAGE_FIELDS: dict[str, Any] = {
    "domain": "example.org",
    "address": ADDRESS,
    "statement": "Sign in to the test",
    "uri": ED_DID,
    "version": "1",
    "chain_id": 1,
    "nonce": "abcdefgh12",
    "issued_at": format_iso_ms(IAT),
    "expiration_time": format_iso_ms(IAT + 7 * 86400),
    "not_before": format_iso_ms(IAT + 600),
    "request_id": "req-1",
    "resources": ("ceramic://*", "https://example.org/a"),
}


def message(**over: Any) -> SiweMessage:
    return SiweMessage(**{**MESSAGE_FIELDS, **over})


def signed_cacao(key: str = HARDHAT_0, **over: Any) -> Cacao:
    msg = message(**over)
    return Cacao.from_siwe_message(msg, wallet_sign(msg.to_message(style="js"), key))


FULL_CACAO = signed_cacao()
FULL_JSON = FULL_CACAO.to_json()


def cacao_with(mutate: Callable[[dict[str, Any]], Any], base: dict[str, Any] | None = None) -> Any:
    data = copy.deepcopy(base if base is not None else FULL_JSON)
    mutate(data)
    return data


def auth(wallet: TestWallet | None = None, account: AccountId = ACCOUNT) -> Any:
    return EthereumNodeAuth.get_auth_method(wallet or TestWallet(), account, "example.org")


def verify(jws: Any, **options: Any) -> Any:
    """verify_jws driven to completion (the host back ends never really wait)."""
    return run_sync(verify_jws(jws, **options))


def sign_jws(signer: Any, header: Any, payload_section: str, *, raw: bytes | None = None) -> Any:
    """A General JWS over ``header`` (compact JSON, or ``raw`` bytes), really signed."""
    text = raw if raw is not None else json.dumps(header, separators=(",", ":")).encode()
    protected = b64url_encode(text)
    signature = run_sync(signer.sign(f"{protected}.{payload_section}".encode("ascii")))
    return {
        "payload": payload_section,
        "signatures": [{"protected": protected, "signature": b64url_encode(signature)}],
    }


def header_of(jws: Any) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(jws["signatures"][0]["protected"])))


def with_signature(jws: Any, signature: bytes | str) -> Any:
    out = copy.deepcopy(jws)
    text = signature if isinstance(signature, str) else b64url_encode(signature)
    out["signatures"][0]["signature"] = text
    return out


def fast(seconds: float = 2.0) -> Any:
    """Context manager asserting the block used less than ``seconds`` of this process's
    CPU time: a guard against super-linear work on hostile input (the regressions it
    catches took minutes), not a speed test. CPU time, with a wide margin, so a loaded
    machine (the browser tests share it) or coverage tracing cannot make it fail."""

    @contextmanager
    def timer() -> Iterator[None]:
        started = time.process_time()
        yield
        used = time.process_time() - started
        assert used < seconds, f"used {used:.3f} s of CPU"

    return timer()


def did_key_of(codec: int, key: bytes) -> str:
    return "did:key:z" + b58encode(varint_encode(codec) + key)


@pytest.fixture
def high_recursion_limit() -> Iterator[None]:
    """As in any process that imports eth-account / web3 (py_ecc sets 100000): the C JSON
    code then overflows the C stack (SIGSEGV) long before a RecursionError."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, 100_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


# ---- sessions (real wallet, real keys) ----------------------------------------------------


@pytest.fixture(scope="module")
def ed() -> DIDSession:
    return run_sync(DIDSession.authorize(auth(), resources=["ceramic://*"]))


@pytest.fixture(scope="module")
def ed_other() -> DIDSession:
    return run_sync(DIDSession.authorize(auth(), resources=["ceramic://*"]))


@pytest.fixture(scope="module")
def p256() -> DIDSession:
    return run_sync(DIDSession.get(ACCOUNT, auth(), resources=["ceramic://*"], store=MemoryStore()))


@pytest.fixture(params=["ed25519", "p256"])
def session(request: pytest.FixtureRequest) -> DIDSession:
    name = "ed" if request.param == "ed25519" else "p256"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def jws(session: DIDSession) -> dict[str, Any]:
    return run_sync(session.did.create_jws({"hello": "world", "n": 1}))


# =========================================================================================
# 1. SIWE: smuggled line breaks, non-ASCII text, oversized input
# =========================================================================================

SMUGGLE = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "LS": "\u2028", "NEL": "\x85", "NUL": "\x00"}
STRING_FIELDS = [
    "domain", "address", "uri", "version", "nonce", "issued_at", "statement",
    "expiration_time", "not_before", "request_id", "scheme", "resources[0]", "resources[1]",
]  # fmt: skip
NON_ASCII = {
    "e-acute": "\u00e9",
    "nbsp": "\u00a0",
    "zwsp": "\u200b",
    "fullwidth-1": "\uff11",
    "arabic-0": "\u0660",
    "emoji": "\U0001f600",
}


def _inject(value: str, what: str) -> str:
    middle = len(value) // 2
    return value[:middle] + what + value[middle:]


def _fields_with(field: str, what: str) -> dict[str, Any]:
    values = {**MESSAGE_FIELDS, "scheme": "https"}
    if field.startswith("resources"):
        index = int(field[-2])
        resources = list(values["resources"])
        resources[index] = _inject(resources[index], what)
        values["resources"] = resources
    else:
        values[field] = _inject(values[field], what)
    return values


@pytest.mark.parametrize("field", STRING_FIELDS)
@pytest.mark.parametrize("what", SMUGGLE.values(), ids=SMUGGLE.keys())
def test_siwe_constructor_refuses_smuggled_characters(field: str, what: str) -> None:
    with exactly(SiweError):
        SiweMessage(**_fields_with(field, what))


@pytest.mark.parametrize("what", SMUGGLE.values(), ids=SMUGGLE.keys())
def test_siwe_relaxed_constructor_refuses_line_breaks_but_renders_nul(what: str) -> None:
    # strict=False re-renders signed CACAOs: it skips the grammar but never line breaks or
    # non-ASCII. NUL is ASCII and cannot forge a line: it renders (and must then verify).
    for field in STRING_FIELDS:
        values = _fields_with(field, what)
        if what == "\x00" and field not in (
            "address",
            "issued_at",
            "expiration_time",
            "not_before",
        ):
            msg = SiweMessage(strict=False, **values)
            assert "\x00" in msg.to_message()
            assert msg.to_message().count("\n") == message(scheme="https").to_message().count("\n")
        else:
            with exactly(SiweError):
                SiweMessage(strict=False, **values)


FULL_TEXT = message(scheme="https").to_message()
_LINE_OF = {
    "domain": "https://", "address": "0x", "statement": "Sign in", "uri": "URI: ",
    "version": "Version: ", "chain_id": "Chain ID: ", "nonce": "Nonce: ",
    "issued_at": "Issued At: ", "expiration_time": "Expiration Time: ",
    "not_before": "Not Before: ", "request_id": "Request ID: ", "resources[0]": "- ceramic",
    "resources[1]": "- https",
}  # fmt: skip


@pytest.mark.parametrize("field", list(_LINE_OF))
@pytest.mark.parametrize("what", SMUGGLE.values(), ids=SMUGGLE.keys())
def test_siwe_from_message_refuses_smuggled_characters(field: str, what: str) -> None:
    lines = FULL_TEXT.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(_LINE_OF[field]))
    prefix = len(_LINE_OF[field]) if field not in ("domain", "address", "statement") else 0
    value = lines[index][prefix:]
    for position in (0, len(value) // 2, len(value)):
        changed = list(lines)
        changed[index] = lines[index][:prefix] + value[:position] + what + value[position:]
        with exactly(SiweError):
            SiweMessage.from_message("\n".join(changed))


def test_siwe_from_message_refuses_crlf_everywhere_and_a_final_newline() -> None:
    for text in (FULL_TEXT.replace("\n", "\r\n"), FULL_TEXT + "\n", FULL_TEXT + "\r\n"):
        with exactly(SiweError):
            SiweMessage.from_message(text)


_P_FIELDS = [
    "domain", "iat", "iss", "aud", "version", "nonce", "nbf", "exp", "statement", "requestId",
    "resources[0]",
]  # fmt: skip
_STRUCTURED = ("iat", "nbf", "exp", "iss")


def _cacao_json_with(field: str, what: str) -> dict[str, Any]:
    def mutate(d: dict[str, Any]) -> None:
        if field == "resources[0]":
            d["p"]["resources"][0] = _inject(d["p"]["resources"][0], what)
        else:
            d["p"][field] = _inject(d["p"][field], what)

    return cacao_with(mutate)  # type: ignore[no-any-return]


@pytest.mark.parametrize("field", _P_FIELDS)
@pytest.mark.parametrize("what", SMUGGLE.values(), ids=SMUGGLE.keys())
def test_siwe_smuggled_into_cacao_json_fails_verification(field: str, what: str) -> None:
    # Parsing a CACAO checks its JSON shape only (as JS); verification re-renders the SIWE
    # text and refuses what cannot be rendered unambiguously.
    cacao = Cacao.from_json(_cacao_json_with(field, what))
    expected = InvalidSignatureError if what == "\x00" and field not in _STRUCTURED else CacaoError
    with exactly(expected):
        cacao.verify(at_time=IAT + 3600)


@pytest.mark.parametrize("field", _P_FIELDS)
@pytest.mark.parametrize("what", NON_ASCII.values(), ids=NON_ASCII.keys())
def test_siwe_non_ascii_in_cacao_json_fails_verification(field: str, what: str) -> None:
    cacao = Cacao.from_json(_cacao_json_with(field, what))
    with exactly(CacaoError):
        cacao.verify(at_time=IAT + 3600)


def test_siwe_non_ascii_digits_in_cacao_times_fail_closed() -> None:
    # Python's \d matched U+FF10.. and U+0660.. and int() read them: such an exp used to
    # parse as a real instant (fixed in _time.py with re.ASCII).
    for digits in ("\uff12\uff10\uff13\uff10", "\u0662\u0660\u0663\u0660"):
        data = cacao_with(lambda d, x=digits: d["p"].update(exp=x + "-01-01T00:00:00Z"))
        with exactly(CacaoError):
            Cacao.from_json(data).expires_at()


@pytest.mark.parametrize("what", NON_ASCII.values(), ids=NON_ASCII.keys())
def test_siwe_non_ascii_options_are_refused_before_the_wallet_is_asked(what: str) -> None:
    wallet = TestWallet()
    for options in (
        {"statement": "Sign " + what},
        {"nonce": "abcdefgh" + what},
        {"request_id": "r" + what},
        {"resources": ["ceramic://" + what]},
    ):
        kwargs: dict[str, Any] = {"resources": ["ceramic://*"], **options}
        with exactly(SiweError):
            run_sync(DIDSession.authorize(auth(wallet), **kwargs))
    with exactly(SiweError):
        run_sync(
            DIDSession.authorize(
                EthereumNodeAuth.get_auth_method(wallet, ACCOUNT, "ex" + what + "ample.org"),
                resources=["ceramic://*"],
            )
        )
    assert wallet.calls["personal_sign"] == 0


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("domain", lambda n: "a" * n),
        ("uri", lambda n: "https://example.org/" + "a" * (n - 20)),
        ("nonce", lambda n: "a" * n),
        ("statement", lambda n: "a" * n),
        ("request_id", lambda n: "a" * n),
        ("resources", lambda n: ["https://example.org/" + "a" * (n - 20)]),
    ],
)
def test_siwe_field_length_limit(field: str, make: Callable[[int], Any]) -> None:
    at_limit = message(**{field: make(MAX_FIELD_LENGTH)})
    assert SiweMessage.from_message(at_limit.to_message()) == at_limit
    with exactly(SiweError, match="longer than"):
        message(**{field: make(MAX_FIELD_LENGTH + 1)})
    with exactly(SiweError, match="longer than"):
        SiweMessage(strict=False, **{**MESSAGE_FIELDS, field: make(MAX_FIELD_LENGTH + 1)})


def test_siwe_resource_count_limit() -> None:
    resources = [f"ipfs://r{i}" for i in range(MAX_RESOURCES)]
    at_limit = message(resources=resources)
    assert SiweMessage.from_message(at_limit.to_message()) == at_limit
    with exactly(SiweError, match="more than"):
        message(resources=[*resources, "ipfs://one-more"])


def _message_of_length(length: int) -> SiweMessage:
    """A valid message whose EIP-4361 text has exactly ``length`` characters."""
    base = message(resources=())
    budget = length - len(base.to_message())
    resources = []
    while budget > 0:
        size = min(MAX_FIELD_LENGTH, budget - 3)
        if 0 < budget - 3 - size < 10:  # keep the last resource long enough for a URI
            size -= 20
        resources.append("ipfs://" + "a" * (size - 7))
        budget -= size + 3
    msg = message(resources=resources)
    assert len(msg.to_message()) == length
    return msg


def test_siwe_message_length_limit() -> None:
    at_limit = _message_of_length(MAX_MESSAGE_LENGTH)
    assert SiweMessage.from_message(at_limit.to_message()) == at_limit
    with exactly(SiweError, match="message is longer"):
        _message_of_length(MAX_MESSAGE_LENGTH + 1)
    with exactly(SiweError, match="message is longer"):
        SiweMessage.from_message(at_limit.to_message() + "a")


@pytest.mark.parametrize(
    "text",
    [
        "x" * 1_000_000,
        FULL_TEXT + "\n- https://a" * 100_000,
        FULL_TEXT.replace("Sign in to the test", "a" * 1_000_000),
        "\n" * 1_000_000,
    ],
    ids=["junk", "many resources", "huge statement", "newlines"],
)
def test_siwe_one_megabyte_message_is_refused_quickly(text: str) -> None:
    with fast(), exactly(SiweError, match="longer than"):
        SiweMessage.from_message(text)


def test_siwe_oversized_cacao_json() -> None:
    too_long = cacao_with(lambda d: d["p"].update(statement="a" * (MAX_FIELD_LENGTH + 1)))
    with exactly(CacaoError):
        Cacao.from_json(too_long)
    too_many = cacao_with(lambda d: d["p"].update(resources=["a:b"] * (MAX_RESOURCES + 1)))
    with exactly(CacaoError):
        Cacao.from_json(too_many)
    # Each field within its limit, but the SIWE text (8 MB) is far beyond the message
    # limit: it parses, and fails closed when verified.
    huge = cacao_with(
        lambda d: d["p"].update(resources=["a:" + "b" * (MAX_FIELD_LENGTH - 2)] * MAX_RESOURCES)
    )
    cacao = Cacao.from_json(huge)
    with fast(), exactly(CacaoError):
        cacao.verify_signature()


def test_siwe_limits_are_checked_before_the_wallet_is_asked() -> None:
    wallet = TestWallet()
    with exactly(SiweError):
        run_sync(
            DIDSession.authorize(
                auth(wallet), resources=[f"ipfs://r{i}" for i in range(MAX_RESOURCES + 1)]
            )
        )
    with exactly(SiweError):
        run_sync(DIDSession.authorize(auth(wallet), resources=["ipfs://" + "a" * 8000] * 40))
    assert wallet.calls["personal_sign"] == 0


def test_siwe_largest_session_serializes_and_loads_again() -> None:
    # Near the limits: what the wallet signs makes a CACAO that parses, a session that
    # serializes within 1 MiB and loads back with a valid signature.
    resources = [f"ceramic://*?model=k{i:05d}" + "x" * 200 for i in range(MAX_RESOURCES)]
    session = run_sync(DIDSession.authorize(auth(), resources=resources))
    assert len(session.cacao.to_siwe_message().to_message()) <= MAX_MESSAGE_LENGTH
    loaded = run_sync(DIDSession.from_session(session.serialize()))
    assert loaded.cacao == session.cacao and loaded.did.id == session.did.id


# =========================================================================================
# 2. CACAO: tampering, types, issuer case and chain, signature types, v, high-S, times
# =========================================================================================


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["p"].update(version="2"),
        lambda d: d["p"].pop("exp"),
        lambda d: d["p"].pop("nbf"),
        lambda d: d["p"].pop("statement"),
        lambda d: d["p"].pop("requestId"),
        lambda d: d["p"].pop("resources"),
        lambda d: d["p"].update(resources=list(reversed(d["p"]["resources"]))),
        lambda d: d["p"].update(resources=[*d["p"]["resources"], d["p"]["resources"][0]]),
        lambda d: d["p"].update(resources=[]),
        lambda d: d["p"].update(statement=""),
        lambda d: d["p"].update(iat="2030-01-01T00:00:00Z"),  # same instant, other text
        lambda d: d["p"].update(iat="2030-01-01T00:00:00.000+00:00"),
        lambda d: d["p"].update(exp=d["p"]["exp"].replace(".000Z", ".001Z")),
        lambda d: d["p"].update(domain="EXAMPLE.ORG"),
        lambda d: d["p"].update(aud=ED_DID[:-1] + "e"),
        lambda d: d["p"].update(iss=d["p"]["iss"].replace(":1:", ":137:")),
        lambda d: d["p"].update(iss=d["p"]["iss"].replace(":1:", ":" + "9" * 32 + ":")),
        lambda d: d["p"].update(requestId="req-2"),
        lambda d: d["p"].update(nonce=d["p"]["nonce"].upper()),
    ],
    ids=[
        "version", "no exp", "no nbf", "no statement", "no requestId", "no resources",
        "resources reordered", "resource repeated", "resources empty", "statement empty",
        "iat respelled", "iat offset", "exp +1ms", "domain case", "aud", "chain 137",
        "chain 32 digits", "requestId", "nonce case",
    ],
)  # fmt: skip
def test_cacao_tampered_payload_fails_signature(mutate: Callable[[dict[str, Any]], Any]) -> None:
    cacao = Cacao.from_json(cacao_with(mutate))
    with exactly(InvalidSignatureError):
        cacao.verify_signature()


def test_cacao_untampered_full_payload_verifies() -> None:
    FULL_CACAO.verify(at_time=IAT + 3600)
    assert Cacao.from_json(FULL_JSON) == FULL_CACAO
    assert Cacao.from_block(FULL_CACAO.block) == FULL_CACAO


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["p"].update(version=1),
        lambda d: d["p"].update(iat=int(IAT)),
        lambda d: d["p"].update(exp=IAT + 10.5),
        lambda d: d["p"].update(statement=["x"]),
        lambda d: d["p"].update(resources=tuple(d["p"]["resources"])),
        lambda d: d["p"].update(resources=[None]),
        lambda d: d["p"].update(resources={"a": "b"}),
        lambda d: d["p"].update(nbf=None),
        lambda d: d["p"].update(statement=None),
        lambda d: d["p"].update(resources=None),
        lambda d: d["p"].update(requestId=None),
        lambda d: d["p"].update({1: "x", "x": 1}),
        lambda d: d.update(v=1),
        lambda d: d["h"].update(v="1"),
        lambda d: d.update(h=["eip4361"]),
        lambda d: d.update(p=list(d["p"].items())),
        lambda d: d["s"].update(s=bytes.fromhex(d["s"]["s"][2:])),
        lambda d: d["s"].update(t=None),
        lambda d: d["s"].pop("t"),
        lambda d: d["s"].pop("s"),
        lambda d: d.update(s=None),
        lambda d: d["s"].update(m=float("nan")),
        lambda d: d["s"].update(m={1: 2}),
        lambda d: d["s"].update(m=object()),
        lambda d: d["s"].update(m={1, 2}),
    ],
    ids=[
        "version int", "iat int", "exp float", "statement list", "resources tuple",
        "resource None", "resources dict", "nbf null", "statement null", "resources null",
        "requestId null", "non-str keys", "top-level extra", "h extra", "h list", "p list",
        "s.s bytes", "s.t null", "s.t missing", "s.s missing", "s null", "s.m NaN",
        "s.m int keys", "s.m object", "s.m set",
    ],
)  # fmt: skip
def test_cacao_wrong_types_fail_to_parse(mutate: Callable[[dict[str, Any]], Any]) -> None:
    with exactly(CacaoError):
        Cacao.from_json(cacao_with(mutate))


@pytest.mark.parametrize("value", [None, [], "cacao", 42, b"\xa3"])
def test_cacao_not_an_object(value: Any) -> None:
    with exactly(CacaoError):
        Cacao.from_json(value)


def test_cacao_header_type_is_not_signed() -> None:
    cacao = Cacao.from_json(cacao_with(lambda d: d["h"].update(t="caip122")))
    cacao.verify(at_time=IAT + 3600)
    assert cacao.cid != FULL_CACAO.cid
    for bad in ("EIP4361", "eip4361 ", "", "caip-122"):
        with exactly(CacaoError):
            Cacao.from_json(cacao_with(lambda d, t=bad: d["h"].update(t=t)))


def test_cacao_extra_signature_metadata_is_kept_but_not_signed() -> None:
    data = cacao_with(lambda d: d["s"].update(m={"ver": [1, 2], "nested": {"x": None}}))
    cacao = Cacao.from_json(data)
    cacao.verify(at_time=IAT + 3600)
    assert cacao.to_json() == data and list(cacao.to_json()["s"]) == ["t", "s", "m"]
    assert cacao.cid != FULL_CACAO.cid
    assert Cacao.from_block(cacao.block) == cacao
    assert len({cacao, Cacao.from_json(copy.deepcopy(data)), FULL_CACAO}) == 2  # hashable
    # Neither the input nor to_json's output aliases the parsed CACAO's state.
    cid = cacao.cid
    data["s"]["m"]["ver"].append(3)
    cacao.to_json()["s"]["m"]["nested"]["x"] = 1
    assert cacao.to_json()["s"]["m"] == {"ver": [1, 2], "nested": {"x": None}}
    assert cacao.cid == cid == Cacao.from_json(cacao.to_json()).cid


def test_cacao_deeply_nested_metadata_is_refused() -> None:
    deep: Any = []
    for _ in range(dag_cbor.MAX_DEPTH + 5):
        deep = [deep]
    with fast(), exactly(CacaoError):
        Cacao.from_json(cacao_with(lambda d: d["s"].update(m=deep)))


@pytest.mark.parametrize(
    "address",
    [
        "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266",
        ADDRESS,  # EIP-55
        "0xF39fd6e51aad88f6f4ce6ab8827279cfffb92266",  # mixed, wrong checksum
    ],
    ids=["upper", "eip55", "bad checksum"],
)
def test_cacao_iss_address_case_is_ignored(address: str) -> None:
    cacao = Cacao.from_json(cacao_with(lambda d: d["p"].update(iss=f"did:pkh:eip155:1:{address}")))
    cacao.verify(at_time=IAT + 3600)
    assert cacao.cid != FULL_CACAO.cid
    assert cacao.address == address


@pytest.mark.parametrize(
    "iss",
    [
        "DID:PKH:EIP155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:1:0Xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:01:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:0:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:-1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:" + "9" * 33 + ":0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:\uff11:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "did:pkh:eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226",
        "did:pkh:eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb922666",
        "did:pkh:eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\n",
        "did:pkh:solana:4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZ:AqpW4cQ1q7HWDLj6MZPe2RPXLhgKP",
        "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
        "",
    ],
)
def test_cacao_malformed_issuer(iss: str) -> None:
    cacao = Cacao.from_json(cacao_with(lambda d: d["p"].update(iss=iss)))
    with exactly(CacaoError):
        cacao.verify_signature()


@pytest.mark.parametrize("sig_type", ["eip1271", "EIP191", "eip191 ", "", "tezos:ed25519"])
def test_cacao_unknown_signature_types(sig_type: str) -> None:
    cacao = Cacao.from_json(cacao_with(lambda d: d["s"].update(t=sig_type)))
    with exactly(UnsupportedSignatureTypeError):
        cacao.verify(at_time=IAT + 3600)


def test_cacao_ethereum_issuer_with_solana_signature_type() -> None:
    # solana:ed25519 is supported now (issue 13); on an eip155 issuer it is refused.
    cacao = Cacao.from_json(cacao_with(lambda d: d["s"].update(t="solana:ed25519")))
    with exactly(InvalidSignatureError):
        cacao.verify(at_time=IAT + 3600)


def _cacao_with_recovery_id(recid: int) -> Cacao:
    for i in range(64):
        cacao = signed_cacao(nonce=f"recid{recid}n{i:03d}")
        if bytes.fromhex(cacao.signature[2:])[64] - 27 == recid:
            return cacao
    raise AssertionError("no signature with that recovery id")  # pragma: no cover


def _with_sig(cacao: Cacao, sig: bytes | str) -> Cacao:
    text = sig if isinstance(sig, str) else "0x" + sig.hex()
    return Cacao.from_json(cacao_with(lambda d: d["s"].update(s=text), cacao.to_json()))


@pytest.mark.parametrize("recid", [0, 1])
def test_cacao_every_recovery_byte(recid: int) -> None:
    cacao = _cacao_with_recovery_id(recid)
    rs = bytes.fromhex(cacao.signature[2:])[:64]
    accepted = []
    for v in range(256):
        candidate = _with_sig(cacao, rs + bytes([v]))
        try:
            candidate.verify_signature()
        except InvalidSignatureError:
            continue
        accepted.append(v)
    assert accepted == [recid, recid + 27]


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s[:-2],  # 64 bytes
        lambda s: s + "00",  # 66 bytes
        lambda s: s[2:],  # no 0x
        lambda s: "0X" + s[2:],
        lambda s: s[:-1],  # odd length
        lambda s: s[:10] + "g" + s[11:],
        lambda s: s[:10] + " " + s[11:],
        lambda s: s + "\n",
        lambda s: "",
        lambda s: "0x",
        lambda s: "0x" + "00" * 65,
    ],
    ids=[
        "64 bytes", "66 bytes", "no 0x", "0X", "odd", "non-hex", "space", "newline", "empty",
        "0x only", "zeros",
    ],
)  # fmt: skip
def test_cacao_malformed_signature_text(edit: Callable[[str], str]) -> None:
    with exactly(InvalidSignatureError):
        _with_sig(FULL_CACAO, edit(FULL_CACAO.signature)).verify_signature()


def test_cacao_signature_hex_case_is_ignored() -> None:
    _with_sig(FULL_CACAO, "0x" + FULL_CACAO.signature[2:].upper()).verify_signature()


def test_cacao_high_s_rule() -> None:
    sig = bytes.fromhex(FULL_CACAO.signature[2:])
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    assert s <= SECP256K1_N // 2  # eth-account signs low-S
    high = r + (SECP256K1_N - s).to_bytes(32, "big")
    flipped = (v - 27) ^ 1
    _with_sig(FULL_CACAO, high + bytes([27 + flipped])).verify_signature()  # accepted
    _with_sig(FULL_CACAO, high + bytes([flipped])).verify_signature()  # 0/1 form too
    with exactly(InvalidSignatureError):
        _with_sig(FULL_CACAO, high + bytes([v])).verify_signature()  # v not flipped
    for bad_r, bad_s in [
        (0, s),
        (int.from_bytes(r, "big"), 0),
        (SECP256K1_N, s),
        (int.from_bytes(r, "big"), SECP256K1_N),
        (2**256 - 1, s),
        (int.from_bytes(r, "big"), 2**256 - 1),
    ]:
        forged = bad_r.to_bytes(32, "big") + bad_s.to_bytes(32, "big") + bytes([v])
        with exactly(InvalidSignatureError):
            _with_sig(FULL_CACAO, forged).verify_signature()


def _windowed(field: str) -> tuple[Cacao, float]:
    """A signed CACAO and the boundary instant (with zero skew) of ``field``."""
    if field == "iat":
        return signed_cacao(not_before=None, expiration_time=None), IAT
    if field == "nbf":
        return signed_cacao(expiration_time=None), IAT + 600
    return signed_cacao(not_before=None), IAT + 7 * 86400


@pytest.mark.parametrize("offset_ms", [-1, 0, 1])
@pytest.mark.parametrize("skew", [None, 0, 60])
@pytest.mark.parametrize("field", ["iat", "nbf", "exp"])
def test_cacao_time_window_boundaries(field: str, skew: float | None, offset_ms: int) -> None:
    cacao, instant = _windowed(field)
    used = DEFAULT_CLOCK_SKEW_SECS if skew is None else skew
    policy = TimePolicy() if skew is None else TimePolicy(clock_skew_secs=skew)
    if field == "exp":
        now = instant + used + offset_ms / 1000
        error = CapabilityExpiredError if offset_ms > 0 else None
    else:
        now = instant - used + offset_ms / 1000
        error = CapabilityNotYetValidError if offset_ms < 0 else None
    clocked = TimePolicy(clock=lambda: now, clock_skew_secs=policy.clock_skew_secs)
    if error is None:
        cacao.verify(at_time=now, time_policy=policy)
        cacao.verify(time_policy=clocked)
    else:
        with exactly(error):
            cacao.verify(at_time=now, time_policy=policy)
        with exactly(error):
            cacao.verify(time_policy=clocked)


def test_cacao_phase_out_and_disabled_expiry() -> None:
    cacao, exp = _windowed("exp")
    skew = DEFAULT_CLOCK_SKEW_SECS
    phase_out = TimePolicy(revocation_phaseout_secs=30)
    cacao.verify(at_time=exp + skew + 30, time_policy=phase_out)
    with exactly(CapabilityExpiredError):
        cacao.verify(at_time=exp + skew + 30.001, time_policy=phase_out)
    cacao.verify(at_time=exp + 10**9, disable_expiration_check=True)
    with exactly(CapabilityNotYetValidError):  # disabling expiry keeps the start
        signed_cacao(not_before=None).verify(at_time=IAT - 1000, disable_expiration_check=True)


BAD_TIMES = {
    "fullwidth digits": "\uff12\uff10\uff13\uff10-01-01T00:00:00Z",
    "arabic digits": "\u0662\u0660\u0663\u0660-01-01T00:00:00Z",
    "lower t": "2030-01-01t00:00:00Z",
    "lower z": "2030-01-01T00:00:00z",
    "no offset": "2030-01-01T00:00:00",
    "date only": "2030-01-01",
    "hour 24": "2030-01-01T24:00:00Z",
    "minute 60": "2030-01-01T00:60:00Z",
    "offset +24:00": "2030-01-01T00:00:00+24:00",
    "10 digit fraction": "2030-01-01T00:00:00.0000000000Z",
    "leading space": " 2030-01-01T00:00:00Z",
    "trailing newline": "2030-01-01T00:00:00Z\n",
    "5-digit year": "12030-01-01T00:00:00Z",
    "29 Feb 2031": "2031-02-29T00:00:00Z",
    "unix seconds": "1893456000",
    "Infinity": "Infinity",
}


@pytest.mark.parametrize("bad", BAD_TIMES.values(), ids=BAD_TIMES.keys())
@pytest.mark.parametrize("field", ["iat", "nbf", "exp"])
def test_cacao_malformed_times_fail_closed(field: str, bad: str) -> None:
    cacao = Cacao.from_json(cacao_with(lambda d: d["p"].update({field: bad})))
    with exactly(CacaoError):
        cacao.verify(at_time=IAT + 3600)
    with exactly(CacaoError):
        cacao.check_time(at_time=IAT + 3600, disable_expiration_check=True)


def test_cacao_nan_check_inputs_fail_closed() -> None:
    nan = float("nan")
    for kwargs in (
        {"at_time": nan},
        {"time_policy": TimePolicy(clock=lambda: nan)},
        {"at_time": IAT + 3600, "time_policy": TimePolicy(clock_skew_secs=nan)},
        {"at_time": IAT + 3600, "time_policy": TimePolicy(revocation_phaseout_secs=nan)},
    ):
        with exactly(CacaoError):
            FULL_CACAO.verify(**kwargs)  # type: ignore[arg-type]
    with exactly(CapabilityExpiredError):
        FULL_CACAO.verify(at_time=float("inf"))
    with exactly(CapabilityNotYetValidError):
        FULL_CACAO.verify(at_time=float("-inf"))
    FULL_CACAO.verify(at_time=0, time_policy=TimePolicy(clock_skew_secs=float("inf")))


# =========================================================================================
# 3. JWS: tampering, alg confusion, kid forms, cap binding, structure, size
# =========================================================================================


def test_jws_baseline_verifies(session: DIDSession, jws: dict[str, Any]) -> None:
    result = verify(jws, capability=session.cacao, issuer=session.id)
    assert result.header["alg"] == session.signer.alg
    assert result.header["cap"] == f"ipfs://{session.cacao.cid}"
    assert result.payload_json() == {"hello": "world", "n": 1}
    assert result.issuer == session.id and result.signer_did == session.did.id


_HEADER_EDITS: dict[str, tuple[Callable[[dict[str, Any]], bytes], type[DIDSessionError]]] = {
    "extra field": (lambda h: json.dumps({**h, "x": 1}).encode(), InvalidSignatureError),
    "keys reordered": (
        lambda h: json.dumps(dict(reversed(list(h.items())))).encode(),
        InvalidSignatureError,
    ),
    "pretty printed": (lambda h: json.dumps(h, indent=1).encode(), InvalidSignatureError),
    "cap removed": (
        lambda h: json.dumps({k: v for k, v in h.items() if k != "cap"}).encode(),
        InvalidSignatureError,
    ),
    "duplicate cap": (
        lambda h: json.dumps(h)[:-1].encode() + b',"cap":"ipfs://x"}',
        InvalidSignatureError,
    ),
    "not JSON": (lambda h: b"not json", JWSError),
    "JSON array": (lambda h: json.dumps(list(h.items())).encode(), JWSError),
    "JSON string": (lambda h: b'"EdDSA"', JWSError),
    "UTF-16": (lambda h: json.dumps(h).encode("utf-16"), JWSError),
    "UTF-8 BOM": (lambda h: b"\xef\xbb\xbf" + json.dumps(h).encode(), JWSError),
    "invalid UTF-8": (lambda h: json.dumps(h).encode()[:-2] + b'\xff"}', JWSError),
    "deeply nested": (lambda h: b"[" * 100_000 + b"]" * 100_000, JWSError),
    "NaN": (lambda h: json.dumps({**h, "x": float("nan")}).encode(), InvalidSignatureError),
    "empty": (lambda h: b"", JWSError),
}


@pytest.mark.parametrize("edit", list(_HEADER_EDITS))
@pytest.mark.usefixtures("high_recursion_limit")
def test_jws_tampered_header(session: DIDSession, jws: dict[str, Any], edit: str) -> None:
    make, error = _HEADER_EDITS[edit]
    forged = copy.deepcopy(jws)
    forged["signatures"][0]["protected"] = b64url_encode(make(header_of(jws)))
    with fast(), exactly(error):
        verify(forged)


@pytest.mark.parametrize(
    "protected",
    [lambda p: p + "=", lambda p: p + "==", lambda p: p[:5] + "+" + p[6:], lambda p: p + " "],
    ids=["pad", "pad2", "plus", "space"],
)
def test_jws_header_not_base64url(jws: dict[str, Any], protected: Callable[[str], str]) -> None:
    forged = copy.deepcopy(jws)
    forged["signatures"][0]["protected"] = protected(jws["signatures"][0]["protected"])
    with exactly(JWSError):
        verify(forged)


def test_jws_header_swapped_for_another_sessions(ed: DIDSession, ed_other: DIDSession) -> None:
    mine = run_sync(ed.did.create_jws({"a": 1}))
    theirs = run_sync(ed_other.did.create_jws({"a": 1}))
    forged = copy.deepcopy(mine)
    forged["signatures"][0]["protected"] = theirs["signatures"][0]["protected"]
    with exactly(InvalidSignatureError):
        verify(forged)
    with exactly(CapabilityMismatchError):  # their cap header, my capability
        verify(forged, capability=ed.cacao)
    with exactly(InvalidSignatureError):  # their capability, my signature
        verify(forged, capability=ed_other.cacao, issuer=ed_other.id)


def test_jws_every_payload_byte_flipped(session: DIDSession, jws: dict[str, Any]) -> None:
    payload = b64url_decode(jws["payload"])
    for position in range(len(payload)):
        for mask in (0x01, 0x80):
            forged = copy.deepcopy(jws)
            changed = bytearray(payload)
            changed[position] ^= mask
            forged["payload"] = b64url_encode(bytes(changed))
            with exactly(InvalidSignatureError):
                verify(forged, capability=session.cacao)


@pytest.mark.parametrize(
    "payload",
    [lambda p: p + "=", lambda p: p[:-1] + "+", lambda p: p + "\n", lambda p: p[:-1] + "!"],
    ids=["padding", "plus", "newline", "bang"],
)
def test_jws_payload_not_base64url(jws: dict[str, Any], payload: Callable[[str], str]) -> None:
    forged = {**jws, "payload": payload(jws["payload"])}
    with exactly(JWSError):
        verify(forged)


def test_jws_every_signature_byte_flipped(session: DIDSession, jws: dict[str, Any]) -> None:
    signature = b64url_decode(jws["signatures"][0]["signature"])
    assert len(signature) == 64
    for position in range(64):
        for mask in (0x01, 0x80, 0xFF):
            changed = bytearray(signature)
            changed[position] ^= mask
            with exactly(InvalidSignatureError):
                verify(with_signature(jws, bytes(changed)), capability=session.cacao)


def test_jws_signature_lengths_and_encodings(session: DIDSession, jws: dict[str, Any]) -> None:
    signature = b64url_decode(jws["signatures"][0]["signature"])
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    for bad in (
        b"",
        signature[:63],
        signature + b"\x00",
        signature * 2,
        b"\x00" * 64,
        encode_dss_signature(r, s),  # DER instead of raw r || s
    ):
        with exactly(InvalidSignatureError):
            verify(with_signature(jws, bad))
    text = jws["signatures"][0]["signature"]
    assert len(text) == 86  # 64 bytes: 2 trailing bits in the last character
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(text[-1])
    assert last & 0xF == 0  # only the top 2 of its 6 bits carry data
    non_canonical = text[:-1] + alphabet[last | 1]
    with exactly(JWSError):
        verify(with_signature(jws, non_canonical))
    for bad_text in (text + "=", text + "==", text[:-1], text.replace(text[0], "+", 1)):
        with exactly(JWSError):
            verify(with_signature(jws, bad_text))


def test_jws_p256_high_s_is_accepted_and_zero_refused(p256: DIDSession) -> None:
    jws = run_sync(p256.did.create_jws({"a": 1}))
    signature = b64url_decode(jws["signatures"][0]["signature"])
    r, s = signature[:32], int.from_bytes(signature[32:], "big")
    verify(with_signature(jws, r + (P256_N - s).to_bytes(32, "big")), capability=p256.cacao)
    for bad in (bytes(32) + signature[32:], r + bytes(32), r + P256_N.to_bytes(32, "big")):
        with exactly(InvalidSignatureError):
            verify(with_signature(jws, bad))


def test_jws_ed25519_non_canonical_s_is_refused(ed: DIDSession) -> None:
    jws = run_sync(ed.did.create_jws({"a": 1}))
    signature = b64url_decode(jws["signatures"][0]["signature"])
    s_plus_l = int.from_bytes(signature[32:], "little") + ED25519_L
    assert s_plus_l < 2**256
    forged = signature[:32] + s_plus_l.to_bytes(32, "little")
    with exactly(InvalidSignatureError):
        verify(with_signature(jws, forged), capability=ed.cacao)


_MISSING = object()
_ALG_CASES: list[tuple[str, Any, type[DIDSessionError]]] = [
    *[
        ("ed25519", alg, UnsupportedAlgorithmError)
        for alg in ("none", "HS256", "ES256K", "RS256", "ES256", "eddsa", "EDDSA", "Ed25519", "")
    ],
    *[
        ("p256", alg, UnsupportedAlgorithmError)
        for alg in ("none", "HS256", "ES256K", "RS256", "EdDSA", "es256", "ES384", "")
    ],
    *[
        (kind, alg, JWSError)
        for kind in ("ed25519", "p256")
        for alg in (_MISSING, None, 1, ["EdDSA"], {"alg": "ES256"}, True)
    ],
]


@pytest.mark.parametrize(("kind", "alg", "error"), _ALG_CASES)
def test_jws_alg_confusion(
    kind: str, alg: Any, error: type[DIDSessionError], request: pytest.FixtureRequest
) -> None:
    session: DIDSession = request.getfixturevalue("ed" if kind == "ed25519" else "p256")
    header = {"cap": f"ipfs://{session.cacao.cid}", "kid": f"{session.did.id}#{session.did.id[8:]}"}
    if alg is not _MISSING:
        header["alg"] = alg
    forged = sign_jws(session.signer, header, b64url_encode(b'{"a":1}'))
    with exactly(error):
        verify(forged, capability=session.cacao, issuer=session.id)


def _secp256k1_did() -> str:
    public = secp256k1_public_key((7).to_bytes(32, "big"))
    return did_key_of(0xE7, secp256k1_compress(public))


_KID_CASES: dict[str, tuple[Callable[[str], Any], type[DIDSessionError]]] = {
    "missing": (lambda d: _MISSING, JWSError),
    "null": (lambda d: None, JWSError),
    "int": (lambda d: 7, JWSError),
    "empty": (lambda d: "", JWSError),
    "no fragment": (lambda d: d, JWSError),
    "empty fragment": (lambda d: d + "#", JWSError),
    "fragment keys-1": (lambda d: d + "#keys-1", JWSError),
    "fragment of another key": (lambda d: d + "#" + ED_DID.split(":")[2], JWSError),
    "two fragments": (lambda d: f"{d}#{d[8:]}#{d[8:]}", JWSError),
    "query": (lambda d: f"{d}?x=1#{d[8:]}", JWSError),
    "upper-case method": (lambda d: f"DID:KEY:{d[8:]}#{d[8:]}", JWSError),
    "did:pkh": (lambda d: "did:pkh:eip155:1:" + ADDRESS.lower() + "#blockchainAccountId", JWSError),
    "did:web": (lambda d: "did:web:example.org#key-1", JWSError),
    "secp256k1 did:key": (
        lambda d: f"{_secp256k1_did()}#{_secp256k1_did()[8:]}",
        UnsupportedAlgorithmError,
    ),
    "unknown codec": (
        lambda d: f"{did_key_of(0x99, bytes(32))}#{did_key_of(0x99, bytes(32))[8:]}",
        UnsupportedKeyTypeError,
    ),
    "700 KB kid": (lambda d: "did:key:z" + "2" * 700_000 + "#z", JWSError),
}


@pytest.mark.parametrize("case", list(_KID_CASES))
def test_jws_kid_forms(session: DIDSession, case: str) -> None:
    make, error = _KID_CASES[case]
    kid = make(session.did.id)
    header: dict[str, Any] = {"alg": session.signer.alg, "cap": f"ipfs://{session.cacao.cid}"}
    if kid is not _MISSING:
        header["kid"] = kid
    forged = sign_jws(session.signer, header, b64url_encode(b'{"a":1}'))
    with fast(), exactly(error):
        verify(forged, capability=session.cacao)


def test_jws_legacy_uncompressed_p256_kid_of_the_same_key(p256: DIDSession) -> None:
    key = DIDKey(KeyType.P256, p256.signer.public_key)  # type: ignore[attr-defined]
    legacy = did_key_of(0x1200, key.uncompressed)
    assert legacy != p256.did.id
    header = {"alg": "ES256", "cap": f"ipfs://{p256.cacao.cid}", "kid": f"{legacy}#{legacy[8:]}"}
    result = verify(sign_jws(p256.signer, header, "e30"), capability=p256.cacao, issuer=p256.id)
    assert result.signer == key and result.signer_did == legacy


_CAP_CASES: dict[str, Callable[[DIDSession, DIDSession], Any]] = {
    "another CACAO's CID": lambda s, o: f"ipfs://{o.cacao.cid}",
    "missing": lambda s, o: _MISSING,
    "ipfs:// + garbage": lambda s, o: "ipfs://garbage",
    "ipfs:// only": lambda s, o: "ipfs://",
    "bare CID": lambda s, o: s.cacao.cid,
    "upper-case CID": lambda s, o: f"ipfs://{s.cacao.cid.upper()}",
    "base58 CID": lambda s, o: f"ipfs://z{b58encode(s.cacao.cid_obj.bytes)}",
    "ipns://": lambda s, o: f"ipns://{s.cacao.cid}",
    "trailing slash": lambda s, o: f"ipfs://{s.cacao.cid}/",
    "int": lambda s, o: 42,
    "list": lambda s, o: [f"ipfs://{s.cacao.cid}"],
}


@pytest.mark.parametrize("case", list(_CAP_CASES))
def test_jws_cap_header_must_be_the_capability_cid(
    session: DIDSession, ed_other: DIDSession, case: str
) -> None:
    cap = _CAP_CASES[case](session, ed_other)
    header: dict[str, Any] = {
        "alg": session.signer.alg,
        "kid": f"{session.did.id}#{session.did.id[8:]}",
    }
    if cap is not _MISSING:
        header["cap"] = cap
    forged = sign_jws(session.signer, header, "e30")
    with exactly(CapabilityMismatchError, match="cap header"):
        verify(forged, capability=session.cacao, issuer=session.id)
    # Without a capability the cap header is not checked (as JS): the did:key signed it.
    assert verify(forged).signer_did == session.did.id


def test_jws_signer_is_not_the_capability_audience(ed: DIDSession, ed_other: DIDSession) -> None:
    # The attacker holds one session key and claims another session's capability.
    forged = run_sync(create_jws(ed.signer, {"a": 1}, cap=f"ipfs://{ed_other.cacao.cid}"))
    with exactly(CapabilityMismatchError, match="audience"):
        verify(forged, capability=ed_other.cacao, issuer=ed_other.id)


def test_jws_issuer_checks(session: DIDSession, jws: dict[str, Any]) -> None:
    other_chain = session.id.replace("eip155:1:", "eip155:5:")
    with exactly(CapabilityMismatchError, match="issuer"):
        verify(jws, capability=session.cacao, issuer=other_chain)
    with exactly(CapabilityMismatchError, match="issuer"):
        verify(jws, capability=session.cacao, issuer="did:pkh:eip155:1:0x" + "0" * 40)
    upper = "did:pkh:eip155:1:" + session.id.split(":")[-1].upper().replace("0X", "0x")
    assert verify(jws, capability=session.cacao, issuer=upper).issuer == session.id
    with exactly(CapabilityMismatchError):  # a did:pkh claim needs the capability
        verify(jws, issuer=session.id)
    assert verify(jws, issuer=session.did.id).issuer == session.did.id


def test_jws_capability_of_another_chain() -> None:
    wallet = TestWallet(chain_id=137)
    polygon = AccountId(137, wallet.address)
    session = run_sync(DIDSession.authorize(auth(wallet, polygon), resources=["ceramic://*"]))
    jws = run_sync(session.did.create_jws({"a": 1}))
    assert verify(jws, capability=session.cacao, issuer=polygon.did_pkh).issuer == polygon.did_pkh
    with exactly(CapabilityMismatchError):
        verify(jws, capability=session.cacao, issuer=ACCOUNT.did_pkh)
    # Moving the CACAO to chain 1 breaks its signature (the chain id is in the SIWE text).
    moved = Cacao.from_json(
        cacao_with(lambda d: d["p"].update(iss=ACCOUNT.did_pkh), session.cacao.to_json())
    )
    forged = run_sync(create_jws(session.signer, {"a": 1}, cap=f"ipfs://{moved.cid}"))
    with exactly(InvalidSignatureError):
        verify(forged, capability=moved, issuer=ACCOUNT.did_pkh)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda j: j["signatures"].append(copy.deepcopy(j["signatures"][0])),
        lambda j: j["signatures"].clear(),
        lambda j: j.update(signatures=j["signatures"][0]),
        lambda j: j.update(signatures=[list(j["signatures"][0].items())]),
        lambda j: j["signatures"][0].update(protected=7),
        lambda j: j["signatures"][0].pop("protected"),
        lambda j: j["signatures"][0].update(signature=None),
        lambda j: j.update(payload=b"e30"),
        lambda j: j.pop("payload"),
    ],
    ids=[
        "two signatures", "no signatures", "signatures object", "entry list", "protected int",
        "protected missing", "signature null", "payload bytes", "payload missing",
    ],
)  # fmt: skip
def test_jws_malformed_general_structure(
    jws: dict[str, Any], mutate: Callable[[dict[str, Any]], Any]
) -> None:
    forged = copy.deepcopy(jws)
    mutate(forged)
    with exactly(JWSError):
        verify(forged)


@pytest.mark.parametrize("value", [None, 42, b"a.b.c", ["a", "b", "c"], {"payload": "e30"}])
def test_jws_not_a_jws(value: Any) -> None:
    with exactly(JWSError):
        verify(value)


def test_jws_compact_forms(session: DIDSession, jws: dict[str, Any]) -> None:
    h, p, s = (jws["signatures"][0]["protected"], jws["payload"], jws["signatures"][0]["signature"])
    assert verify(f"{h}.{p}.{s}", capability=session.cacao).payload == b'{"hello":"world","n":1}'
    for bad in (
        "", ".", "..", f"{h}.{p}", f"{h}.{p}.{s}.", f"{h}.{p}.{s}.{s}", f"{h}", f"{h}..{s}",
        f"{h}=.{p}.{s}", f"{h}.{p}=.{s}", f"{h}.{p}.{s}=", f"{h}.{p}.{s}==",
        f"{h}.{p}+.{s}", f"{h}.{p}.{s[:-2]}/A", f" {h}.{p}.{s}", f"{h}.{p}.{s}\n",
        f"{h}.{p}\u00e9.{s}",
    ):  # fmt: skip
        error = InvalidSignatureError if bad == f"{h}..{s}" else JWSError
        with exactly(error):
            verify(bad)


def test_jws_two_megabytes_is_refused_quickly(jws: dict[str, Any]) -> None:
    h, s = jws["signatures"][0]["protected"], jws["signatures"][0]["signature"]
    big = "A" * (2 << 20)
    for forged in (
        f"{h}.{big}.{s}",
        {**jws, "payload": big},
        {"payload": "e30", "signatures": [{"protected": big, "signature": s}]},
        {"payload": "e30", "signatures": [copy.deepcopy(jws["signatures"][0])] * 100_000},
    ):
        with fast(), exactly(JWSError):
            verify(forged)


def test_jws_time_window_of_the_capability(session: DIDSession, jws: dict[str, Any]) -> None:
    exp = session.cacao.expires_at()
    assert exp is not None
    skew = DEFAULT_CLOCK_SKEW_SECS
    verify(jws, capability=session.cacao, at_time=exp + skew)
    with exactly(CapabilityExpiredError):
        verify(jws, capability=session.cacao, at_time=exp + skew + 0.001)
    verify(jws, capability=session.cacao, at_time=exp + 10**6, disable_timecheck=True)
    iat = parse_rfc3339(session.cacao.payload.iat)
    with exactly(CapabilityNotYetValidError):
        verify(jws, capability=session.cacao, at_time=iat - skew - 0.001)
    with exactly(CapabilityNotYetValidError):  # disable_timecheck skips only the expiry
        verify(jws, capability=session.cacao, at_time=iat - skew - 1, disable_timecheck=True)


def test_jws_cannot_be_created_after_expiry() -> None:
    now = [IAT]
    clock = lambda: now[0]  # noqa: E731
    wallet_auth = EthereumNodeAuth.get_auth_method(TestWallet(), ACCOUNT, "example.org")
    session = run_sync(
        DIDSession.authorize(
            wallet_auth, resources=["a:b"], expires_in_secs=60, time_policy=TimePolicy(clock=clock)
        )
    )
    run_sync(session.did.create_jws({"a": 1}))
    now[0] += 60.001
    with exactly(SessionExpiredError):
        run_sync(session.did.create_jws({"a": 1}))


@pytest.mark.usefixtures("high_recursion_limit")
def test_jws_unencodable_payloads_are_refused(ed: DIDSession) -> None:
    deep: Any = {}
    for _ in range(100_000):
        deep = {"a": deep}
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    deep_list: Any = []
    for _ in range(100_000):
        deep_list = [deep_list]
    for payload in (
        deep,
        deep_list,
        cyclic,
        {"a": "\udc00"},
        {"a": float("nan")},
        {1: 2},
        {"a": {1, 2}},
    ):
        with exactly(JWSError):
            run_sync(ed.did.create_jws(payload))
    for payload_text in ("not base64!", "e30=", "a"):
        with exactly(JWSError):
            run_sync(ed.did.create_jws(payload_text))


@pytest.mark.usefixtures("high_recursion_limit")
def test_jws_payload_json_of_hostile_payloads(ed: DIDSession) -> None:
    for raw in (b"[" * 100_000, b"\xff", b"not json", '{"a":1}'.encode("utf-16")):
        result = verify(run_sync(ed.did.create_jws(raw)), capability=ed.cacao)
        with exactly(JWSError):
            result.payload_json()


# =========================================================================================
# 4. DAG-CBOR blocks of CACAOs; did:keys as JWS kid and CACAO aud
# =========================================================================================

_enc = dag_cbor.encode


def _entries(obj: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    return sorted((_enc(k), _enc(v)) for k, v in obj.items())


def _map(entries: list[tuple[bytes, bytes]], head: bytes | None = None) -> bytes:
    return (head or bytes([0xA0 | len(entries)])) + b"".join(k + v for k, v in entries)


_H, _P, _S = FULL_JSON["h"], FULL_JSON["p"], FULL_JSON["s"]
_TOP = [(_enc("h"), _enc(_H)), (_enc("p"), _enc(_P)), (_enc("s"), _enc(_S))]
assert _map(_TOP) == FULL_CACAO.block


def _with_s_value(raw_value: bytes) -> bytes:
    """The CACAO block with ``s.m`` set to an already-encoded CBOR value."""
    s = _map([(_enc("m"), raw_value), *_entries(_S)])
    return _map([_TOP[0], _TOP[1], (_enc("s"), s)])


NON_CANONICAL_BLOCKS = {
    "unsorted top-level keys": _map([_TOP[1], _TOP[0], _TOP[2]]),
    "unsorted payload keys": _map(
        [_TOP[0], (_enc("p"), _map(list(reversed(_entries(_P))))), _TOP[2]]
    ),
    "duplicate top-level key": _map([_TOP[0], _TOP[1], _TOP[1]]),
    "duplicate payload key": _map(
        [_TOP[0], (_enc("p"), _map([*_entries(_P)[:1], *_entries(_P)])), _TOP[2]]
    ),
    "non-minimal map length": _map(_TOP, head=b"\xb8\x03"),
    "non-minimal key length": b"\xa3\x78\x01h"
    + _TOP[0][1]
    + _TOP[1][0]
    + _TOP[1][1]
    + _TOP[2][0]
    + _TOP[2][1],
    "non-minimal string length": _map([(_enc("h"), b"\xa1\x61t\x78\x07eip4361"), _TOP[1], _TOP[2]]),
    "non-minimal uint": _with_s_value(b"\x18\x01"),
    "non-minimal uint16": _with_s_value(b"\x19\x00\xff"),
    "indefinite-length map": b"\xbf" + _map(_TOP)[1:] + b"\xff",
    "indefinite-length string": b"\xa3\x7f\x61h\xff" + _map(_TOP)[3:],
    "indefinite-length array": _with_s_value(b"\x9f\x01\xff"),
    "float16": _with_s_value(b"\xf9\x3c\x00"),
    "float32": _with_s_value(b"\xfa\x3f\x80\x00\x00"),
    "NaN float64": _with_s_value(b"\xfb\x7f\xf8\x00\x00\x00\x00\x00\x00"),
    "undefined": _with_s_value(b"\xf7"),
    "tag 0": _with_s_value(b"\xc0" + _enc("2030-01-01T00:00:00Z")),
    "invalid UTF-8": _with_s_value(b"\x62\xc3\x28"),
    "integer map key": _map([(b"\x01", b"\x01"), *_TOP], head=b"\xa4"),
    "trailing byte": FULL_CACAO.block + b"\x00",
    "truncated": FULL_CACAO.block[:-1],
    "empty": b"",
    "too deep": _with_s_value(b"\x81" * 600 + b"\x80"),
}


@pytest.mark.parametrize("name", list(NON_CANONICAL_BLOCKS))
def test_cbor_non_canonical_cacao_block(name: str) -> None:
    with fast(), exactly(CacaoError) as info:
        Cacao.from_block(NON_CANONICAL_BLOCKS[name])
    assert type(info.value.__cause__) is CBORError


@pytest.mark.parametrize(
    "value",
    [
        cacao_with(lambda d: d["s"].update(s=bytes.fromhex(d["s"]["s"][2:]))),  # CAIP-74 bytes
        cacao_with(lambda d: d["p"].update(version=1)),
        cacao_with(lambda d: d["p"].update(nbf=None)),
        cacao_with(lambda d: d.update(v=1)),
        [FULL_JSON["h"], FULL_JSON["p"], FULL_JSON["s"]],
        "bafy",
    ],
    ids=["s.s bytes", "version int", "nbf null", "extra key", "list", "string"],
)
def test_cbor_canonical_block_that_is_not_a_cacao(value: Any) -> None:
    with exactly(CacaoError) as info:
        Cacao.from_block(_enc(value))
    assert info.value.__cause__ is None


def test_cbor_float64_metadata_is_valid_ipld() -> None:
    block = _with_s_value(_enc(1.0))
    cacao = Cacao.from_block(block)
    assert cacao.block == block and cacao.to_json()["s"]["m"] == 1.0
    cacao.verify(at_time=IAT + 3600)


@pytest.mark.parametrize("value", [None, "a3", 42, [0xA3]])
def test_cbor_from_block_wrong_types(value: Any) -> None:
    with exactly(CacaoError):
        Cacao.from_block(value)


def _non_residue_x(p: int, a: int, b: int) -> int:
    x = 1
    while pow((x**3 + a * x + b) % p, (p - 1) // 2, p) != p - 1:
        x += 1
    return x


def _ed25519_non_point() -> bytes:
    p = 2**255 - 19
    d = (-121665 * pow(121666, p - 2, p)) % p
    y = 2
    while True:
        x2 = (y * y - 1) * pow(d * y * y + 1, p - 2, p) % p
        if pow(x2, (p - 1) // 2, p) == p - 1:
            return y.to_bytes(32, "little")
        y += 1


_P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
_P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_K1_P = 2**256 - 2**32 - 977
BAD_DID_KEYS: dict[str, tuple[str, type[DIDSessionError]]] = {
    "ed25519 31 bytes": (did_key_of(0xED, bytes(range(31))), JWSError),
    "ed25519 33 bytes": (did_key_of(0xED, bytes(range(33))), JWSError),
    "ed25519 not a point": (did_key_of(0xED, _ed25519_non_point()), JWSError),
    "ed25519 codec only": (did_key_of(0xED, b""), JWSError),
    "p256 off curve": (
        did_key_of(0x1200, b"\x02" + _non_residue_x(_P256_P, -3, _P256_B).to_bytes(32, "big")),
        JWSError,
    ),
    "p256 x >= p": (did_key_of(0x1200, b"\x03" + b"\xff" * 32), JWSError),
    "p256 prefix 05": (did_key_of(0x1200, b"\x05" + bytes(range(32))), JWSError),
    "p256 32 bytes": (did_key_of(0x1200, bytes(range(32))), JWSError),
    "secp256k1 off curve": (
        did_key_of(0xE7, b"\x02" + _non_residue_x(_K1_P, 0, 7).to_bytes(32, "big")),
        JWSError,
    ),
    "secp256k1 uncompressed": (
        did_key_of(0xE7, secp256k1_public_key((7).to_bytes(32, "big"))),
        JWSError,
    ),
    "non-minimal varint": ("did:key:z" + b58encode(b"\xed\x81\x00" + bytes(32)), JWSError),
    "truncated varint": ("did:key:z" + b58encode(b"\xed"), JWSError),
    "base58 of 3000 chars": ("did:key:z" + "2" * 3000, JWSError),
    "unknown codec 0x99": (did_key_of(0x99, bytes(32)), UnsupportedKeyTypeError),
    "x25519": (did_key_of(0xEC, b"\x09" + bytes(31)), UnsupportedKeyTypeError),
    "bls12_381 g2": (did_key_of(0xEB, bytes(96)), UnsupportedKeyTypeError),
    "p384": (did_key_of(0x1201, b"\x02" + bytes(48)), UnsupportedKeyTypeError),
    "rsa": (did_key_of(0x1205, bytes(270)), UnsupportedKeyTypeError),
}


@pytest.mark.parametrize("name", list(BAD_DID_KEYS))
def test_didkey_bad_key_as_jws_kid(ed: DIDSession, name: str) -> None:
    did, error = BAD_DID_KEYS[name]
    header = {"alg": "EdDSA", "cap": f"ipfs://{ed.cacao.cid}", "kid": f"{did}#{did[8:]}"}
    forged = sign_jws(ed.signer, header, "e30")
    with fast(), exactly(error):
        verify(forged)
    with exactly(error):
        verify(forged, capability=ed.cacao, issuer=ed.id)


@pytest.mark.parametrize("name", list(BAD_DID_KEYS))
def test_didkey_bad_key_as_cacao_aud(ed: DIDSession, name: str) -> None:
    did = BAD_DID_KEYS[name][0]
    # A wallet may well sign a capability for any URI: the CACAO itself verifies ...
    cacao = signed_cacao(uri=did, not_before=None, issued_at=format_iso_ms(time.time()))
    cacao.verify()
    # ... but no session key is its audience.
    jws = run_sync(create_jws(ed.signer, {"a": 1}, cap=f"ipfs://{cacao.cid}"))
    with exactly(CapabilityMismatchError, match="audience"):
        verify(jws, capability=cacao)
    with exactly(CapabilityMismatchError):
        DIDSession(signer=ed.signer, cacao=cacao)
    seed = b64_encode(bytes(32))
    text = json.dumps({"sessionKeySeed": seed, "cacao": cacao.to_json()}).encode()
    with exactly(CapabilityMismatchError):
        run_sync(DIDSession.from_session(b64url_encode(text)))


# =========================================================================================
# 5. Serialized sessions
# =========================================================================================


def _encode_session(obj: Any) -> str:
    return b64url_encode(json.dumps(obj, separators=(",", ":")).encode())


def _load(text: str, **kwargs: Any) -> DIDSession:
    return run_sync(DIDSession.from_session(text, **kwargs))


@pytest.fixture(scope="module")
def serialized(ed: DIDSession) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(ed.serialize())))


_SESSION_CASES: dict[str, tuple[Callable[[dict[str, Any]], str], type[DIDSessionError]]] = {
    "empty": (lambda d: "", SerializedSessionError),
    "not base64url": (lambda d: "!!!!", SerializedSessionError),
    "standard alphabet": (
        lambda d: _encode_session(d).replace("-", "+").replace("_", "/") + "+/",
        SerializedSessionError,
    ),
    "impossible length": (lambda d: _encode_session(d) + "A", SerializedSessionError),
    "wrong padding": (lambda d: _encode_session(d) + "===", SerializedSessionError),
    "inner whitespace": (lambda d: _encode_session(d)[:10] + " " + _encode_session(d)[10:],
                         SerializedSessionError),
    "not UTF-8": (lambda d: b64url_encode(b"\xff\xfe{}"), SerializedSessionError),
    "not JSON": (lambda d: b64url_encode(b"{sessionKeySeed:"), SerializedSessionError),
    "JSON list": (lambda d: _encode_session([d["sessionKeySeed"], d["cacao"]]),
                  SerializedSessionError),
    "JSON string": (lambda d: _encode_session("session"), SerializedSessionError),
    "JSON null": (lambda d: _encode_session(None), SerializedSessionError),
    "JSON number": (lambda d: _encode_session(1), SerializedSessionError),
    "deeply nested JSON": (
        lambda d: b64url_encode(b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        SerializedSessionError,
    ),
    "missing seed": (lambda d: _encode_session({"cacao": d["cacao"]}), SerializedSessionError),
    "missing cacao": (lambda d: _encode_session({"sessionKeySeed": d["sessionKeySeed"]}),
                      SerializedSessionError),
    "extra field": (lambda d: _encode_session({**d, "did": "x"}), SerializedSessionError),
    "seed int": (lambda d: _encode_session({**d, "sessionKeySeed": 1}), SerializedSessionError),
    "seed null": (lambda d: _encode_session({**d, "sessionKeySeed": None}),
                  SerializedSessionError),
    "seed list": (lambda d: _encode_session({**d, "sessionKeySeed": list(range(32))}),
                  SerializedSessionError),
    "seed 0 bytes": (lambda d: _encode_session({**d, "sessionKeySeed": ""}),
                     SerializedSessionError),
    "seed 31 bytes": (lambda d: _encode_session({**d, "sessionKeySeed": b64_encode(bytes(31))}),
                      SerializedSessionError),
    "seed 33 bytes": (lambda d: _encode_session({**d, "sessionKeySeed": b64_encode(bytes(33))}),
                      SerializedSessionError),
    "seed 64 bytes": (lambda d: _encode_session({**d, "sessionKeySeed": b64_encode(bytes(64))}),
                      SerializedSessionError),
    "seed unpadded": (
        lambda d: _encode_session({**d, "sessionKeySeed": d["sessionKeySeed"].rstrip("=")}),
        SerializedSessionError,
    ),
    "seed with whitespace": (
        lambda d: _encode_session({**d, "sessionKeySeed": " " + d["sessionKeySeed"]}),
        SerializedSessionError,
    ),
    "seed hex": (lambda d: _encode_session({**d, "sessionKeySeed": "00" * 32}),
                 SerializedSessionError),
    "cacao string": (lambda d: _encode_session({**d, "cacao": "bafy"}), SerializedSessionError),
    "cacao null": (lambda d: _encode_session({**d, "cacao": None}), SerializedSessionError),
    "cacao without s": (
        lambda d: _encode_session({**d, "cacao": {"h": d["cacao"]["h"], "p": d["cacao"]["p"]}}),
        SerializedSessionError,
    ),
    "cacao unknown header": (
        lambda d: _encode_session({**d, "cacao": {**d["cacao"], "h": {"t": "jwt"}}}),
        SerializedSessionError,
    ),
    "aud not the seed's did:key": (
        lambda d: _encode_session({**d, "sessionKeySeed": b64_encode(b"\x07" * 32)}),
        CapabilityMismatchError,
    ),
    "bad CACAO signature": (
        lambda d: _encode_session(
            {**d, "cacao": cacao_with(lambda c: c["p"].update(resources=["*"]), d["cacao"])}
        ),
        InvalidSignatureError,
    ),
    "CACAO statement with LF": (
        lambda d: _encode_session(
            {**d, "cacao": cacao_with(lambda c: c["p"].update(statement="a\nb"), d["cacao"])}
        ),
        CacaoError,
    ),
    "2 MB": (lambda d: "A" * (2 << 20), SerializedSessionError),
}  # fmt: skip


@pytest.mark.parametrize("case", list(_SESSION_CASES))
@pytest.mark.usefixtures("high_recursion_limit")
def test_serialized_session_refused(serialized: dict[str, Any], case: str) -> None:
    make, error = _SESSION_CASES[case]
    text = make(serialized)
    with fast(), exactly(error):
        _load(text)


@pytest.mark.parametrize("value", [None, 42, b"eyJ9", ["x"]])
def test_serialized_session_not_a_string(value: Any) -> None:
    with exactly(SerializedSessionError):
        _load(value)


def test_serialized_session_accepted_forms(ed: DIDSession) -> None:
    text = ed.serialize()
    assert "=" not in text
    padded = text + "=" * (-len(text) % 4)  # (the JS vectors below need padding for sure)
    for form in (text, padded, text + "\n", f"  {padded}\r\n"):
        loaded = _load(form)
        assert loaded.did.id == ed.did.id and loaded.cacao == ed.cacao
        assert loaded.serialize() == text


@pytest.mark.parametrize("name", ["default_expiry", "ten_years"])
def test_serialized_session_made_by_js(name: str) -> None:
    ref = REF["deterministic"][name]
    for text in (ref["serialized"], ref["serialized"] + "=" * (-len(ref["serialized"]) % 4)):
        loaded = _load(text)
        assert loaded.did.id == ref["did"] and loaded.id == ref["id"]
        assert loaded.serialize() == ref["serialized"]


def test_serialized_session_seed_alphabet() -> None:
    seed = b"\xfb\xff" * 16  # standard base64 "+//7..."
    session = run_sync(
        DIDSession.authorize(auth(), resources=["a:b"], random_bytes=lambda n: seed[:n])
    )
    data = json.loads(b64url_decode(session.serialize()))
    assert "+" in data["sessionKeySeed"] and "/" in data["sessionKeySeed"]
    assert _load(session.serialize()).did.id == session.did.id
    url_alphabet = data["sessionKeySeed"].replace("+", "-").replace("/", "_")
    with exactly(SerializedSessionError):
        _load(_encode_session({**data, "sessionKeySeed": url_alphabet}))


def test_serialized_session_bad_signature_loads_only_unverified(serialized: dict[str, Any]) -> None:
    tampered = cacao_with(lambda c: c["p"].update(resources=["*"]), serialized["cacao"])
    text = _encode_session({**serialized, "cacao": tampered})
    with exactly(InvalidSignatureError):
        _load(text)
    assert _load(text, verify_signature=False).authorizations == ["*"]


def test_serialized_expired_session_loads_but_cannot_sign() -> None:
    clock = lambda: parse_rfc3339("2020-01-01T00:00:00Z")  # noqa: E731
    wallet_auth = EthereumNodeAuth.get_auth_method(TestWallet(), ACCOUNT, "example.org")
    session = run_sync(
        DIDSession.authorize(
            wallet_auth, resources=["a:b"], expires_in_secs=60, time_policy=TimePolicy(clock=clock)
        )
    )
    loaded = _load(session.serialize())  # system clock: long expired
    assert loaded.is_expired and loaded.expires_in_secs == 0
    with exactly(SessionExpiredError):
        run_sync(loaded.did.create_jws({"a": 1}))


def test_serialized_p256_session_is_not_serializable(p256: DIDSession) -> None:
    with exactly(SessionNotSerializableError):
        p256.serialize()


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), 1e20, True])
def test_serialized_session_bad_lifetimes(value: Any) -> None:
    wallet = TestWallet()
    with exactly(SessionError):
        run_sync(DIDSession.authorize(auth(wallet), resources=["a:b"], expires_in_secs=value))
    assert wallet.calls["personal_sign"] == 0


# =========================================================================================
# 6. Wallet misbehaviour (CPython providers); the stored session survives every failure
# =========================================================================================


class ScriptedWallet(TestWallet):
    """The real wallet, except that personal_sign runs ``on_sign(text, wallet)``."""

    def __init__(self, on_sign: Callable[[str, TestWallet], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_sign = on_sign

    async def request(self, args: Any) -> Any:
        if args["method"] == "personal_sign":
            self.calls["personal_sign"] += 1
            text = bytes.fromhex(args["params"][0][2:]).decode("utf-8")
            return self.on_sign(text, self)
        return await super().request(args)


class CodeError(Exception):
    def __init__(self, code: Any) -> None:
        super().__init__("provider failure")
        self.code = code


def _raise(exc: BaseException) -> Callable[[str, TestWallet], Any]:
    def on_sign(text: str, wallet: TestWallet) -> Any:
        raise exc

    return on_sign


def _right(text: str) -> bytes:
    return bytes.fromhex(wallet_sign(text)[2:])


WALLET_CASES: dict[str, tuple[Callable[[str, TestWallet], Any], type[DIDSessionError], Any]] = {
    "4001 rejected": (_raise(ProviderError(4001, "User rejected")), UserRejectedError, 4001),
    "4100 unauthorized": (_raise(ProviderError(4100, "no")), WalletUnauthorizedError, 4100),
    "4200 unsupported": (_raise(ProviderError(4200, "no")), WalletUnsupportedMethodError, 4200),
    "4900 disconnected": (_raise(ProviderError(4900, "off")), WalletDisconnectedError, 4900),
    "4901 chain disconnected": (_raise(ProviderError(4901, "off")), WalletDisconnectedError, 4901),
    "-32603 internal": (_raise(ProviderError(-32603, "boom")), WalletError, -32603),
    "unknown code 5555": (_raise(ProviderError(5555, "??")), WalletError, 5555),
    "code as string": (_raise(CodeError("4001")), WalletError, None),
    "code as bool": (_raise(CodeError(True)), WalletError, None),
    "plain Exception": (_raise(Exception("no code")), WalletError, None),
    "RuntimeError": (_raise(RuntimeError("crash")), WalletError, None),
    "library error passes through": (_raise(StorageError("x")), StorageError, _MISSING),
    "returns None": (lambda t, w: None, WalletResponseError, None),
    "returns an int": (lambda t, w: 12345, WalletResponseError, None),
    "returns a dict": (lambda t, w: {"signature": wallet_sign(t)}, WalletResponseError, None),
    "returns raw bytes": (lambda t, w: _right(t), WalletResponseError, None),
    "64-byte signature": (lambda t, w: "0x" + _right(t)[:64].hex(), WalletResponseError, None),
    "66-byte signature": (lambda t, w: wallet_sign(t) + "00", WalletResponseError, None),
    "no 0x": (lambda t, w: wallet_sign(t)[2:], WalletResponseError, None),
    "v = 29": (lambda t, w: "0x" + (_right(t)[:64] + b"\x1d").hex(), WalletResponseError, None),
    "another account": (lambda t, w: wallet_sign(t, HARDHAT_1), WalletResponseError, None),
    "another message": (lambda t, w: wallet_sign(t + " "), WalletResponseError, None),
    "garbage hex": (lambda t, w: "0x" + "zz" * 65, WalletResponseError, None),
    "empty string": (lambda t, w: "", WalletResponseError, None),
    "10 MB string": (lambda t, w: "0x" + "ab" * 5_000_000, WalletResponseError, None),
}


@pytest.fixture
def store_with_session() -> tuple[MemoryStore, DIDSession]:
    store = MemoryStore()
    good = run_sync(DIDSession.get(ACCOUNT, auth(), resources=["x://1"], store=store))
    return store, good


def _assert_store_unchanged(store: MemoryStore, good: DIDSession) -> None:
    stored = run_sync(store.load(str(ACCOUNT)))
    assert stored is not None and len(store) == 1
    assert stored.signer.did == good.did.id
    assert Cacao.from_json(stored.cacao) == good.cacao
    kept = run_sync(
        DIDSession.get(
            ACCOUNT, auth(ScriptedWallet(_raise(AssertionError))), resources=["x://1"], store=store
        )
    )
    assert kept.did.id == good.did.id and kept.cacao == good.cacao


@pytest.mark.parametrize("case", list(WALLET_CASES))
def test_wallet_misbehaviour(case: str, store_with_session: tuple[MemoryStore, DIDSession]) -> None:
    store, good = store_with_session
    on_sign, error, code = WALLET_CASES[case]
    wallet = ScriptedWallet(on_sign)
    with fast(), exactly(error) as info:
        run_sync(DIDSession.get(ACCOUNT, auth(wallet), resources=["y://2"], store=store))
    assert wallet.calls["personal_sign"] == 1
    if code is not _MISSING:
        assert info.value.code == code  # type: ignore[attr-defined]
    _assert_store_unchanged(store, good)
    with exactly(error):  # the same for portable sessions
        run_sync(DIDSession.authorize(auth(ScriptedWallet(on_sign)), resources=["y://2"]))


def test_wallet_high_s_signature_is_accepted(
    store_with_session: tuple[MemoryStore, DIDSession],
) -> None:
    def high_s(text: str, wallet: TestWallet) -> str:
        sig = _right(text)
        s = int.from_bytes(sig[32:64], "big")
        flipped = 27 + ((sig[64] - 27) ^ 1)
        return "0x" + (sig[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([flipped])).hex()

    store, good = store_with_session
    session = run_sync(
        DIDSession.get(ACCOUNT, auth(ScriptedWallet(high_s)), resources=["y://2"], store=store)
    )
    assert session.did.id != good.did.id and session.authorizations == ["y://2"]
    session.cacao.verify()


class _NoRequest:
    pass


class _SyncRequest:
    def request(self, args: Any) -> Any:
        return "0x" + "00" * 65


class _NotCallable:
    request = 42


@pytest.mark.parametrize(
    ("provider", "error"),
    [
        (None, WalletUnavailableError),
        (_NoRequest(), WalletUnavailableError),
        (_SyncRequest(), WalletError),
        (_NotCallable(), WalletError),
    ],
    ids=["None", "no request", "sync request", "request not callable"],
)
def test_wallet_broken_providers(
    provider: Any, error: type[DIDSessionError], store_with_session: tuple[MemoryStore, DIDSession]
) -> None:
    store, good = store_with_session
    method = EthereumNodeAuth.get_auth_method(provider, ACCOUNT, "example.org")
    with exactly(error):
        run_sync(DIDSession.get(ACCOUNT, method, resources=["y://2"], store=store))
    _assert_store_unchanged(store, good)


def _misbehaving_auth(kind: str) -> Any:
    async def method(request: AuthRequest) -> Any:
        if kind == "not a cacao":
            return FULL_JSON
        if kind == "another audience":
            return FULL_CACAO
        # A valid CACAO, really signed, but by another account than the one asked for.
        other = TestWallet(HARDHAT_1)
        real = EthereumNodeAuth.get_auth_method(other, AccountId(1, other.address), "example.org")
        return await real(request)

    return method


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("not a cacao", SessionError),
        ("another audience", CapabilityMismatchError),
        ("another account", WalletResponseError),
    ],
)
def test_wallet_misbehaving_auth_methods(
    kind: str, error: type[DIDSessionError], store_with_session: tuple[MemoryStore, DIDSession]
) -> None:
    store, good = store_with_session
    with exactly(error):
        run_sync(DIDSession.get(ACCOUNT, _misbehaving_auth(kind), resources=["y://2"], store=store))
    _assert_store_unchanged(store, good)


def _chain(answer: Any) -> Any:
    class ChainWallet(TestWallet):
        async def request(self, args: Any) -> Any:
            if args["method"] == "eth_chainId":
                if isinstance(answer, BaseException):
                    raise answer
                return answer
            return await super().request(args)

    return ChainWallet()


@pytest.mark.parametrize(
    "answer",
    [
        "0x_1", " 0x1", "0x1 ", "0x\uff11", "1_0", "\u0661", "0X1", "0x", "", "0x0", "0",
        "-1", "0x" + "f" * 27, "1" + "0" * 32, "0x1.5", "1e3", None, True, 1.5, -1, 0,
        10**32, [1], {"chainId": 1}, b"0x1",
    ],
)  # fmt: skip
def test_wallet_malformed_chain_id(
    answer: Any, store_with_session: tuple[MemoryStore, DIDSession]
) -> None:
    store, good = store_with_session
    with exactly(WalletResponseError):
        run_sync(get_account_id(_chain(answer), ADDRESS))
    _assert_store_unchanged(store, good)


@pytest.mark.parametrize(
    ("answer", "chain_id"),
    [("0x1", 1), ("0x89", 137), ("0x0001", 1), ("0xAA36A7", 11155111), ("137", 137), (137, 137),
     (10**32 - 1, 10**32 - 1)],
)  # fmt: skip
def test_wallet_chain_id_forms_accepted(answer: Any, chain_id: int) -> None:
    account = run_sync(get_account_id(_chain(answer), ADDRESS))
    assert account.chain_id == chain_id and account.address == ADDRESS.lower()
    assert AccountId.parse(str(account)) == account


def test_wallet_empty_store_is_the_store_used() -> None:
    # An empty MemoryStore is falsy (it has __len__): `store or default` used to put the
    # session in the process-wide default store instead, and read it back from there.
    store = MemoryStore()
    session = run_sync(DIDSession.get(ACCOUNT, auth(), resources=["e://1"], store=store))
    assert len(store) == 1
    assert run_sync(store.load(str(ACCOUNT))).signer.did == session.did.id  # type: ignore[union-attr]
    assert not run_sync(
        DIDSession.has_session_for(ACCOUNT, resources=["e://1"], store=MemoryStore())
    )
    run_sync(DIDSession.remove(ACCOUNT, store=MemoryStore()))  # removes nothing elsewhere
    assert run_sync(DIDSession.has_session_for(ACCOUNT, resources=["e://1"], store=store))


def test_wallet_chain_id_request_errors_are_mapped() -> None:
    with exactly(UserRejectedError):
        run_sync(get_account_id(_chain(ProviderError(4001, "no")), ADDRESS))
    with exactly(WalletError):
        run_sync(get_account_id(_chain(ValueError("x")), ADDRESS))
