"""Keccak-256 and secp256k1 recovery through JavaScript, for Pyodide only.

Pure-Python big-integer code is slow in WebAssembly (keccak-256 of a SIWE message: about
1.7 ms; a recovery: about 1.9 ms, in Chromium on the benchmark machine), while the audited
npm ``@noble/hashes`` / ``@noble/curves`` code that the JS did-session verifier runs does the
same in about 0.05 ms / 0.85 ms, FFI crossings included. ``_noble_k1.js`` (39 KB, shipped in
the wheel) is a bundle of just those two functions, generated from ``tools/js/noble-k1.mjs``.
It needs no DOM, so it also works in workers and in Pyodide under Node.

Chosen by :mod:`did_session.crypto` at import under Pyodide unless ``DID_SESSION_PURE=1``;
the bundle is evaluated on first use (~3 ms), so that importing the package holds no JS
object: a Pyodide memory snapshot taken after the import (tools/js/make-snapshot.mjs) can
only keep references to JS globals.
Inputs are validated in Python exactly as the pure path does first, so both paths accept
and reject the same signatures; any JS error becomes :class:`InvalidSignatureError`.
"""

from __future__ import annotations

import os
from typing import Any

from pyodide.code import run_js
from pyodide.ffi import JsException, to_js

from ..errors import InvalidSignatureError
from .secp256k1 import check_recovery_input

# Beside this file in the installed wheel (not importlib.resources: 60 ms of imports).
_BUNDLE = os.path.join(os.path.dirname(__file__), "_noble_k1.js")
BUNDLE_PRESENT: bool = os.path.exists(_BUNDLE)


def _load() -> Any:
    with open(_BUNDLE, encoding="utf-8") as f:
        source = f.read()
    # The bundle declares `var didSessionNobleK1`: keep it out of the global scope.
    return run_js(f"(() => {{\n{source}\nreturn didSessionNobleK1;\n}})()")


_k1: list[Any] = []  # [keccak256, recover] once loaded


def _functions() -> list[Any]:
    if not _k1:
        bundle = _load()
        _k1.extend((bundle.keccak256, bundle.recover))
    return _k1


def keccak256(data: bytes) -> bytes:
    return bytes(_functions()[0](to_js(bytes(data))).to_bytes())


def recover(msg_hash: bytes, signature64: bytes, recovery_id: int) -> bytes:
    check_recovery_input(msg_hash, signature64, recovery_id)  # the pure path's checks
    try:
        public_key = _functions()[1](to_js(bytes(msg_hash)), to_js(bytes(signature64)), recovery_id)
    except JsException as e:  # no point for r, or the result is at infinity
        raise InvalidSignatureError("no public key recovers from this signature") from e
    return bytes(public_key.to_bytes())
