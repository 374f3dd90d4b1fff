"""Relying-party figures on CPython (``python -m bench.relying_party``, not part of
``./dev bench``): ``sign_request`` and ``verify_request`` per second, one thread, with each
replay store (accepted, then every request replayed and refused). Redis only when
``redis-server`` is installed (started on a Unix socket in a temporary directory).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import pytest
from tests.relying_party import ORIGIN, make_session, redis_server

from did_session import (
    MemoryReplayStore,
    RedisReplayStore,
    RequestReplayedError,
    SignedRequest,
    SQLiteReplayStore,
    Verifier,
)
from did_session.interfaces import ReplayStore


def rate(requests: list[SignedRequest], verifier: Verifier, *, replays: bool) -> float:
    t0 = time.perf_counter()
    for req in requests:
        try:
            verifier.verify_request(
                method="POST", path="/api/notes", body=req.body, headers=req.headers
            )
            assert not replays
        except RequestReplayedError:
            assert replays
    return len(requests) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000, help="requests per row")
    n = parser.parse_args().n
    session = make_session()

    async def sign_all() -> list[SignedRequest]:
        url = ORIGIN + "/api/notes"
        return list(
            await asyncio.gather(*(session.sign_request("POST", url, body=b"{}") for _ in range(n)))
        )

    t0 = time.perf_counter()
    requests = asyncio.run(sign_all())
    print(f"sign_request (Ed25519): {n / (time.perf_counter() - t0):.0f}/s")
    tmp = Path(tempfile.mkdtemp())

    def row(name: str, store: ReplayStore) -> None:
        verifier = Verifier(audience=[ORIGIN], domains=["127.0.0.1"], replay_store=store)
        accepted = rate(requests, verifier, replays=False)
        refused = rate(requests, verifier, replays=True)
        print(f"verify_request, {name}: {accepted:.0f}/s accepted, {refused:.0f}/s replays")

    row("MemoryReplayStore", MemoryReplayStore())
    row("SQLiteReplayStore", SQLiteReplayStore(tmp / "replay.sqlite3"))
    try:
        with redis_server(tmp) as url:
            row("RedisReplayStore (Unix socket)", RedisReplayStore(url=url))
    except pytest.skip.Exception as e:
        print(f"RedisReplayStore: skipped ({e})")


if __name__ == "__main__":
    main()
