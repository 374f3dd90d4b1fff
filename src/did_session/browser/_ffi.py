"""The JS boundary: a few JS helpers evaluated once, conversions, error mapping.

Every ``js`` / ``pyodide`` import of the library lives in this subpackage. Callback-style
JS APIs (IndexedDB requests, Web Locks, ``sendAsync``) are wrapped in promises by small
JS functions rather than by Python proxies, and multi-step WebCrypto operations are one
function each: one FFI crossing and one await per operation (each await costs Python about
0.15 ms, against microseconds in JS), and no proxy to leak or destroy.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import JsException, JsProxy, to_js

_HELPERS = r"""
(() => {
// Every promise Python awaits here rejects with a plain Error (name, message, code and data
// kept): Pyodide raises a rejection as JsException only if it is a JS value with a stack or
// a DOMException by constructor name. Anything else (a wallet's {code, message} object, a
// string, Chromium's QuotaExceededError: a DOMException subclass without stack) makes the
// Python await never settle.
const asError = (e) => {
  const plain = e !== null && typeof e === "object";
  const message = plain ? e.message : e;
  return Object.assign(new Error(message === undefined || message === null ? "" : String(message)), {
    name: plain && typeof e.name === "string" && e.name ? e.name : "Error",
    code: plain ? e.code : undefined,
    data: plain ? e.data : undefined,
  });
};
return {
  asError,
  run(db, storeName, mode, method, args) {
    // One request in its own transaction; resolves with the request's result once the
    // transaction has COMMITTED (durable), rejects with the error if it aborts. A failed
    // request aborts its transaction (we never preventDefault it): nothing half-written.
    return new Promise((resolve, reject) => {
      let tx, req;
      try {
        tx = db.transaction(storeName, mode);
        req = tx.objectStore(storeName)[method](...args);
      } catch (e) {
        reject(asError(e));
        return;
      }
      tx.oncomplete = () => resolve(req.result);
      tx.onabort = () => reject(asError(tx.error || req.error || new DOMException("transaction aborted", "AbortError")));
    });
  },
  open(name, version, storeName) {
    return new Promise((resolve, reject) => {
      let req;
      let settled = false;
      const fail = (e) => { settled = true; reject(asError(e)); };
      try { req = indexedDB.open(name, version); } catch (e) { fail(e); return; }
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName);
      };
      req.onsuccess = () => {
        const db = req.result;
        if (settled) { db.close(); return; }  // we gave up on it (blocked): do not leak it
        settled = true;
        // Let another tab upgrade or delete the database: close, and reopen next time.
        db.onversionchange = () => { db.close(); db.didSessionClosed = true; };
        db.onclose = () => { db.didSessionClosed = true; };
        resolve(db);
      };
      req.onerror = (ev) => { ev.preventDefault(); fail(req.error); };
      req.onblocked = () => fail(new DOMException("did-session database is blocked by another tab", "BlockedError"));
    });
  },
  lock(name) {
    // {acquired: Promise<release function>, cancel()}: the Web Lock `name`, held until
    // release() (or cancel()). cancel() withdraws a request not granted yet, or gives the
    // lock back if it was granted meanwhile: a cancelled waiter never keeps the lock.
    if (!(globalThis.navigator && navigator.locks)) {
      return { acquired: Promise.resolve(() => {}), cancel() {} };
    }
    const controller = new AbortController();
    let release;
    const held = new Promise((r) => { release = () => r(); });
    let cancelled = false;
    const acquired = new Promise((granted, failed) => {
      navigator.locks.request(name, { signal: controller.signal }, () => {
        if (cancelled) return undefined;  // give it back at once
        granted(release);
        return held;
      }).catch((e) => failed(asError(e)));
    });
    acquired.catch(() => {});  // a cancelled request rejects with AbortError: expected
    return {
      acquired,
      cancel() { cancelled = true; controller.abort(); release(); },
    };
  },
  async generateP256() {
    // A non-extractable P-256 key pair and its raw public key. The pair is returned as a
    // plain {privateKey, publicKey} object: exactly what the JS library stores.
    try {
      const kp = await crypto.subtle.generateKey(
        { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
      const raw = await crypto.subtle.exportKey("raw", kp.publicKey);
      return { keyPair: { privateKey: kp.privateKey, publicKey: kp.publicKey },
               raw: new Uint8Array(raw) };
    } catch (e) {
      throw asError(e);
    }
  },
  async ed25519FromPkcs8(pkcs8) {
    // Extractable so that the public key can be read back (as a JWK); the seed itself is
    // held by the portable session anyway.
    try {
      const privateKey = await crypto.subtle.importKey(
        "pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
      const jwk = await crypto.subtle.exportKey("jwk", privateKey);
      return { keyPair: { privateKey }, x: jwk.x };
    } catch (e) {
      throw asError(e);
    }
  },
  async solanaConnect(provider) {
    // An injected Solana wallet (window.phantom.solana / window.solana): connect() (asks the
    // person once), then its public key as base58 text.
    try {
      let key = null;
      if (typeof provider.connect === "function") {
        const answer = await provider.connect();
        key = answer && answer.publicKey ? answer.publicKey : null;
      }
      key = key || provider.publicKey;
      if (!key) throw Object.assign(new Error("the Solana wallet gave no public key"), { code: -32603 });
      return typeof key.toBase58 === "function" ? key.toBase58() : String(key);
    } catch (e) {
      throw asError(e);
    }
  },
  async solanaSign(provider, message) {
    // signMessage(bytes, "utf8") as @didtools/pkh-solana calls it; {signature} or the bytes.
    try {
      const answer = await provider.signMessage(message, "utf8");
      const signature = answer && answer.signature !== undefined ? answer.signature : answer;
      return signature instanceof Uint8Array || Array.isArray(signature) ? Uint8Array.from(signature) : null;
    } catch (e) {
      throw asError(e);
    }
  },
  async send(provider, method, params) {
    // EIP-1193 request, with the send / sendAsync fallbacks of @didtools/pkh-ethereum.
    // async: a provider that throws synchronously or answers a plain value (not a
    // promise) still gives a promise here.
    const request = () => {
      if (typeof provider.request === "function") return provider.request({ method, params });
      const f = provider.sendAsync || provider.send;
      if (typeof f !== "function") {
        throw Object.assign(new Error("Unsupported provider: no request, send or sendAsync"), { code: -32601 });
      }
      return new Promise((resolve, reject) => {
        f.call(provider, { jsonrpc: "2.0", id: 1, method, params }, (err, resp) => {
          if (err) { reject(err); return; }
          if (resp && resp.error) { reject(resp.error); return; }
          resolve(resp ? resp.result : undefined);
        });
      });
    };
    try {
      return await request();
    } catch (e) {
      throw asError(e);  // wallets often reject with a plain {code, message} object
    }
  },
};
})()
"""


@cache
def helpers() -> Any:
    return run_js(_HELPERS)


def to_js_object(value: Any) -> Any:
    """A Python dict / list (nested) as plain JS objects and arrays."""
    return to_js(value, dict_converter=js.Object.fromEntries)


def to_js_list(values: Any) -> Any:
    """A JS array of the given values, each converted shallowly (JS objects pass as they are)."""
    return js.Array.of(*values)


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


def main_window() -> Any:
    """The page's ``window``: ours on the main thread; in a PyScript worker, the main
    thread's through PyScript's proxy (SharedArrayBuffer); else None."""
    window = getattr(js, "window", None)
    if window is not None:
        return window
    try:
        from pyscript import window as main  # type: ignore[import-not-found]

        main.location  # noqa: B018  (PyScript's stand-in raises here without SharedArrayBuffer)
    except Exception:  # not PyScript, or its window proxy is not available here
        return None
    return main


__all__ = [
    "JsException",
    "main_window",
    "helpers",
    "js_error_info",
    "to_js_bytes",
    "to_js_list",
    "to_js_object",
    "to_py",
]
