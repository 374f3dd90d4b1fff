"""examples/verify_server.py on 127.0.0.1: signed requests accepted once, replays refused,
each bad input answered with its own status and reason, a body never sent timed out, and
a burst of concurrent requests (nothing reset, every one accepted once, every replay
refused; figures printed, never asserted)."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from did_session import DIDSession, SignedRequest, SQLiteReplayStore
from tests.relying_party import make_session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
try:
    import verify_server
finally:
    sys.path.pop(0)


@pytest.fixture(scope="module")
def session() -> DIDSession:
    return make_session()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[verify_server.NotesServer]:
    store = SQLiteReplayStore(tmp_path / "replay.sqlite3")
    httpd = verify_server.make_server(0, replay_store=store, timeout_secs=1.0)
    assert httpd.verifier.replay_store is store  # an empty store is not "no store"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        store.close()


def port_of(server: verify_server.NotesServer) -> int:
    return int(server.server_address[1])


def sign(
    session: DIDSession, server: verify_server.NotesServer, note: Any, path: str = "/api/notes"
) -> SignedRequest:
    url = f"http://127.0.0.1:{port_of(server)}{path}"
    return asyncio.run(session.sign_request("POST", url, body=json.dumps(note)))


def post(
    server: verify_server.NotesServer | int,
    body: bytes,
    headers: dict[str, str],
    path: str = "/api/notes",
) -> tuple[int, dict[str, Any]]:
    port = server if isinstance(server, int) else port_of(server)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def send(req: SignedRequest, server: verify_server.NotesServer) -> tuple[int, dict[str, Any]]:
    return post(server, req.body, req.headers)


def raw(server: verify_server.NotesServer, data: bytes, *, close_write: bool = True) -> bytes:
    """Send bytes on a plain socket and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=120) as sock:
        sock.sendall(data)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body) if body else {}


def test_accepted_once_replays_refused(
    session: DIDSession, server: verify_server.NotesServer
) -> None:
    req = sign(session, server, {"text": "hello"})
    assert send(req, server) == (201, {"author": session.id, "session": session.did.id})
    for _ in range(4):
        status, body = send(req, server)
        assert status == 409 and body["error"] == "RequestReplayedError"
        assert "replay" in body["reason"]
    assert server.notes == [{"author": session.id, "note": {"text": "hello"}}]


def test_refusals_say_why(session: DIDSession, server: verify_server.NotesServer) -> None:
    evil = make_session(domain="evil.example")
    status, body = send(sign(evil, server, {"x": 1}), server)
    assert (status, body["error"]) == (401, "CapabilityMismatchError")
    other_path = sign(session, server, {"x": 1}, path="/api/notes?copy=1")
    status, body = post(server, other_path.body, other_path.headers)
    assert (status, body["error"]) == (401, "RequestMismatchError") and "path" in body["reason"]
    req = sign(session, server, {"x": 1})
    status, body = post(server, b'{"x": 2}', req.headers)
    assert (status, body["error"]) == (401, "RequestMismatchError")
    # A malformed JWS is reported as malformed, with the reason (not "expected JSON").
    garbled = {**req.headers, "Authorization": "DIDSession not-a-jws"}
    status, body = post(server, req.body, garbled)
    assert (status, body["error"]) == (400, "JWSError") and "three parts" in body["reason"]
    status, body = post(server, req.body, {"Content-Type": "application/json"})
    assert (status, body["error"]) == (401, "Unauthorized")
    two = {**req.headers, "DID-Session-Capability": f"{req.capability}, {req.capability}"}
    status, body = post(server, req.body, two)
    assert (status, body["error"]) == (400, "RequestFormatError")
    bad_cap = {**req.headers, "DID-Session-Capability": "AAAA"}
    status, body = post(server, req.body, bad_cap)
    assert status == 400 and body["error"] == "CacaoError"
    not_json = asyncio.run(
        session.sign_request(
            "POST", f"http://127.0.0.1:{port_of(server)}/api/notes", body=b"\xff not json"
        )
    )
    status, body = send(not_json, server)
    assert (status, body["reason"]) == (400, "the body is not JSON")
    assert post(server, req.body, req.headers, path="/elsewhere")[0] == 404
    assert send(req, server)[0] == 201  # the genuine request, untouched by the refusals
    assert len(server.notes) == 1


def test_replay_store_down_is_503(session: DIDSession, tmp_path: Path) -> None:
    # Another process holds the replay file's write lock past the store's timeout: the
    # request is refused (fail closed), as a temporary failure, and not used up.
    import sqlite3

    path = tmp_path / "replay.sqlite3"
    store = SQLiteReplayStore(path, timeout_secs=0.2)
    httpd = verify_server.make_server(0, replay_store=store)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        req = sign(session, httpd, {"x": 1})
        locker.execute("BEGIN EXCLUSIVE")
        status, body = send(req, httpd)
        assert (status, body["error"]) == (503, "ReplayStoreError")
        locker.execute("COMMIT")
        assert send(req, httpd)[0] == 201
    finally:
        locker.close()
        httpd.shutdown()
        httpd.server_close()
        store.close()


def test_bad_lengths(server: verify_server.NotesServer) -> None:
    head = b"POST /api/notes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    cases = [
        (b"Content-Length: abc\r\n", 400, "bad Content-Length"),
        (b"Content-Length: -1\r\n", 400, "bad Content-Length"),
        (b"Content-Length: 1\r\nContent-Length: 2\r\n", 400, "bad Content-Length"),
        (b"Content-Length: \xd9\xa1\r\n", 400, "bad Content-Length"),  # an Arabic-Indic 1
        (b"", 411, "no Content-Length"),
        (b"Transfer-Encoding: chunked\r\n", 411, "send a Content-Length, not Transfer-Encoding"),
        (b"Content-Length: 99999999999\r\n", 413, "the body is limited to 65536 bytes"),
    ]
    for header, status, reason in cases:
        got, body = status_of(raw(server, head + header + b"\r\nxx"))
        assert (got, body["reason"]) == (status, reason), header


def test_a_body_never_sent_times_out(server: verify_server.NotesServer) -> None:
    # Headers declare 100 bytes, none follow, the socket stays open: answered 408 after the
    # server's socket timeout (1 s here), and the handler thread is free again.
    request = b"POST /api/notes HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
    assert status_of(raw(server, request, close_write=False))[0] == 408
    # Half a request line, then silence: the connection is closed, with no answer.
    assert raw(server, b"POST /api/no", close_write=False) == b""
    deadline = time.monotonic() + 60
    while any("process_request" in t.name for t in threading.enumerate()):
        if time.monotonic() > deadline:  # generous: the machine may be loaded
            pytest.fail(f"handler threads still alive: {threading.enumerate()}")
        time.sleep(0.05)


def test_server_processes_share_one_replay_db(session: DIDSession, tmp_path: Path) -> None:
    """Two server processes behind one origin (as behind a load balancer), one SQLite
    replay file: each request sent to both at once is accepted by exactly one."""
    origin = "https://notes.example.org"
    command = [sys.executable, str(ROOT / "examples" / "verify_server.py"), "--port", "0"]
    command += ["--replay-db", str(tmp_path / "replay.sqlite3"), "--origin", origin]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        ports = []
        for proc in procs:
            line = proc.stdout.readline() if proc.stdout else ""
            assert line.startswith("listening on"), (line, proc.stderr and proc.stderr.read())
            ports.append(int(line.split(":")[2].split("/")[0]))

        async def sign_all() -> list[SignedRequest]:
            url = f"{origin}/api/notes"
            return [await session.sign_request("POST", url, body=f'{{"n":{i}}}') for i in range(20)]

        barrier = threading.Barrier(2)

        def fire(port: int, req: SignedRequest) -> int:
            barrier.wait(timeout=120)
            return post(port, req.body, req.headers)[0]

        with ThreadPoolExecutor(2) as pool:
            for req in asyncio.run(sign_all()):
                statuses = sorted(pool.map(fire, ports, [req, req]))
                assert statuses == [201, 409], statuses
    finally:
        for proc in procs:
            proc.terminate()
            proc.communicate(timeout=60)


CONCURRENT = 200


def test_burst_of_concurrent_requests(
    session: DIDSession, server: verify_server.NotesServer
) -> None:
    """200 valid requests at once from 200 threads: no connection reset, every one accepted
    exactly once; then the same 200 again at once: every one refused as a replay."""

    async def sign_all() -> list[SignedRequest]:
        url = f"http://127.0.0.1:{port_of(server)}/api/notes"
        return list(
            await asyncio.gather(
                *(
                    session.sign_request("POST", url, body=json.dumps({"n": i}))
                    for i in range(CONCURRENT)
                )
            )
        )

    requests = asyncio.run(sign_all())
    barrier = threading.Barrier(CONCURRENT)

    def fire(req: SignedRequest) -> tuple[int | str, float]:
        barrier.wait(timeout=120)
        t0 = time.perf_counter()
        try:
            status = send(req, server)[0]
        except OSError as e:  # a reset, a refused connection: what the listen queue of 5 did
            status = type(e).__name__
        return status, time.perf_counter() - t0

    def burst() -> tuple[list[int | str], list[float], float]:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            t0 = time.perf_counter()
            results = list(pool.map(fire, requests))
            wall = time.perf_counter() - t0
        return [s for s, _ in results], [t for _, t in results], wall

    accepted, latencies, wall = burst()
    assert accepted == [201] * CONCURRENT, sorted({str(s) for s in accepted})
    assert sorted(n["note"]["n"] for n in server.notes) == list(range(CONCURRENT))
    replays, replay_latencies, replay_wall = burst()
    assert replays == [409] * CONCURRENT, sorted({str(s) for s in replays})
    assert len(server.notes) == CONCURRENT
    store = server.verifier.replay_store
    assert isinstance(store, SQLiteReplayStore) and store.count() == CONCURRENT

    def figures(name: str, lat: list[float], total: float) -> str:
        q = statistics.quantiles(lat, n=20)
        return (
            f"{name}: {CONCURRENT} requests in {total:.2f} s ({CONCURRENT / total:.0f}/s), "
            f"latency median {statistics.median(lat) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms, "
            f"max {max(lat) * 1000:.0f} ms"
        )

    print("\n" + figures("accepted", latencies, wall))
    print(figures("replays refused", replay_latencies, replay_wall))
