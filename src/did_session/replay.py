"""Replay stores: where a relying party remembers the ids of the signed requests it accepted.

:class:`~did_session.interfaces.ReplayStore` is one atomic operation, "remember this key
until T, or say it is already remembered". Three implementations:

- :class:`MemoryReplayStore`: one process (the ``Verifier`` default);
- :class:`SQLiteReplayStore`: a file shared by the processes of one machine (stdlib
  ``sqlite3``, WAL, one atomic upsert per request);
- :class:`RedisReplayStore`: shared by many machines (``SET NX PX``; needs the ``redis``
  package: ``pip install 'did-session[redis]'``).

Every store forgets an entry once its time has passed (the request it guards has expired
by then, so the verifier refuses it on time alone).
"""

from __future__ import annotations

import heapq
import math
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from .errors import ReplayStoreError, UsageError

if TYPE_CHECKING:
    import sqlite3


class MemoryReplayStore:
    """Seen keys in a dict, for one process (threads may share it). Expired entries are
    dropped as time passes (a heap ordered by expiry), so memory holds only the requests
    of the last lifetime."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._expiry: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def remember(self, key: str, *, until: float, now: float) -> bool:
        with self._lock:
            while self._expiry and self._expiry[0][0] < now:
                stamp, old = heapq.heappop(self._expiry)
                if self._until.get(old) == stamp:  # not remembered again since
                    del self._until[old]
            seen = self._until.get(key)
            if seen is not None and seen >= now:
                return False
            self._until[key] = until
            heapq.heappush(self._expiry, (until, key))
            return True

    def count(self) -> int:
        """How many entries are held (expired ones may linger until the next call).
        A method, not ``__len__``: an empty store must not be falsy (``store or default``
        would silently drop a shared store)."""
        return len(self._until)


class SQLiteReplayStore:
    """Seen keys in an SQLite file that every process of a server opens.

    The file is in WAL mode (readers never block the writer); each :meth:`remember` is a
    single ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` (one atomic statement: of several
    processes racing on one key, exactly one changes a row). Connections are pooled (at
    most ``max_idle`` kept open), so a server that starts a thread per request does not
    open a file per thread. Every ``purge_every`` calls, entries past their time are
    deleted. A write waits up to ``timeout_secs`` for another process's write, then fails
    closed with :class:`~did_session.errors.ReplayStoreError`. ``synchronous=NORMAL``: an
    entry survives the process's crash; the last ones may be lost on a power failure.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout_secs: float = 10.0,
        purge_every: int = 1000,
        max_idle: int = 4,
    ) -> None:
        if purge_every < 1 or max_idle < 1:
            raise UsageError("purge_every and max_idle must be at least 1")
        self._path = os.fspath(path)
        self._timeout = timeout_secs
        self._purge_every = purge_every
        self._max_idle = max_idle
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._calls = 0
        self._closed = False
        self._release(self._open())  # create the file and table now: errors show at start

    def _open(self) -> sqlite3.Connection:
        import sqlite3  # here: Pyodide ships sqlite3 apart, and browsers need no store

        try:
            # check_same_thread=False: a pooled connection moves between threads, one at
            # a time (the pool hands each to one caller).
            conn = sqlite3.connect(
                self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as e:
            raise ReplayStoreError(f"cannot open the SQLite replay store: {e}") from e
        # Switching a new file to WAL takes an exclusive lock and SQLite does not wait for
        # it (no busy handler there): two processes starting at once on one new file got
        # "database is locked". Retry the set-up until the timeout instead.
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS did_session_replay "
                    "(key TEXT PRIMARY KEY, until REAL NOT NULL) WITHOUT ROWID"
                )
                conn.execute(
                    "CREATE INDEX IF NOT EXISTS did_session_replay_until "
                    "ON did_session_replay (until)"
                )
                return conn
            except sqlite3.OperationalError as e:
                if "locked" in str(e) and time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                conn.close()
                raise ReplayStoreError(f"cannot open the SQLite replay store: {e}") from e
            except sqlite3.Error as e:
                conn.close()
                raise ReplayStoreError(f"cannot open the SQLite replay store: {e}") from e

    def _acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise UsageError("this SQLiteReplayStore was closed")
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _release(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def remember(self, key: str, *, until: float, now: float) -> bool:
        import sqlite3

        with self._lock:
            self._calls += 1
            purge = self._calls % self._purge_every == 0
        conn = self._acquire()
        try:
            cursor = conn.execute(
                "INSERT INTO did_session_replay (key, until) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET until = excluded.until "
                "WHERE did_session_replay.until < ?",
                (key, until, now),
            )
            fresh = cursor.rowcount == 1
            if purge:
                conn.execute("DELETE FROM did_session_replay WHERE until < ?", (now,))
        except sqlite3.Error as e:
            raise ReplayStoreError(f"the SQLite replay store failed: {e}") from e
        finally:
            self._release(conn)
        return fresh

    def count(self) -> int:
        """How many entries the file holds (expired ones until the next purge)."""
        conn = self._acquire()
        try:
            return int(conn.execute("SELECT count(*) FROM did_session_replay").fetchone()[0])
        finally:
            self._release(conn)

    def close(self) -> None:
        """Close the pooled connections; the ones in use close when released."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


# KEYS[1] the key; ARGV: until, now, time to live (ms). 1 = remembered now, 0 = seen.
_REDIS_REMEMBER = """
local seen = redis.call('GET', KEYS[1])
if seen and tonumber(seen) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
"""


class RedisReplayStore:
    """Seen keys in Redis, for servers on several machines. One small Lua script (atomic
    on the server: no other command runs in between) compares the stored ``until`` with
    ``now`` and sets the key, so times are those of the verifier's clock as in the other
    stores; Redis drops the key once its time to live (``until - now``, plus a second) is
    up.

    Give a ``client`` (a ``redis.Redis``) or a ``url`` (``redis://host:6379/0``). Keys are
    ``prefix`` + the verifier's key (a hash). A Redis error is a
    :class:`~did_session.errors.ReplayStoreError` (the request is refused).
    """

    def __init__(
        self,
        *,
        client: Any = None,
        url: str | None = None,
        prefix: str = "did-session:replay:",
    ) -> None:
        try:
            import redis
        except ImportError:
            raise UsageError(
                "RedisReplayStore needs the redis package: pip install 'did-session[redis]'"
            ) from None
        if url is not None and client is None:
            client = redis.Redis.from_url(url)
        elif client is None or url is not None:
            raise UsageError("give RedisReplayStore either client= or url=")
        self._client = client
        self._script = client.register_script(_REDIS_REMEMBER)
        self._prefix = prefix
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    def remember(self, key: str, *, until: float, now: float) -> bool:
        ttl_ms = max(1, math.ceil((until - now) * 1000)) + 1000
        try:
            args = [repr(float(until)), repr(float(now)), ttl_ms]
            return bool(self._script(keys=[self._prefix + key], args=args))
        except self._errors as e:
            raise ReplayStoreError(
                f"the Redis replay store failed: {type(e).__name__}: {e!s:.200}"
            ) from e


__all__ = ["MemoryReplayStore", "RedisReplayStore", "SQLiteReplayStore"]
