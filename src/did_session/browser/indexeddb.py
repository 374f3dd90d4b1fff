"""The session store over IndexedDB, in exactly the JS library's layout.

Database ``did-session`` version 1, object store ``sessions`` (no key path), key = the
CAIP-10 account id, value ``{cacao: <CACAO JSON>, keypair: {privateKey, publicKey}}``
(CryptoKeys by structured clone). On one origin, sessions made by npm did-session are
used by us and the other way round.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import js

from ..errors import (
    StorageBlockedError,
    StorageError,
    StorageQuotaError,
    StorageUnavailableError,
)
from ..interfaces import StorableSigner, StoredSession
from ._ffi import JsException, helpers, js_error_info, to_js_list, to_js_object, to_py
from .webcrypto import WebCryptoSigner

DB_NAME = "did-session"
DB_VERSION = 1
STORE_NAME = "sessions"


def _storage_error(what: str, error: BaseException) -> StorageError:
    name, _, message = js_error_info(error)
    message = message.strip()
    if message in ("", name, f"{name}:"):  # Chromium's QuotaExceededError has no message
        message = ""
    text = f"IndexedDB {what} failed: {name}" + (f": {message}" if message else "")
    if name == "QuotaExceededError":
        return StorageQuotaError(
            text + " (the browser's storage quota for this site is exhausted: nothing was"
            " written; free some space or clear this site's data)"
        )
    if name in ("BlockedError", "InvalidStateError", "VersionError", "AbortError"):
        return StorageBlockedError(text)
    if name in ("SecurityError", "UnknownError", "NotFoundError"):
        return StorageUnavailableError(text)
    return StorageError(text)


class IndexedDBStore:
    """``SessionStore`` over IndexedDB. One connection is kept and dropped when another
    tab asks for a version change; every transaction is awaited to its commit."""

    def __init__(self, db_name: str = DB_NAME) -> None:
        self._db_name = db_name
        self._db: Any = None
        self._opening: asyncio.Future[Any] | None = None

    def __repr__(self) -> str:
        return f"<IndexedDBStore {self._db_name}/{STORE_NAME}>"

    async def _connection(self) -> Any:
        if self._db is not None and not getattr(self._db, "didSessionClosed", False):
            return self._db
        self._db = None
        # One open at a time: concurrent callers share it (no second, leaked connection).
        if self._opening is None or self._opening.done():
            self._opening = asyncio.ensure_future(self._open())
        return await asyncio.shield(self._opening)

    async def _open(self) -> Any:
        try:
            factory = getattr(js, "indexedDB", None)
        except JsException:  # a getter that throws (opaque origins, some sandboxes)
            factory = None
        if factory is None:
            raise StorageUnavailableError("IndexedDB is not available here")
        try:
            db = await helpers().open(self._db_name, DB_VERSION, STORE_NAME)
        except JsException as e:
            raise _storage_error("open", e) from None
        self._db = db
        return db

    async def _run(self, what: str, mode: str, method: str, *args: Any) -> Any:
        """One ``objectStore[method](*args)`` in its own transaction, awaited to its
        commit. A connection closed under us (another tab, the user clearing site data)
        is reopened once."""
        for attempt in (1, 2):
            db = await self._connection()
            try:
                return await helpers().run(db, STORE_NAME, mode, method, to_js_list(args))
            except JsException as e:
                name, _, _ = js_error_info(e)
                if name == "InvalidStateError" and attempt == 1:
                    self._db = None  # closing or closed: reopen and try once more
                    continue
                raise _storage_error(what, e) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def load(self, account_id: str) -> StoredSession | None:
        value = await self._run("read", "readonly", "get", account_id)
        if value is None or not hasattr(value, "cacao") or not hasattr(value, "keypair"):
            return None
        try:
            cacao = to_py(value.cacao)
            signer = await WebCryptoSigner.from_p256_key_pair(value.keypair)
        except Exception:  # an entry corrupted by another script: not a session
            return None
        if not isinstance(cacao, dict):
            return None
        return StoredSession(cacao=cacao, signer=signer)

    async def save(self, account_id: str, session: StoredSession) -> None:
        signer = session.signer
        if not isinstance(signer, StorableSigner) or signer.extractable:
            raise StorageError("only non-extractable WebCrypto keys are stored in IndexedDB")
        value = to_js_object({"cacao": dict(session.cacao)})
        value.keypair = signer.key_handle
        await self._run("write", "readwrite", "put", value, account_id)

    async def delete(self, account_id: str) -> None:
        await self._run("delete", "readwrite", "delete", account_id)

    @asynccontextmanager
    async def lock(self, account_id: str) -> AsyncIterator[None]:
        """Hold the Web Lock of this account (across tabs of the origin) while a session
        is looked up and, if needed, created: two tabs ask the wallet once."""
        request = helpers().lock(f"did-session:{account_id}")
        try:
            release = await request.acquired
        except JsException as e:
            raise _storage_error("lock", e) from None
        except BaseException:
            request.cancel()  # cancelled while waiting: never hold the lock afterwards
            raise
        try:
            yield
        finally:
            release()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
