"""The browser runtime the package relies on, checked from Python inside Pyodide in Chromium."""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["did-session"])
def test_did_session_imports_in_pyodide(selenium: Any) -> None:
    import sys

    import did_session

    assert did_session.__name__ == "did_session"
    assert "_pyodide_core" in sys.modules
    assert sys.platform == "emscripten"
    assert sys.version_info[:2] == (3, 14)


@run_in_pyodide(packages=["did-session"])
def test_wheel_bytecode_is_this_pyodides(selenium: Any) -> None:
    """The wheel carries Pyodide's bytecode (tools/js/py-compile.mjs) so that importing costs
    no compile on each page load: every module has an unchecked-hash pyc of THIS Python
    (another magic number would be ignored and the module compiled again)."""
    import importlib.util
    import pathlib

    import did_session

    root = pathlib.Path(did_session.__file__).parent
    sources = sorted(root.rglob("*.py"))
    assert len(sources) > 30
    for source in sources:
        with open(importlib.util.cache_from_source(str(source)), "rb") as f:
            header = f.read(16)
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(header[4:8], "little") == 0b01, source  # hash-based, unchecked


@run_in_pyodide(packages=["did-session"])
async def test_webcrypto_p256_key_is_not_extractable(selenium: Any) -> None:
    import js
    import pytest
    from pyodide.ffi import JsException, to_js

    def obj(d: dict[str, Any]) -> Any:
        return to_js(d, dict_converter=js.Object.fromEntries)

    ecdsa = obj({"name": "ECDSA", "namedCurve": "P-256"})
    pair = await js.crypto.subtle.generateKey(ecdsa, False, to_js(["sign", "verify"]))
    assert pair.privateKey.extractable is False
    assert pair.privateKey.type == "private"
    raw = (await js.crypto.subtle.exportKey("raw", pair.publicKey)).to_bytes()
    assert len(raw) == 65
    assert raw[0] == 4
    with pytest.raises(JsException, match="InvalidAccessError"):
        await js.crypto.subtle.exportKey("pkcs8", pair.privateKey)
    with pytest.raises(JsException, match="InvalidAccessError"):
        await js.crypto.subtle.exportKey("jwk", pair.privateKey)

    # The non-extractable key still signs: raw r||s (64 bytes), verifiable with the public key.
    alg = obj({"name": "ECDSA", "hash": "SHA-256"})
    data = to_js(b"did-session")
    sig = await js.crypto.subtle.sign(alg, pair.privateKey, data)
    assert sig.byteLength == 64
    assert await js.crypto.subtle.verify(alg, pair.publicKey, sig, data) is True


@run_in_pyodide(packages=["did-session"])
async def test_indexeddb_roundtrip(selenium: Any) -> None:
    import asyncio

    import js
    from pyodide.ffi import create_proxy

    async def wait(req: Any) -> Any:
        fut = asyncio.get_running_loop().create_future()
        ok = create_proxy(lambda e: fut.done() or fut.set_result(req.result))
        err = create_proxy(lambda e: fut.done() or fut.set_exception(RuntimeError(str(req.error))))
        req.onsuccess, req.onerror = ok, err
        try:
            return await fut
        finally:
            req.onsuccess = req.onerror = None
            ok.destroy()
            err.destroy()

    name = "did-session-smoke"
    await wait(js.indexedDB.deleteDatabase(name))
    req = js.indexedDB.open(name, 1)
    upgrade = create_proxy(lambda e: req.result.createObjectStore("sessions"))
    req.onupgradeneeded = upgrade
    db = await wait(req)
    upgrade.destroy()
    try:
        assert list(db.objectStoreNames) == ["sessions"]
        store = db.transaction("sessions", "readwrite").objectStore("sessions")
        await wait(store.put("hello", "eip155:1:0xabc"))
        got = await wait(db.transaction("sessions").objectStore("sessions").get("eip155:1:0xabc"))
        assert got == "hello"
    finally:
        db.close()
        await wait(js.indexedDB.deleteDatabase(name))
