"""An in-memory session store (per process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..interfaces import StoredSession

if TYPE_CHECKING:
    import asyncio


class MemoryStore:
    """Sessions in a dict: what ``DIDSession.get`` uses outside a browser."""

    def __init__(self) -> None:
        self._sessions: dict[str, StoredSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def load(self, account_id: str) -> StoredSession | None:
        return self._sessions.get(account_id)

    async def save(self, account_id: str, session: StoredSession) -> None:
        self._sessions[account_id] = session

    async def delete(self, account_id: str) -> None:
        self._sessions.pop(account_id, None)

    @asynccontextmanager
    async def lock(self, account_id: str) -> AsyncIterator[None]:
        """One task at a time per account, so that concurrent ``get`` calls of one
        process ask the wallet once."""
        import asyncio  # here: a server that only verifies never needs it

        lock = self._locks.setdefault(account_id, asyncio.Lock())
        async with lock:
            yield

    def __len__(self) -> int:
        return len(self._sessions)
