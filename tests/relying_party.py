"""Shared by the relying-party tests (test_verifier_cli, test_signed_request,
test_example_server): sessions signed by the real test wallet, a real redis-server, and
the worker of the multi-process replay races."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from did_session import (
    AccountId,
    DIDSession,
    EthereumNodeAuth,
    RequestReplayedError,
    SQLiteReplayStore,
    TimePolicy,
    Verifier,
)
from did_session.interfaces import ReplayStore
from tests.wallet import TestWallet

ACCOUNT = AccountId.parse("eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
ORIGIN = "https://api.example.org"


def make_session(
    domain: str = "127.0.0.1", resources: list[str] | None = None, **kw: Any
) -> DIDSession:
    auth = EthereumNodeAuth.get_auth_method(TestWallet(), ACCOUNT, domain)
    return asyncio.run(DIDSession.authorize(auth, resources=resources or ["ceramic://*"], **kw))


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A real redis-server on a Unix socket in ``directory`` (no port to race for), no
    persistence; yields its URL. Skips when Redis or its client is not installed."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not on PATH (./dev setup installs Debian's redis-server)")
    redis = pytest.importorskip("redis", reason="the redis client (requirements-dev.txt)")
    sock = directory / "redis.sock"
    proc = subprocess.Popen(
        [exe, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"unix://{sock}"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 60  # generous: 2 shared cores
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start (exit code {proc.poll()})")
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def open_store(spec: tuple[str, str]) -> ReplayStore:
    kind, where = spec
    if kind == "sqlite":
        return SQLiteReplayStore(where)
    from did_session import RedisReplayStore

    return RedisReplayStore(url=where)


def race_worker(
    spec: tuple[str, str],
    requests: list[tuple[Mapping[str, str], bytes]],
    at_time: float,
    barrier: Any,
    results: Any,
) -> None:
    """One process of a replay race: verify every request, each right after a barrier
    that every racer passes together; report which it accepted."""
    verifier = Verifier(
        audience=[ORIGIN],
        domains=["127.0.0.1"],
        replay_store=open_store(spec),
        time_policy=TimePolicy(clock=lambda: at_time),
    )
    won = []
    for i, (headers, body) in enumerate(requests):
        barrier.wait(timeout=120)
        try:
            verifier.verify_request(method="POST", path="/api/notes", body=body, headers=headers)
            won.append(i)
        except RequestReplayedError:
            pass
    results.put(won)
