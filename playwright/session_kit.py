"""Shared by the ``DIDSession.get`` page tests (test_get_session.py, test_storage_faults.py):
the page's Python prelude, the stored IndexedDB entry read or written from JS, and helpers
to count wallet prompts and to start Python without waiting for it.

Like browser_kit.py, imported by name (this directory is on ``sys.path`` under pytest).
"""

from __future__ import annotations

from typing import Any

from browser_kit import wallet_calls
from playwright.sync_api import Page

HARDHAT0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
ACCOUNT = f"eip155:1:{HARDHAT0}"
DID_PKH = f"did:pkh:eip155:1:{HARDHAT0}"

# Helpers for every page test's Python (needs ``js`` and ``did_session.errors as E``):
# ``timed(coro)`` -> (result, ms); ``error_of(coro)`` -> the DIDSessionError's class name
# (with its message if ``message=True``), None if it succeeded, "UNEXPECTED ..." otherwise.
PY_HELPERS = r"""
async def timed(coro):
    t0 = js.performance.now()
    result = await coro
    return result, js.performance.now() - t0

async def error_of(coro, *, message=False):
    try:
        await coro
    except E.DIDSessionError as e:
        return type(e).__name__ + (": " + str(e) if message else "")
    except Exception as e:
        return f"UNEXPECTED {type(e).__name__}: {e}"
    return None
"""

# Globals of the page's Python: the account, an auth method, small helpers.
PRELUDE = (
    PY_HELPERS
    + r"""
import json, time
import js
from did_session import (
    DIDSession, EthereumWebAuth, TimePolicy, get_account_id, request_accounts, verify_jws,
)
from did_session import errors as E

def at(clock):
    return TimePolicy(clock=clock)

RES = ["ceramic://*"]
addresses = await request_accounts(None)
account = await get_account_id(None, addresses[0])
auth = EthereumWebAuth.get_auth_method(None, account)

def new_auth():
    # window.ethereum is read when the auth method is made: remake it after a wallet swap.
    global auth
    auth = EthereumWebAuth.get_auth_method(None, account)

str(account)
"""
)

# The stored entry, read with JS straight from IndexedDB (its own connection).
READ_ENTRY = """async (account) => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('did-session', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('sessions');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    const value = await new Promise((resolve, reject) => {
      const tx = db.transaction('sessions', 'readonly');
      const get = tx.objectStore('sessions').get(account);
      tx.oncomplete = () => resolve(get.result);
      tx.onerror = () => reject(tx.error);
    });
    if (value === undefined) return null;
    const out = {valueKeys: Object.keys(value).sort(), cacao: value.cacao};
    const pair = value.keypair;
    if (pair && typeof pair === 'object') {
      out.pairKeys = Object.keys(pair).sort();
      if (pair.privateKey instanceof CryptoKey) {
        out.extractable = pair.privateKey.extractable;
        out.algorithm = {...pair.privateKey.algorithm};
        out.usages = pair.privateKey.usages;
        out.exportErrors = [];
        for (const format of ['pkcs8', 'jwk', 'raw']) {
          try {
            await crypto.subtle.exportKey(format, pair.privateKey);
            out.exportErrors.push(null);
          } catch (e) {
            out.exportErrors.push(e.name);
          }
        }
        out.publicKey = Array.from(new Uint8Array(
            await crypto.subtle.exportKey('raw', pair.publicKey)));
      }
    }
    return out;
  } finally {
    db.close();
  }
}"""

PUT_ENTRY = """async ([account, value]) => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('did-session', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('sessions');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  await new Promise((resolve, reject) => {
    const tx = db.transaction('sessions', 'readwrite');
    tx.objectStore('sessions').put(value, account);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  return true;
}"""


def personal_signs(page: Page) -> int:
    """How many times the page's test wallet was asked to sign."""
    return wallet_calls(page).get("personal_sign", 0)


def start_py(page: Page, code: str) -> None:
    """Start ``run_py`` without waiting; ``finish_py`` collects the result."""
    page.evaluate(
        "code => { window.__pending = window.runPython(code).then("
        "v => ({ok: v}), e => ({error: String(e)})); }",
        code,
    )


def finish_py(page: Page) -> Any:
    result = page.evaluate("() => window.__pending")
    assert "error" not in result, result["error"]
    return result["ok"]
