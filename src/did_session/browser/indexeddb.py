"""The session store over IndexedDB, in exactly the JS library's layout.

Database ``did-session`` version 1, object store ``sessions`` (no key path), key = the
CAIP-10 account id, value ``{cacao: <CACAO JSON>, keypair: {privateKey, publicKey}}``
(CryptoKeys by structured clone). On one origin, sessions made by npm did-session are
used by us and the other way round.
"""

from __future__ import annotations

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
from ..interfaces import StoredSession
from ._ffi import JsException, helpers, js_error_info, to_js_object, to_py
from .webcrypto import WebCryptoSigner

DB_NAME = "did-session"
DB_VERSION = 1
STORE_NAME = "sessions"


def _storage_error(what: str, error: BaseException) -> StorageError:
    name, _, message = js_error_info(error)
    text = f"IndexedDB {what} failed: {name}: {message}"
    if name == "QuotaExceededError":
        return StorageQuotaError(text)
    if name in ("BlockedError", "InvalidStateError", "VersionError", "AbortError"):
        return StorageBlockedError(text)
    if name in ("SecurityError", "UnknownError", "NotFoundError"):
        return StorageUnavailableError(text)
    return StorageError(text)


class IndexedDBStore:
    """``SessionStore`` over IndexedDB. One connection is kept and dropped when another
    tab asks for a version change; every transaction is awaited to its end."""

    def __init__(self, db_name: str = DB_NAME) -> None:
        self._db_name = db_name
        self._db: Any = None

    def __repr__(self) -> str:
        return f"<IndexedDBStore {self._db_name}/{STORE_NAME}>"

    async def _connection(self) -> Any:
        if self._db is not None and not getattr(self._db, "didSessionClosed", False):
            return self._db
        if not hasattr(js, "indexedDB") or js.indexedDB is None:
            raise StorageUnavailableError("IndexedDB is not available here")
        try:
            self._db = await helpers().open(self._db_name, DB_VERSION, STORE_NAME)
        except JsException as e:
            raise _storage_error("open", e) from None
        return self._db

    async def _run(self, what: str, mode: str, op: Any) -> Any:
        """Run ``op(object_store)`` in one transaction; wait for the commit."""
        db = await self._connection()
        try:
            tx = db.transaction(STORE_NAME, mode)
        except JsException as e:
            self._db = None  # closed under us (version change): reopen next time
            raise _storage_error(what, e) from None
        done = helpers().transaction(tx)
        try:
            result = await helpers().request(op(tx.objectStore(STORE_NAME)))
            await done
        except JsException as e:
            raise _storage_error(what, e) from None
        return result

    async def load(self, account_id: str) -> StoredSession | None:
        value = await self._run("read", "readonly", lambda s: s.get(account_id))
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
        key_pair = getattr(session.signer, "key_pair", None)
        if key_pair is None:
            raise StorageError("only WebCrypto session keys can be stored in IndexedDB")
        value = to_js_object({"cacao": dict(session.cacao)})
        value.keypair = key_pair
        await self._run("write", "readwrite", lambda s: s.put(value, account_id))

    async def delete(self, account_id: str) -> None:
        await self._run("delete", "readwrite", lambda s: s.delete(account_id))

    @asynccontextmanager
    async def lock(self, account_id: str) -> AsyncIterator[None]:
        """Hold the Web Lock of this account (across tabs of the origin) while a session
        is looked up and, if needed, created: two tabs ask the wallet once."""
        try:
            release = await helpers().lock(f"did-session:{account_id}")
        except JsException as e:
            raise _storage_error("lock", e) from None
        try:
            yield
        finally:
            release()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
