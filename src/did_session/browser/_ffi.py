"""The JS boundary: a few JS helpers evaluated once, conversions, error mapping.

Every ``js`` / ``pyodide`` import of the library lives in this subpackage. Callback-style
JS APIs (IndexedDB requests, Web Locks, ``sendAsync``) are wrapped in promises by small
JS functions rather than by Python proxies: one FFI crossing per operation and no proxy
to leak or destroy.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import JsException, JsProxy, to_js

_HELPERS = r"""
({
  request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = (ev) => { ev.preventDefault(); reject(req.error); };
    });
  },
  transaction(tx) {
    // Resolves once the transaction has committed (durable), rejects if it aborts.
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(true);
      tx.onerror = (ev) => { ev.preventDefault(); };
      tx.onabort = () => reject(tx.error || new DOMException("transaction aborted", "AbortError"));
    });
  },
  open(name, version, storeName) {
    return new Promise((resolve, reject) => {
      let req;
      try { req = indexedDB.open(name, version); } catch (e) { reject(e); return; }
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName);
      };
      req.onsuccess = () => {
        const db = req.result;
        // Let another tab upgrade or delete the database: close, and reopen next time.
        db.onversionchange = () => { db.close(); db.didSessionClosed = true; };
        db.onclose = () => { db.didSessionClosed = true; };
        resolve(db);
      };
      req.onerror = (ev) => { ev.preventDefault(); reject(req.error); };
      req.onblocked = () => reject(new DOMException("did-session database is blocked by another tab", "BlockedError"));
    });
  },
  lock(name) {
    // Resolves with a release function once the Web Lock is held.
    if (!(globalThis.navigator && navigator.locks)) return Promise.resolve(() => {});
    return new Promise((granted, failed) => {
      let release;
      const held = new Promise((r) => { release = r; });
      navigator.locks.request(name, () => { granted(release); return held; }).catch(failed);
    });
  },
  send(provider, method, params) {
    // EIP-1193 request, with the send / sendAsync fallbacks of @didtools/pkh-ethereum.
    if (typeof provider.request === "function") return provider.request({ method, params });
    const f = provider.sendAsync || provider.send;
    if (typeof f !== "function") {
      return Promise.reject(Object.assign(new Error("Unsupported provider: no request, send or sendAsync"), { code: -32601 }));
    }
    return new Promise((resolve, reject) => {
      f.call(provider, { jsonrpc: "2.0", id: 1, method, params }, (err, resp) => {
        if (err) { reject(err); return; }
        if (resp && resp.error) {
          reject(Object.assign(new Error(resp.error.message), { code: resp.error.code, data: resp.error.data }));
          return;
        }
        resolve(resp ? resp.result : undefined);
      });
    });
  },
})
"""


@cache
def helpers() -> Any:
    return run_js(_HELPERS)


def to_js_object(value: Any) -> Any:
    """A Python dict / list (nested) as plain JS objects and arrays."""
    return to_js(value, dict_converter=js.Object.fromEntries)


def to_js_bytes(data: bytes) -> Any:
    """Python bytes as a Uint8Array copy (Pyodide does not convert bytes by itself)."""
    return to_js(data)


def to_py(value: Any) -> Any:
    """A JS result as Python data (strings and numbers come across already)."""
    if isinstance(value, JsProxy):
        return value.to_py()
    return value


def js_error_info(error: BaseException) -> tuple[str, Any, str]:
    """(name, code, message) of a JS error raised into Python as ``JsException``."""
    err: Any = getattr(error, "js_error", error)
    name = str(getattr(err, "name", "") or type(error).__name__)
    code = getattr(err, "code", None)
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    message = str(getattr(err, "message", "") or error)
    return name, code, message[:300]


__all__ = ["JsException", "helpers", "js_error_info", "to_js_bytes", "to_js_object", "to_py"]
