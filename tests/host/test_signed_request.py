"""Signed requests (``session.sign_request`` -> ``Verifier.verify_request``): every claim
bound, the time window under the verifier's clock, replays refused by each replay store
(in memory, SQLite, a real redis-server), and processes racing on one request id."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from did_session import (
    CapabilityMismatchError,
    DIDSession,
    DIDSessionError,
    InvalidSignatureError,
    MemoryReplayStore,
    RedisReplayStore,
    ReplayStoreError,
    RequestExpiredError,
    RequestFormatError,
    RequestMismatchError,
    RequestNotYetValidError,
    RequestReplayedError,
    SessionExpiredError,
    SignedRequest,
    SQLiteReplayStore,
    TimePolicy,
    UsageError,
    Verifier,
)
from did_session.codecs.bases import b64url_decode, b64url_encode
from did_session.interfaces import ReplayStore
from tests.relying_party import ORIGIN, make_session, race_worker, redis_server

NOW = 1_800_000_000.0
BODY = b'{"note":"hi"}'


def session_at(now: float) -> DIDSession:
    """A session whose CACAO was issued an hour before ``now``, signing at ``now``."""
    clock = [now - 3600]
    made = make_session(time_policy=TimePolicy(clock=lambda: clock[0]))
    clock[0] = now
    return made


@pytest.fixture(scope="module")
def session() -> DIDSession:
    return session_at(NOW)


def sign(
    session: DIDSession, method: str = "POST", url: str = "/api/notes", **kw: Any
) -> SignedRequest:
    kw.setdefault("body", BODY)
    kw.setdefault("audience", ORIGIN)
    return asyncio.run(session.sign_request(method, url, **kw))


def verifier(*, at: float = NOW, **kw: Any) -> Verifier:
    kw.setdefault("audience", [ORIGIN])
    return Verifier(domains=["127.0.0.1"], time_policy=TimePolicy(clock=lambda: at), **kw)


def check(v: Verifier, req: SignedRequest, **kw: Any) -> Any:
    kw.setdefault("method", "POST")
    kw.setdefault("path", "/api/notes")
    kw.setdefault("body", BODY)
    kw.setdefault("headers", req.headers)
    return v.verify_request(**kw)


def test_round_trip_then_replay(session: DIDSession) -> None:
    req = sign(session, "post", "/api/notes?draft=1&x=%20y")
    assert req.method == "POST" and req.url == f"{ORIGIN}/api/notes?draft=1&x=%20y"
    header, payload, _ = req.jws.split(".")
    assert json.loads(b64url_decode(header)) == {
        "alg": "EdDSA",
        "cap": f"ipfs://{session.cacao.cid}",
        "kid": f"{session.did.id}#{session.did.id.split(':')[2]}",
        "typ": "did-session-request+jwt",
    }
    claims = json.loads(b64url_decode(payload))
    assert claims == dict(req.claims)
    assert set(claims) == {"aud", "method", "path", "body_sha256", "jti", "iat", "exp"}
    assert claims["aud"] == ORIGIN and claims["path"] == "/api/notes?draft=1&x=%20y"
    assert claims["iat"] == NOW and claims["exp"] == NOW + 60
    import hashlib

    assert claims["body_sha256"] == b64url_encode(hashlib.sha256(BODY).digest())
    assert b64url_decode(req.headers["DID-Session-Capability"]) == session.cacao.block
    v = verifier()
    result = check(v, req, path="/api/notes?draft=1&x=%20y")
    assert result.issuer == session.id and result.signer_did == session.did.id
    assert result.request_id == req.request_id and result.expires_at == NOW + 60
    for _ in range(3):
        with pytest.raises(RequestReplayedError):
            check(v, req, path="/api/notes?draft=1&x=%20y")
    # Each signature is fresh: the same request signed again has another id and passes.
    again = sign(session, "POST", "/api/notes")
    assert again.request_id != req.request_id
    check(v, again)
    clock = [NOW - 3600]
    short = make_session(expires_in_secs=60, time_policy=TimePolicy(clock=lambda: clock[0]))
    clock[0] = NOW
    with pytest.raises(SessionExpiredError):
        sign(short)  # an expired session signs nothing


def test_every_claim_is_bound(session: DIDSession) -> None:
    req = sign(session)
    cases: list[tuple[str, dict[str, Any], Verifier]] = [
        ("aud", {}, verifier(audience=["https://other.example.org"])),
        ("aud", {}, verifier(audience=["http://api.example.org"])),  # scheme is part of it
        ("method", {"method": "PUT"}, verifier()),
        ("path", {"path": "/api/notes/"}, verifier()),
        ("path", {"path": "/api/notes?x=1"}, verifier()),
        ("body_sha256", {"body": BODY + b" "}, verifier()),
        ("body_sha256", {"body": b""}, verifier()),
        ("exp", {}, verifier(max_request_lifetime_secs=59)),
    ]
    for claim, changes, v in cases:
        with pytest.raises(RequestMismatchError) as info:
            check(v, req, **changes)
        assert info.value.claim == claim, (claim, changes)
    # Refusals use up nothing: the genuine request still passes once.
    v = verifier()
    check(v, req)
    with pytest.raises(RequestReplayedError):
        check(v, req)
    # A body-less GET; lower-case method on the server side; origin written differently.
    get = sign(session, "GET", "https://API.example.org:443/api/notes?page=2#top", body=None)
    assert get.url == f"{ORIGIN}/api/notes?page=2"
    check(
        verifier(audience=["https://api.example.org:443/"]),
        get,
        method="get",
        path="/api/notes?page=2",
        body=b"",
    )


def test_time_window_under_the_verifier_clock(session: DIDSession) -> None:
    req = sign(session, expires_in_secs=30)
    skew = 300
    check(verifier(at=NOW - skew), req)  # iat = now + skew: the boundary is valid
    with pytest.raises(RequestNotYetValidError):
        check(verifier(at=NOW - skew - 1), req)
    check(verifier(at=NOW + 30 + skew), req)  # exp + skew: still valid
    with pytest.raises(RequestExpiredError):
        check(verifier(at=NOW + 30 + skew + 1), req)
    with pytest.raises(RequestExpiredError):
        check(verifier(at=NOW + 3600), req)


def test_memory_store_forgets_expired_requests(session: DIDSession) -> None:
    clock = [NOW]
    store = MemoryReplayStore()
    v = Verifier(
        audience=[ORIGIN], replay_store=store, time_policy=TimePolicy(clock=lambda: clock[0])
    )
    requests = [sign(session, expires_in_secs=10) for _ in range(5)]
    for req in requests:
        check(v, req)
    assert store.count() == 5
    clock[0] = NOW + 10 + 300  # the last instant they are valid: still remembered
    for req in requests:
        with pytest.raises(RequestReplayedError):
            check(v, req)
    clock[0] += 1
    fresh = session_at(clock[0])
    check(v, sign(fresh))  # any call drops what has expired
    assert store.count() == 1
    with pytest.raises(RequestExpiredError):
        check(v, requests[0])  # forgotten, and refused on time alone


def test_format_errors(session: DIDSession) -> None:
    req = sign(session)
    v = verifier()
    cap = req.headers["DID-Session-Capability"]
    plain = asyncio.run(session.did.create_jws(dict(req.claims)))  # no typ header
    from did_session.jws import to_compact

    def signed_claims(claims: Any) -> str:
        jws = asyncio.run(
            session.did.create_jws(claims, protected={"typ": "did-session-request+jwt"})
        )
        return to_compact(jws)

    bad_claims = [
        {k: v for k, v in req.claims.items() if k != "jti"},
        {**req.claims, "iat": "now"},
        {**req.claims, "exp": True},
        {**req.claims, "path": 1},
        {**req.claims, "jti": "short"},
        {**req.claims, "exp": req.claims["iat"]},
        ["not", "an", "object"],
    ]
    header_sets: list[Any] = [
        {},
        {"Authorization": f"Bearer {req.jws}", "DID-Session-Capability": cap},
        {"Authorization": "DIDSession ", "DID-Session-Capability": cap},
        {"Authorization": f"DIDSession {req.jws}", "DID-Session-Capability": "!!"},
        {"Authorization": f"DIDSession {to_compact(plain)}", "DID-Session-Capability": cap},
        *[
            {"Authorization": f"DIDSession {signed_claims(c)}", "DID-Session-Capability": cap}
            for c in bad_claims
        ],
    ]
    for headers in header_sets:
        with pytest.raises(RequestFormatError):
            check(v, req, headers=headers)
    twice = Message()
    twice["Authorization"] = f"DIDSession {req.jws}"
    twice["authorization"] = f"DIDSession {req.jws}"
    with pytest.raises(RequestFormatError):
        check(v, req, headers=twice)
    # Header names are case-insensitive (http.server hands a Message).
    message = Message()
    message["authorization"] = f"didsession {req.jws}"
    message["did-session-capability"] = cap
    assert check(v, req, headers=message).issuer == session.id


def test_signature_and_capability_still_checked(session: DIDSession) -> None:
    req = sign(session)
    header, _, signature = req.jws.split(".")
    forged = dict(req.claims, path="/api/admin")
    from did_session.jws import encode_json_section

    tampered = {
        **req.headers,
        "Authorization": f"DIDSession {header}.{encode_json_section(forged)}.{signature}",
    }
    with pytest.raises(InvalidSignatureError):
        check(verifier(), req, path="/api/admin", headers=tampered)
    other = session_at(NOW)
    mixed = {**sign(other).headers, "DID-Session-Capability": req.capability}
    with pytest.raises(CapabilityMismatchError):
        check(verifier(), req, headers=mixed)
    no_cap = {"Authorization": req.headers["Authorization"]}
    with pytest.raises(CapabilityMismatchError):
        check(verifier(), req, headers=no_cap)
    with pytest.raises(CapabilityMismatchError):
        check(verifier(), req, issuer="did:pkh:eip155:1:0x0000000000000000000000000000000000000001")
    assert (
        asyncio.run(
            verifier().verify_request_async(
                method="POST", path="/api/notes", body=BODY, headers=req.headers
            )
        ).issuer
        == session.id
    )


def test_usage_errors(session: DIDSession) -> None:
    misuse: list[Callable[[], Any]] = [
        lambda: sign(session, url="/api/notes", audience=None),  # relative, no page here
        lambda: sign(session, url="/api/a b"),
        lambda: sign(session, url="/api/../admin"),
        lambda: sign(session, url="/api/./x"),
        lambda: sign(session, url="/api/é"),
        lambda: sign(session, url="api/notes"),
        lambda: sign(session, url="ftp://api.example.org/x"),
        lambda: sign(session, url="https://user:pw@api.example.org/x"),
        lambda: sign(session, url="https://api.example.org:99999/x"),
        lambda: sign(session, method="GET /x"),
        lambda: sign(session, body={"note": 1}),
        lambda: sign(session, expires_in_secs=0),
        lambda: sign(session, audience="https://api.example.org/base"),
        lambda: Verifier(audience="https://api.example.org"),
        lambda: Verifier(audience=["https://api.example.org/path"]),
        lambda: Verifier(audience=["api.example.org"]),
        lambda: Verifier(max_request_lifetime_secs=0),
        lambda: Verifier(replay_store=object()),  # type: ignore[arg-type]
        lambda: Verifier().verify_request(method="POST", path="/", body=b"", headers={}),
        lambda: check(verifier(), sign(session), body="text"),
        lambda: SQLiteReplayStore(":memory:", purge_every=0),
        lambda: RedisReplayStore(),
    ]
    for case in misuse:
        with pytest.raises(UsageError):
            case()


def test_cli_checks_a_signed_request(session: DIDSession, tmp_path: Path) -> None:
    from did_session.cli import main

    req = sign(session)
    (tmp_path / "jws").write_text(req.jws)
    (tmp_path / "cacao.json").write_text(json.dumps(session.cacao.to_json()))
    (tmp_path / "body").write_bytes(BODY)
    (tmp_path / "other").write_bytes(BODY + b"!")
    base = ["verify", str(tmp_path / "jws"), "--cacao", str(tmp_path / "cacao.json")]
    at = ["--at", "2027-01-15T08:00:00Z"]  # NOW, as RFC 3339
    good = [*base, "--request", "POST /api/notes", "--audience", ORIGIN, "--body"]
    assert main([*good, str(tmp_path / "body"), *at]) == 0
    assert main([*good, str(tmp_path / "body"), *at]) == 0  # one run, one request: no store
    assert main([*good, str(tmp_path / "other"), *at]) == 1
    assert main([*good, str(tmp_path / "body"), "--at", "2027-01-15T09:00:00Z"]) == 3
    assert main([*good, str(tmp_path / "missing"), *at]) == 2
    assert main([*base, "--request", "POST", "--audience", ORIGIN, *at]) == 2
    assert main([*base, "--request", "POST /api/notes", *at]) == 2  # no --audience
    assert main([*base, "--request", "POST /api/notes", "--audience", "x", *at]) == 2


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150)
@given(
    auth=st.text(max_size=200),
    cap=st.text(max_size=200),
    method=st.text(max_size=10),
    path=st.text(max_size=30),
    body=st.binary(max_size=40),
)
def test_hostile_headers_fail_typed(
    session: DIDSession, auth: str, cap: str, method: str, path: str, body: bytes
) -> None:
    headers = {"Authorization": "DIDSession " + auth, "DID-Session-Capability": cap}
    with pytest.raises(DIDSessionError):
        verifier().verify_request(method=method, path=path, body=body, headers=headers)


@settings(max_examples=150)
@given(
    name=st.sampled_from(["aud", "method", "path", "body_sha256", "jti", "iat", "exp"]), value=JSON
)
def test_hostile_claims_signed_by_the_session_fail_typed(
    session: DIDSession, name: str, value: Any
) -> None:
    # The session itself signs nonsense (a buggy or hostile client): refused, typed.
    req = sign(session)
    claims = {**req.claims, name: value}
    jws = asyncio.run(session.did.create_jws(claims, protected={"typ": "did-session-request+jwt"}))
    from did_session.jws import to_compact

    headers = {**req.headers, "Authorization": f"DIDSession {to_compact(jws)}"}
    try:
        check(verifier(), req, headers=headers)
    except DIDSessionError:
        return
    # Accepted only if the change kept the request valid: the same value, another valid id,
    # or times still in the window.
    assert claims == dict(req.claims) or name in ("jti", "iat", "exp"), (name, value)


# ---- replay stores ------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


STORES = ["memory", "sqlite", "redis"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReplayStore]:
    if request.param == "memory":
        yield MemoryReplayStore()
    elif request.param == "sqlite":
        sqlite_store = SQLiteReplayStore(tmp_path / "replay.sqlite3", purge_every=3)
        yield sqlite_store
        sqlite_store.close()
    else:
        url = request.getfixturevalue("redis_url")
        import redis

        client = redis.Redis.from_url(url)
        client.flushall()
        yield RedisReplayStore(client=client)  # the races below use url=
        client.close()


def test_store_contract(store: ReplayStore) -> None:
    assert store.remember("a", until=NOW + 10, now=NOW) is True
    assert store.remember("a", until=NOW + 99, now=NOW + 10) is False  # `until` itself counts
    assert store.remember("b", until=NOW + 10, now=NOW) is True
    assert store.remember("b", until=NOW + 30, now=NOW + 10) is False
    assert store.remember("a", until=NOW + 30, now=NOW + 10.5) is True  # expired: new again
    assert store.remember("a", until=NOW + 30, now=NOW + 11) is False
    assert store.remember("b", until=NOW + 30, now=NOW + 11) is True


def test_store_with_verifier(store: ReplayStore, session: DIDSession) -> None:
    v, other = verifier(replay_store=store), verifier(replay_store=store)
    req = sign(session)
    check(v, req)
    with pytest.raises(RequestReplayedError):
        check(other, req)  # another verifier (process) on the same store


def test_sqlite_store_shared_file_and_purge(tmp_path: Path) -> None:
    path = tmp_path / "replay.sqlite3"
    first, second = SQLiteReplayStore(path, purge_every=4), SQLiteReplayStore(path)
    for i in range(3):
        assert first.remember(f"k{i}", until=NOW + i, now=NOW)
    assert second.remember("k2", until=NOW + 50, now=NOW) is False  # seen through the file
    assert first.count() == 3
    assert first.remember("k9", until=NOW + 100, now=NOW + 1.5) is True  # 4th call: purge
    assert second.count() == 2  # k0 and k1 were past; k2 and k9 stay
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    first.close()
    second.close()


def test_sqlite_store_pools_connections(tmp_path: Path) -> None:
    # A server that starts a thread per request (http.server) must not open a file per
    # thread: count this process's open file descriptors around 60 one-call threads.
    import os
    import threading

    store = SQLiteReplayStore(tmp_path / "replay.sqlite3", max_idle=2)

    def one(i: int) -> None:
        assert store.remember(f"k{i}", until=NOW + 10, now=NOW)

    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_fds()
    for i in range(60):
        thread = threading.Thread(target=one, args=(i,))
        thread.start()
        thread.join()
    assert open_fds() - before < 10
    assert store.count() == 60
    store.close()
    with pytest.raises(UsageError):
        store.remember("late", until=NOW + 10, now=NOW)


def test_store_failures_fail_closed(tmp_path: Path, session: DIDSession) -> None:
    with pytest.raises(ReplayStoreError):
        SQLiteReplayStore(tmp_path / "missing" / "replay.sqlite3")
    (tmp_path / "garbage.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(ReplayStoreError):
        SQLiteReplayStore(tmp_path / "garbage.sqlite3")
    pytest.importorskip("redis", reason="the redis client (requirements-dev.txt)")
    down = RedisReplayStore(url=f"unix://{tmp_path}/nobody.sock")
    with pytest.raises(ReplayStoreError, match="Redis"):
        down.remember("a", until=NOW + 1, now=NOW)
    with pytest.raises(ReplayStoreError):
        check(verifier(replay_store=down), sign(session))


# ---- processes racing on the same requests ---------------------------------------


RACERS = 6
ROUNDS = 12


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_processes_race_exactly_one_wins(
    kind: str, tmp_path: Path, session: DIDSession, request: pytest.FixtureRequest
) -> None:
    where = (
        str(tmp_path / "replay.sqlite3")
        if kind == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    if kind == "sqlite":
        SQLiteReplayStore(where).close()  # create the file once, as a deployment does
    requests = [(sign(session).headers, BODY) for _ in range(ROUNDS)]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(RACERS), ctx.Queue()
    procs = [
        ctx.Process(target=race_worker, args=((kind, where), requests, NOW, barrier, results))
        for _ in range(RACERS)
    ]
    for p in procs:
        p.start()
    wins = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    accepted = sorted(i for won in wins for i in won)
    assert accepted == list(range(ROUNDS)), wins  # each request accepted exactly once
    print(
        f"\n{kind}: {RACERS} processes x {ROUNDS} requests, winners per process: "
        f"{[len(w) for w in wins]}"
    )
