"""An in-memory session store for CPython (per process)."""

from __future__ import annotations

from ..interfaces import StoredSession


class MemoryStore:
    """Sessions in a dict: what ``DIDSession.get`` uses outside a browser."""

    def __init__(self) -> None:
        self._sessions: dict[str, StoredSession] = {}

    async def load(self, account_id: str) -> StoredSession | None:
        return self._sessions.get(account_id)

    async def save(self, account_id: str, session: StoredSession) -> None:
        self._sessions[account_id] = session

    async def delete(self, account_id: str) -> None:
        self._sessions.pop(account_id, None)

    def __len__(self) -> int:
        return len(self._sessions)
