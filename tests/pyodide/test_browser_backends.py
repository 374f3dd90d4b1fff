"""The browser back ends (WebCrypto keys and verifier, IndexedDB store, platform choice),
from Python inside Pyodide in Chromium, checked against the pure-Python crypto.

Data from the host (expected signatures, Wycheproof vectors) is passed in as arguments.
"""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide

from did_session import crypto
from did_session.did_key import KeyType, encode_did_key
from tests.conftest import load_vector

SEED = bytes(range(32))
SEED_DID = "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd"
MESSAGES = [b"", b"did-session", bytes(range(256)) * 3]


def test_host_reference_values() -> None:
    # What the browser tests below compare against: the CPython path.
    assert encode_did_key(KeyType.ED25519, crypto.ed25519_public_key(SEED)) == SEED_DID


@run_in_pyodide(packages=["did-session"])
async def test_platform_is_browser(selenium: Any) -> None:
    import js

    from did_session import crypto
    from did_session._env import IN_PYODIDE
    from did_session.browser import IndexedDBStore, WebCryptoKeyBackend, WebCryptoVerifier
    from did_session.host import HostVerifier
    from did_session.platform import Platform, default_platform

    assert IN_PYODIDE is True
    assert "noble" in crypto.BACKEND  # the crypto facade decided on the same fact
    platform = default_platform()
    assert isinstance(platform, Platform) and platform is default_platform()
    assert platform.name == "browser"
    assert isinstance(platform.keys, WebCryptoKeyBackend)
    assert isinstance(platform.verifier, WebCryptoVerifier)
    assert isinstance(platform.sync_verifier, HostVerifier)
    assert isinstance(platform.default_store(), IndexedDBStore)
    assert platform.default_store() is platform.default_store()
    assert platform.page is not None
    assert platform.page.hostname == str(js.location.hostname)
    assert platform.page.origin == str(js.location.origin)
    assert set(platform.wallet_adapters) == {"eip155", "solana"}  # solana: issue 13
    assert platform.wallet("eip155", None) is None  # no window.ethereum in this page
    assert platform.wallet("solana", None) is None  # no window.phantom / window.solana


@run_in_pyodide(packages=["did-session"])
async def test_generate_secure_key(selenium: Any) -> None:
    import js
    import pytest
    from pyodide.ffi import JsException

    from did_session import crypto
    from did_session.browser import WebCryptoKeyBackend, WebCryptoSigner
    from did_session.did_key import KeyType, decode_did_key

    backend = WebCryptoKeyBackend()
    signer = await backend.generate_secure_key()
    assert isinstance(signer, WebCryptoSigner)
    assert signer.alg == "ES256"
    assert signer.extractable is False
    assert signer.did.startswith("did:key:zDn")
    key = decode_did_key(signer.did)
    assert key.key_type == KeyType.P256
    assert signer.key_pair.privateKey.extractable is False
    assert signer.key_pair.privateKey.type == "private"
    assert list(signer.key_pair.privateKey.usages) == ["sign"]
    # The key pair is a plain {privateKey, publicKey} object (what the JS library stores).
    assert sorted(js.Object.keys(signer.key_pair)) == ["privateKey", "publicKey"]
    for fmt in ("pkcs8", "jwk", "raw"):
        with pytest.raises(JsException, match="InvalidAccessError"):
            await js.crypto.subtle.exportKey(fmt, signer.key_pair.privateKey)
    for message in (b"", b"did-session", bytes(range(256)) * 3):
        sig = await signer.sign(message)
        assert len(sig) == 64
        assert crypto.p256_verify(signer.public_key, message, sig) is True
        assert crypto.p256_verify(signer.public_key, message + b"x", sig) is False
    # Two keys are different keys.
    other = await backend.generate_secure_key()
    assert other.did != signer.did


@run_in_pyodide(packages=["did-session"])
async def _ed25519_from_seed(selenium: Any, seed: bytes, did: str, expected: list) -> None:
    import pytest

    from did_session import crypto
    from did_session.browser import WebCryptoKeyBackend
    from did_session.errors import MalformedError

    backend = WebCryptoKeyBackend()
    signer = await backend.ed25519_from_seed(seed)
    assert signer.alg == "EdDSA"
    assert signer.did == did
    assert signer.public_key == crypto.ed25519_public_key(seed)
    for message, sig_hex in expected:
        sig = await signer.sign(message)
        assert sig.hex() == sig_hex  # byte-identical to CPython's
        assert sig == crypto.ed25519_sign(seed, message)  # and to the pure path in Pyodide
    with pytest.raises(MalformedError):
        await backend.ed25519_from_seed(seed[:31])


def test_ed25519_from_seed_matches_cpython(selenium: Any) -> None:
    expected = [(m, crypto.ed25519_sign(SEED, m).hex()) for m in MESSAGES]
    _ed25519_from_seed(selenium, SEED, SEED_DID, expected)


@run_in_pyodide(packages=["did-session"])
async def _verifier_agrees(selenium: Any, seed: bytes) -> None:
    from did_session import crypto
    from did_session.browser import WebCryptoKeyBackend, WebCryptoVerifier

    backend = WebCryptoKeyBackend()
    verifier = WebCryptoVerifier()
    ed = await backend.ed25519_from_seed(seed)
    p256 = await backend.generate_secure_key()
    pure = {"EdDSA": crypto.ed25519_verify, "ES256": crypto.p256_verify}
    for signer in (ed, p256):
        keys = [signer.public_key]
        if signer.alg == "ES256":
            keys.append(crypto.p256_decompress(signer.public_key))  # 65-byte form too
        for message in (b"", b"hello", bytes(range(200))):
            sig = await signer.sign(message)
            tampered = [
                (message, sig[:-1] + bytes([sig[-1] ^ 1])),
                (message, bytes([sig[0] ^ 0x80]) + sig[1:]),
                (message + b"!", sig),
                (message, sig[:63]),
                (message, sig + b"\0"),
                (message, bytes(64)),
            ]
            for key in keys:
                assert await verifier.verify(signer.alg, key, message, sig) is True
                assert pure[signer.alg](key, message, sig) is True
                for msg, bad in tampered:
                    assert await verifier.verify(signer.alg, key, msg, bad) is False
                    assert pure[signer.alg](key, msg, bad) is False
        # Wrong algorithm / wrong key: False, never an exception.
        assert await verifier.verify("ES256K", signer.public_key, b"x", bytes(64)) is False
    sig = await ed.sign(b"m")
    assert await verifier.verify("ES256", ed.public_key, b"m", sig) is False
    assert await verifier.verify("EdDSA", bytes(31), b"m", sig) is False
    assert await verifier.verify("ES256", b"\x02" + bytes(32), b"m", sig) is False


@run_in_pyodide(packages=["did-session"])
async def _wycheproof_ed25519(selenium: Any, groups: list) -> None:
    from did_session import crypto
    from did_session.browser import WebCryptoVerifier

    verifier = WebCryptoVerifier()
    disagree = []
    count = 0
    for pk_hex, tests in groups:
        pk = bytes.fromhex(pk_hex)
        for tc_id, msg_hex, sig_hex, result in tests:
            msg, sig = bytes.fromhex(msg_hex), bytes.fromhex(sig_hex)
            web = await verifier.verify("EdDSA", pk, msg, sig)
            pure = crypto.ed25519_verify(pk, msg, sig)
            count += 1
            if web != pure or web != (result == "valid"):
                disagree.append((tc_id, result, web, pure))
    assert count > 100
    assert disagree == []


def test_wycheproof_ed25519_webcrypto_vs_pure(selenium: Any) -> None:
    data = load_vector("ed25519/wycheproof_ed25519_test.json")
    groups = [
        (
            g["publicKey"]["pk"],
            [(t["tcId"], t["msg"], t["sig"], t["result"]) for t in g["tests"]],
        )
        for g in data["testGroups"]
    ]
    _wycheproof_ed25519(selenium, groups)


def test_verifier_agrees_with_pure(selenium: Any) -> None:
    _verifier_agrees(selenium, SEED)


@run_in_pyodide(packages=["did-session"])
async def test_indexeddb_store(selenium: Any) -> None:
    import js
    import pytest
    from pyodide.code import run_js

    from did_session.browser import IndexedDBStore, WebCryptoKeyBackend
    from did_session.interfaces import StoredSession

    account = "eip155:1:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    cacao = {
        "h": {"t": "eip4361"},
        "p": {"domain": "127.0.0.1", "iat": "2025-01-01T00:00:00.000Z", "aud": "x"},
        "s": {"t": "eip191", "s": "0x00"},
    }
    store = IndexedDBStore()
    try:
        assert await store.load(account) is None
        signer = await WebCryptoKeyBackend().generate_secure_key()
        await store.save(account, StoredSession(cacao=cacao, signer=signer))
        loaded = await store.load(account)
        assert loaded is not None
        assert loaded.cacao == cacao
        assert loaded.signer.did == signer.did
        assert loaded.signer.extractable is False
        sig = await loaded.signer.sign(b"after a round trip")
        from did_session import crypto

        assert crypto.p256_verify(signer.public_key, b"after a round trip", sig)

        # The exact JS layout, read from JS with a separate connection.
        read = run_js(
            """(account) => new Promise((resolve, reject) => {
              const req = indexedDB.open('did-session');
              req.onerror = () => reject(req.error);
              req.onsuccess = () => {
                const db = req.result;
                const tx = db.transaction('sessions', 'readonly');
                const os = tx.objectStore('sessions');
                const get = os.get(account);
                const keys = os.getAllKeys();
                tx.oncomplete = () => {
                  const v = get.result;
                  const out = {
                    version: db.version, stores: Array.from(db.objectStoreNames),
                    keyPathNull: os.keyPath === null, indexes: os.indexNames.length,
                    keys: keys.result, valueKeys: Object.keys(v).sort(),
                    pairKeys: Object.keys(v.keypair).sort(),
                    privType: v.keypair.privateKey.type,
                    privExtractable: v.keypair.privateKey.extractable,
                    pubType: v.keypair.publicKey.type,
                    curve: v.keypair.privateKey.algorithm.namedCurve,
                    cacao: JSON.stringify(v.cacao),
                    isCryptoKey: v.keypair.privateKey instanceof CryptoKey,
                  };
                  db.close();
                  resolve(out);
                };
              };
            })"""
        )
        out = (await read(account)).to_py()
        assert out["version"] == 1
        assert out["stores"] == ["sessions"]
        assert out["keyPathNull"] is True
        assert out["indexes"] == 0
        assert out["keys"] == [account]
        assert out["valueKeys"] == ["cacao", "keypair"]
        assert out["pairKeys"] == ["privateKey", "publicKey"]
        assert out["privType"] == "private"
        assert out["privExtractable"] is False
        assert out["pubType"] == "public"
        assert out["curve"] == "P-256"
        assert out["isCryptoKey"] is True
        import json

        assert json.loads(out["cacao"]) == cacao

        # Transactions complete: a write committed by save is visible to the JS reader
        # above at once; and a second connection can upgrade-check the db (no tx left open).
        pending = run_js(
            """() => new Promise((resolve) => {
              const req = indexedDB.open('did-session');
              req.onsuccess = () => {
                const db = req.result;
                const tx = db.transaction('sessions', 'readwrite');
                tx.oncomplete = () => { db.close(); resolve(true); };
                tx.objectStore('sessions').count();
              };
            })"""
        )
        assert await pending() is True

        # Corrupted entries (another script): load gives None, never raises.
        put = run_js(
            """(value, key) => new Promise((resolve, reject) => {
              const req = indexedDB.open('did-session');
              req.onsuccess = () => {
                const db = req.result;
                const tx = db.transaction('sessions', 'readwrite');
                tx.objectStore('sessions').put(value, key);
                tx.oncomplete = () => { db.close(); resolve(true); };
                tx.onerror = () => reject(tx.error);
              };
              req.onerror = () => reject(req.error);
            })"""
        )
        corrupt_values = run_js(
            """[
              {cacao: 'x', keypair: 1},
              {cacao: {h: 1}},
              'a string', 42, null, [],
              {cacao: {}, keypair: {privateKey: 'k', publicKey: 'p'}},
              {cacao: {h: {t: 'eip4361'}}, keypair: {}},
            ]"""
        )
        for i in range(corrupt_values.length):
            await put(corrupt_values[i], account)
            assert await store.load(account) is None, i
        # A key pair of the wrong kind (Ed25519, or an ECDH key) is not a session either.
        ed_pair = await js.crypto.subtle.generateKey(
            js.Object.fromEntries([["name", "Ed25519"]]), False, js.Array.of("sign", "verify")
        )
        await put(
            js.Object.fromEntries([["cacao", js.Object.new()], ["keypair", ed_pair]]), account
        )
        assert await store.load(account) is None

        # Delete, and delete again (no error).
        await store.save(account, StoredSession(cacao=cacao, signer=signer))
        assert await store.load(account) is not None
        await store.delete(account)
        assert await store.load(account) is None
        await store.delete(account)
        assert await store.load(account) is None

        # The per-account Web Lock is exclusive across holders.
        import asyncio

        order = []

        async def hold(name: str) -> None:
            async with store.lock(account):
                order.append(name + "+")
                await asyncio.sleep(0.05)
                order.append(name + "-")

        await asyncio.gather(hold("a"), hold("b"))
        assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])

        # A waiter cancelled while another holds the lock never holds it afterwards.
        async def acquire() -> None:
            async with store.lock(account):
                pass

        holder = asyncio.ensure_future(hold("c"))
        await asyncio.sleep(0.01)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(acquire(), 0.01)
        await holder
        await asyncio.wait_for(acquire(), 2)  # not held by the cancelled waiter
        await asyncio.sleep(0.05)  # the lock manager releases asynchronously
        held = run_js("async () => (await navigator.locks.query()).held.map((l) => l.name)")
        assert list(await held()) == []
        pending_names = run_js(
            "async () => (await navigator.locks.query()).pending.map((l) => l.name)"
        )
        assert list(await pending_names()) == []
    finally:
        store.close()


@run_in_pyodide(packages=["did-session"])
async def test_ethereum_adapter(selenium: Any) -> None:
    import pytest
    from pyodide.code import run_js

    from did_session import errors as E
    from did_session._wallet import request_chain_id
    from did_session.browser import BrowserEthereumProvider
    from did_session.platform import default_platform

    p = run_js(
        """({
          plain: {request: ({method}) => (method === 'eth_chainId' ? '0x5' : null)},
          syncThrow: {request: () => { throw Object.assign(new Error('no'), {code: 4001}); }},
          rejects: {request: async () => {
            throw Object.assign(new Error('unsupported'), {code: 4200}); }},
          disconnected: {request: async () => {
            throw Object.assign(new Error('gone'), {code: 4901}); }},
          sendAsync: {sendAsync: (q, cb) => cb(null, {id: q.id, jsonrpc: '2.0',
                                                      result: [q.method, q.params]})},
          sendError: {sendAsync: (q, cb) => cb(null, {id: q.id, jsonrpc: '2.0',
                                                      error: {code: 4100, message: 'no'}})},
          legacySend: {send: (q, cb) => cb(null, {result: 'legacy'})},
          callbackError: {sendAsync: (q, cb) => cb(Object.assign(new Error('x'), {code: 4001}))},
          none: {},
        })"""
    )

    def provider(name: str) -> BrowserEthereumProvider:
        adapted = default_platform().wallet("eip155", getattr(p, name))
        assert isinstance(adapted, BrowserEthereumProvider)
        return adapted

    async def ask(name: str, method: str = "eth_x", params: list | None = None) -> object:
        return await provider(name).request({"method": method, "params": params or []})

    # A provider answering a plain value (not a promise) or throwing synchronously.
    assert await request_chain_id(provider("plain")) == 5
    with pytest.raises(E.UserRejectedError) as info:
        await ask("syncThrow")
    assert info.value.code == 4001
    with pytest.raises(E.WalletUnsupportedMethodError):
        await ask("rejects")
    with pytest.raises(E.WalletDisconnectedError):
        await ask("disconnected")
    assert await ask("sendAsync", "eth_y", [1, "a"]) == ["eth_y", [1, "a"]]
    with pytest.raises(E.WalletUnauthorizedError):
        await ask("sendError")
    assert await ask("legacySend") == "legacy"
    with pytest.raises(E.UserRejectedError):
        await ask("callbackError")
    with pytest.raises(E.WalletError):
        await ask("none")
    with pytest.raises(E.WalletResponseError):
        await provider("plain").request({"params": []})
