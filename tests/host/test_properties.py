"""Property tests: for arbitrary input every parser either succeeds or raises a
``DIDSessionError`` subclass (never anything else), and values round-trip exactly.

Nothing is mocked: CACAOs are signed by eth-account, sessions come from the real
``DIDSession.authorize`` with :class:`tests.wallet.TestWallet`. Example counts are kept
moderate so the file runs in well under 30 s on two cores.
"""

from __future__ import annotations

import calendar
import copy
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from did_session import (
    AccountId,
    Cacao,
    DIDSession,
    EthereumNodeAuth,
    SiweMessage,
    TimePolicy,
    verify_jws,
)
from did_session._time import format_iso_ms, parse_rfc3339
from did_session.codecs import dag_cbor
from did_session.codecs.bases import (
    b32decode,
    b32encode,
    b58decode,
    b58encode,
    b64_decode,
    b64_encode,
    b64url_decode,
    b64url_encode,
    varint_decode,
    varint_encode,
)
from did_session.codecs.cid import CID
from did_session.did_key import DIDKey, decode_did_key, parse_kid
from did_session.errors import (
    AccountIdError,
    CacaoError,
    CBORError,
    DIDSessionError,
    EncodingError,
    SiweError,
)
from did_session.eth import to_checksum_address
from did_session.verifier import run_sync
from tests.wallet import TestWallet

ACCOUNT = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
AUTH = EthereumNodeAuth.get_auth_method(TestWallet(), ACCOUNT, "example.org")
SESSION = run_sync(DIDSession.authorize(AUTH, resources=["ceramic://*", "ipfs://x"]))
JWS = run_sync(SESSION.did.create_jws({"hello": "world", "list": [1, 2.5, None]}))
CACAO_JSON = SESSION.cacao.to_json()
SERIALIZED = SESSION.serialize()
SERIALIZED_JSON = json.loads(b64url_decode(SERIALIZED))

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed_or_ok(function: Callable[[], Any]) -> Any:
    """Run ``function``; a DIDSessionError is fine (returns None), anything else fails."""
    try:
        return function()
    except DIDSessionError:
        return None


# ---- strategies ---------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
cids = st.binary(max_size=16).map(CID.from_block)
ipld_values = st.recursive(
    json_scalars | st.binary(max_size=16) | cids,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
text_noise = st.text(max_size=80) | st.text(B64URL + ".=+/ #:", max_size=80)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@st.composite
def mutated_json(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three random edits: replace, delete or add a value anywhere."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(value)))
        new = draw(json_values | st.sampled_from(["", "0x", "did:key:z", "\n", "eip191"]))
        if not path:
            value = new
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.integers(0, 2))
        if action == 0:
            parent[path[-1]] = new
        elif action == 1:
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = new
        else:
            parent.insert(path[-1], new)
    return value


@st.composite
def mutated_bytes(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.integers(0, 2))
        if action == 0 and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == 1:
            data[position:position] = draw(st.binary(min_size=1, max_size=3))
        else:
            del data[position : position + draw(st.integers(1, 3))]
    return bytes(data)


@st.composite
def mutated_text(draw: st.DrawFn, base: str, alphabet: str) -> str:
    text = base
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        piece = draw(st.text(alphabet, min_size=1, max_size=3))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:position] + piece + text[position:]
        elif action == 1:
            text = text[:position] + text[position + len(piece) :]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    return text


# ---- SIWE ---------------------------------------------------------------------------------

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SIWE_TEXT = SESSION.cacao.to_siwe_message().to_message()


@FAST
@given(
    st.text(max_size=300)
    | mutated_text(SIWE_TEXT, ALNUM + "\n\r :/-.@%#?\x00\u2028\u00e9")
    | st.just(SIWE_TEXT)
)
def test_siwe_from_message_arbitrary_text(text: str) -> None:
    try:
        parsed = SiweMessage.from_message(text)
    except SiweError:
        return
    assert parsed.to_message() == text


times = st.integers(0, 4_102_444_800).map(format_iso_ms)
uris = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}{path}",
    st.sampled_from(["https", "ceramic", "ipfs"]),
    st.text(ALNUM + "-.", min_size=1, max_size=12),
    st.text(ALNUM + "/-._~", max_size=12).map(lambda p: "/" + p if p else ""),
)


@st.composite
def siwe_messages(draw: st.DrawFn) -> SiweMessage:
    return SiweMessage(
        domain=draw(st.text(ALNUM + "-.", min_size=1, max_size=20)),
        address=to_checksum_address("0x" + draw(st.binary(min_size=20, max_size=20)).hex()),
        statement=draw(st.none() | st.text(ALNUM + " .,!?'", min_size=1, max_size=40)),
        uri=draw(uris),
        version="1",
        chain_id=draw(st.integers(1, 10**32 - 1)),
        nonce=draw(st.text(ALNUM, min_size=8, max_size=16)),
        issued_at=draw(times),
        expiration_time=draw(st.none() | times),
        not_before=draw(st.none() | times),
        request_id=draw(st.none() | st.text(ALNUM + "-._~", max_size=10)),
        resources=draw(st.none() | st.lists(uris, max_size=4)),
    )


@FAST
@given(siwe_messages())
def test_siwe_round_trip(message: SiweMessage) -> None:
    text = message.to_message()
    assert SiweMessage.from_message(text) == message
    assert SiweMessage.from_fields(message.to_fields()) == message


# ---- CACAO ----------------------------------------------------------------------------------


def _check_cacao_json(data: Any) -> None:
    try:
        cacao = Cacao.from_json(data)
    except CacaoError:
        return
    # Accepted JSON is kept exactly: the CID is that of the JSON as given.
    assert cacao.to_json() == data
    assert Cacao.from_block(cacao.block) == cacao
    assert Cacao.from_json(cacao.to_json()).cid == cacao.cid
    typed_or_ok(
        lambda: cacao.verify(at_time=0, time_policy=TimePolicy(clock_skew_secs=float("inf")))
    )
    typed_or_ok(cacao.verify)


@FAST
@given(json_values | mutated_json(CACAO_JSON))
def test_cacao_from_json_arbitrary(data: Any) -> None:
    _check_cacao_json(data)


@FAST
@given(st.binary(max_size=200) | mutated_bytes(SESSION.cacao.block))
def test_cacao_from_block_arbitrary(block: bytes) -> None:
    try:
        cacao = Cacao.from_block(block)
    except CacaoError:
        return
    assert cacao.block == block
    typed_or_ok(cacao.verify_signature)


@st.composite
def cacao_jsons(draw: st.DrawFn) -> dict[str, Any]:
    message = draw(siwe_messages())
    signature = "0x" + draw(st.binary(min_size=65, max_size=65)).hex()
    data = Cacao.from_siwe_message(message, signature).to_json()
    if draw(st.booleans()):
        data["s"]["m"] = draw(json_values)
    if draw(st.booleans()):
        data["h"]["t"] = "caip122"
    return data


@FAST
@given(cacao_jsons())
def test_cacao_round_trips(data: dict[str, Any]) -> None:
    cacao = Cacao.from_json(data)
    assert cacao.to_json() == data
    assert list(cacao.to_json()["p"]) == list(data["p"])  # JS key order
    again = Cacao.from_block(cacao.block)
    assert again == cacao and again.cid == cacao.cid and hash(again) == hash(cacao)


# ---- DAG-CBOR -------------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=100) | mutated_bytes(SESSION.cacao.block))
def test_dag_cbor_decode_arbitrary(data: bytes) -> None:
    try:
        value = dag_cbor.decode(data)
    except CBORError:
        return
    assert dag_cbor.encode(value) == data


@FAST
@given(ipld_values)
def test_dag_cbor_round_trip(value: Any) -> None:
    block = dag_cbor.encode(value)
    decoded = dag_cbor.decode(block)
    assert decoded == value
    assert dag_cbor.encode(decoded) == block


# ---- did:key / kid --------------------------------------------------------------------------

CODECS = [0xED, 0x1200, 0xE7, 0xEC, 0x1201, 0x99, 0x00, 0x7F, 0x80]
did_keys = (
    st.text(max_size=60)
    | st.text(ALNUM, max_size=60).map("did:key:z{}".format)
    | st.builds(
        lambda codec, key: "did:key:z" + b58encode(varint_encode(codec) + key),
        st.sampled_from(CODECS),
        st.binary(max_size=70),
    )
    | mutated_text(SESSION.did.id, ALNUM + ":#?/")
)


@FAST
@given(did_keys)
def test_decode_did_key_arbitrary(did: str) -> None:
    try:
        key = decode_did_key(did)
    except DIDSessionError:
        return
    assert isinstance(key, DIDKey)
    assert decode_did_key(key.did) == key


@FAST
@given(
    did_keys.map(lambda d: f"{d}#{d[8:]}")
    | did_keys
    | mutated_text(JWS["signatures"][0]["protected"], "#:z")
)
def test_parse_kid_arbitrary(kid: str) -> None:
    try:
        key = parse_kid(kid)
    except DIDSessionError:
        return
    assert parse_kid(key.kid) == key


# ---- JWS ------------------------------------------------------------------------------------

KID = f"{SESSION.did.id}#{SESSION.did.id[8:]}"
headers = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(["EdDSA", "ES256", "ES256K", "none", ""]) | json_scalars,
        "kid": st.sampled_from([KID, SESSION.did.id, ""]) | did_keys | json_scalars,
        "cap": st.sampled_from([f"ipfs://{SESSION.cacao.cid}", "ipfs://x"]) | json_scalars,
    },
)
sections = (
    st.binary(max_size=80).map(b64url_encode)
    | headers.map(lambda h: b64url_encode(json.dumps(h).encode()))
    | text_noise
)
entries = st.fixed_dictionaries(
    {}, optional={"protected": sections | json_values, "signature": sections | json_values}
)
general_jws = st.fixed_dictionaries(
    {},
    optional={
        "payload": sections | json_values,
        "signatures": st.lists(entries | json_values, max_size=3) | json_values,
    },
)


def _check_jws(jws: Any) -> None:
    for capability in (None, SESSION.cacao, CACAO_JSON):
        result = typed_or_ok(lambda c=capability: run_sync(verify_jws(jws, capability=c)))
        if result is not None:
            typed_or_ok(result.payload_json)


@FAST
@given(
    text_noise
    | mutated_text(
        ".".join(
            [JWS["signatures"][0]["protected"], JWS["payload"], JWS["signatures"][0]["signature"]]
        ),
        B64URL + ".=",
    )
)
def test_verify_jws_arbitrary_strings(text: str) -> None:
    _check_jws(text)


@FAST
@given(general_jws | mutated_json(JWS) | json_values)
def test_verify_jws_arbitrary_general_jws(jws: Any) -> None:
    _check_jws(jws)


# ---- sessions ---------------------------------------------------------------------------------


@SLOW
@given(
    text_noise
    | mutated_text(SERIALIZED, B64URL + "=+/")
    | mutated_json(SERIALIZED_JSON).map(lambda v: b64url_encode(json.dumps(v).encode()))
)
def test_from_session_arbitrary(text: str) -> None:
    try:
        session = run_sync(DIDSession.from_session(text))
    except DIDSessionError:
        return
    assert run_sync(DIDSession.from_session(session.serialize())).cacao == session.cacao


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=32, max_size=32), st.lists(uris, min_size=1, max_size=3))
def test_serialize_from_session_round_trip(seed: bytes, resources: list[str]) -> None:
    session = run_sync(
        DIDSession.authorize(AUTH, resources=resources, random_bytes=lambda n: seed[:n])
    )
    text = session.serialize()
    loaded = run_sync(DIDSession.from_session(text))
    assert loaded.did.id == session.did.id and loaded.cacao == session.cacao
    assert loaded.serialize() == text
    padded = text + "=" * (-len(text) % 4)
    assert run_sync(DIDSession.from_session(padded)).did.id == session.did.id
    jws = run_sync(loaded.did.create_jws({"r": resources}))
    assert run_sync(
        verify_jws(jws, capability=session.cacao, issuer=session.id)
    ).payload_json() == {"r": resources}


# ---- account ids and text encodings -----------------------------------------------------------


@FAST
@given(
    st.text(max_size=80)
    | mutated_text(str(ACCOUNT), "0123456789abcdefABCDEFx:\uff11 ")
    | st.builds(lambda n: f"eip155:{n}:0x{'ab' * 20}", st.integers(-5, 10**40))
)
def test_account_id_parse_arbitrary(text: str) -> None:
    try:
        account = AccountId.parse(text)
    except AccountIdError:
        return
    assert AccountId.parse(str(account)) == account
    if account.namespace == "eip155":
        assert str(account) == text.lower()  # only the address is normalised (lower case)
    else:  # other namespaces (CAIP-10 generic, issue 13) keep the text as written
        assert str(account) == text


DECODERS: list[tuple[Callable[[str], bytes], Callable[[bytes], str]]] = [
    (b58decode, b58encode),
    (b32decode, b32encode),
    (b64url_decode, b64url_encode),
    (lambda t: b64url_decode(t, allow_padding=True), b64url_encode),
    (b64_decode, b64_encode),
]


@FAST
@given(
    st.integers(0, len(DECODERS) - 1), st.text(max_size=40) | st.text(B64URL + "=+/ ", max_size=40)
)
def test_text_decoders_arbitrary(index: int, text: str) -> None:
    decode, encode = DECODERS[index]
    try:
        data = decode(text)
    except EncodingError:
        return
    assert decode(encode(data)) == data


@FAST
@given(st.binary(max_size=12), st.integers(0, 12))
def test_varint_decode_arbitrary(data: bytes, offset: int) -> None:
    try:
        value, end = varint_decode(data, offset)
    except EncodingError:
        return
    assert data[offset:end] == varint_encode(value)


@FAST
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)))
def test_parse_rfc3339_matches_calendar_timegm(when: datetime) -> None:
    # _time computes the days itself (importing calendar costs 40 ms of page start-up).
    text = f"{when.year:04d}-{when:%m-%dT%H:%M:%S}"
    expected = calendar.timegm(when.timetuple())
    assert parse_rfc3339(text + "Z") == expected
    assert parse_rfc3339(text + ".250+01:30") == expected + 0.25 - 5400
