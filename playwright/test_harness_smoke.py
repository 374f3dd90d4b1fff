"""Smoke tests of the browser toolchain: harness, test wallet, reference JS bundle, server."""

from __future__ import annotations

import pytest
from browser_kit import (
    BrowserSession,
    RequestRecorder,
    SiteServer,
    open_harness,
    run_py,
    wallet_calls,
    wallet_log,
)
from eth_account import Account
from eth_account.messages import encode_defunct
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from tools import chromium

HARDHAT0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
HARDHAT1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_harness_runs_our_package_offline(
    harness_page: Page, server: SiteServer, request_recorder: RequestRecorder
) -> None:
    result = run_py(
        harness_page,
        "import sys, did_session\n"
        "{'module': did_session.__name__, 'platform': sys.platform,"
        " 'core': '_pyodide_core' in sys.modules, 'version': list(sys.version_info[:2])}",
    )
    assert result == {"module": "did_session", "platform": "emscripten", "core": True,
                      "version": [3, 14]}  # fmt: skip
    assert run_py(harness_page, "await __import__('asyncio').sleep(0) or 6 * 7") == 42
    with pytest.raises(PlaywrightError, match="ZeroDivisionError"):
        run_py(harness_page, "1 / 0")
    # Everything came from our server: Pyodide runtime, lock, wheels.
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in request_recorder.urls)
    assert any(u.endswith(".whl") for u in request_recorder.urls)
    assert request_recorder.foreign() == []


def test_jspi_switch_reaches_pyodide(harness_page: Page) -> None:
    # DID_SESSION_JSPI (tools/chromium.py) decides whether Pyodide found stack switching.
    found = harness_page.evaluate("window.pyodide._module.jspiSupported")
    assert found is (chromium.JSPI == "on")


def test_micropip_installs_from_local_simple_index(page: Page, server: SiteServer) -> None:
    # micropip comes from the site's pyodide lock (entry rewritten to the PyPI wheel) and our
    # package from the PEP 503 index in wheels/simple/: what PyScript `packages` relies on.
    # index_urls must be absolute: micropip joins the index's relative hrefs to it and refuses
    # to download from a relative URL ("Cannot download from a non-remote location").
    open_harness(page, server, "?nowheels")
    result = run_py(
        page,
        "import js, pyodide_js\n"
        "await pyodide_js.loadPackage('micropip')\n"
        "import micropip\n"
        "index = js.URL.new('../wheels/simple', js.location.href).href\n"
        "await micropip.install('did-session', index_urls=[index])\n"
        "import did_session\n"
        "[index, sorted(p for p in micropip.list() if p in ('did-session', 'micropip'))]",
    )
    assert result == [server.page_url("wheels/simple"), ["did-session", "micropip"]]


def test_pyscript_page_loads_our_wheel_offline(page: Page, server: SiteServer) -> None:
    # PyScript from npm, interpreter from ../pyodide (its default is a CDN), `packages`
    # installed through micropip from the site's lock; a reload exercises its package cache.
    for _ in range(2):
        page.goto(server.page_url("harness/pyscript.html"))
        page.wait_for_function("document.body.dataset.state === 'ready'")
        assert page.evaluate("({...document.body.dataset})") == {
            "state": "ready", "module": "did_session", "platform": "emscripten",
        }  # fmt: skip


@pytest.mark.wallet()
def test_wallet_signs_for_hardhat0(page: Page, server: SiteServer) -> None:
    page.goto(server.page_url("harness/blank.html"))
    message = "did-session smoke test\nline 2"
    result = page.evaluate(
        """async (message) => {
          const u = window.__testWalletUtils;
          const hex = u.hexlify(u.toUtf8Bytes(message));
          const [account] = await ethereum.request({method: 'eth_requestAccounts'});
          const signature = await ethereum.request(
              {method: 'personal_sign', params: [hex, account]});
          return {
            account, signature,
            recovered: u.verifyMessage(u.getBytes(hex), signature),
            chainId: await ethereum.request({method: 'eth_chainId'}),
            netVersion: await ethereum.request({method: 'net_version'}),
            accounts: await ethereum.send('eth_accounts', []),
          };
        }""",
        message,
    )
    assert result["account"] == HARDHAT0.lower()
    assert result["recovered"] == HARDHAT0
    assert result["chainId"] == "0x1"
    assert result["netVersion"] == "1"
    assert result["accounts"] == [HARDHAT0.lower()]
    # The same signature checked on the host with eth-account (EIP-191 personal_sign).
    recovered = Account.recover_message(encode_defunct(text=message), signature=result["signature"])
    assert recovered == HARDHAT0
    assert wallet_calls(page) == {
        "eth_requestAccounts": 1, "personal_sign": 1, "eth_chainId": 1, "net_version": 1,
        "eth_accounts": 1,
    }  # fmt: skip
    assert wallet_log(page)[1]["method"] == "personal_sign"
    assert wallet_log(page)[1]["params"][1] == HARDHAT0.lower()


@pytest.mark.wallet(chain_id=5)
def test_wallet_errors_and_modes(page: Page, server: SiteServer) -> None:
    page.goto(server.page_url("harness/blank.html"))
    codes = page.evaluate(
        """async () => {
          const code = (p) => p.then(() => 'resolved', (e) => [e.code, e.message]);
          const hex = '0x68656c6c6f';
          const out = {};
          out.chainId = await ethereum.request({method: 'eth_chainId'});
          out.unsupported = await code(
              ethereum.request({method: 'eth_sendTransaction', params: []}));
          out.wrongAccount = await code(ethereum.request({method: 'personal_sign',
              params: [hex, '0x70997970c51812dc3a010c7d01b50e0d17dc79c8']}));
          out.sendAsync = await new Promise((resolve) => ethereum.sendAsync(
              {id: 7, jsonrpc: '2.0', method: 'eth_chainId', params: []},
              (err, res) => resolve([err, res])));
          const u = window.__testWalletUtils;
          const account = async () =>
              (await ethereum.request({method: 'eth_accounts'}))[0] || u.addresses.hardhat0;
          const sign = async () =>
              ethereum.request({method: 'personal_sign', params: [hex, await account()]});
          __installTestWallet({mode: 'reject'});
          out.rejectAccounts = await code(ethereum.request({method: 'eth_requestAccounts'}));
          out.rejectSign = await code(sign());
          out.rejectCalls = {...window.__walletCalls};
          __installTestWallet({mode: 'garbage'});
          out.garbage = await sign();
          __installTestWallet({mode: 'other-account'});
          out.otherAccounts = await ethereum.request({method: 'eth_requestAccounts'});
          out.otherRecovered = u.verifyMessage(u.getBytes(hex), await sign());
          __installTestWallet({signDelayMs: 300});
          const t0 = performance.now();
          await sign();
          out.delayed = performance.now() - t0 >= 290;
          return out;
        }"""
    )
    assert codes["chainId"] == "0x5"
    assert codes["unsupported"][0] == 4200
    assert codes["wrongAccount"][0] == 4100
    assert codes["sendAsync"] == [None, {"id": 7, "jsonrpc": "2.0", "result": "0x5"}]
    assert codes["rejectAccounts"] == [4001, "User rejected the request."]
    assert codes["rejectSign"] == [4001, "User rejected the request."]
    assert codes["rejectCalls"] == {"eth_requestAccounts": 1, "eth_accounts": 1, "personal_sign": 1}
    assert codes["garbage"] == "0x1234"
    assert codes["otherAccounts"] == [HARDHAT0.lower()]
    assert codes["otherRecovered"] == HARDHAT1
    assert codes["delayed"] is True


@pytest.mark.wallet()
def test_reference_js_did_session_in_page(page: Page, server: SiteServer) -> None:
    page.goto(server.page_url("harness/blank.html"))
    page.add_script_tag(url=server.page_url("js/did-session-js.js"))
    result = page.evaluate(
        """async () => {
          const {DIDSession, EthereumWebAuth, getAccountId, DID, KeyResolver, getEIP191Verifier}
              = window.DIDSessionJS;
          const [address] = await ethereum.request({method: 'eth_requestAccounts'});
          const accountId = await getAccountId(window.ethereum, address);
          const authMethod = await EthereumWebAuth.getAuthMethod(window.ethereum, accountId);
          const session = await DIDSession.authorize(authMethod, {resources: ['ceramic://*']});
          const jws = await session.did.createJWS({hello: 'world'});
          const verifier = new DID({resolver: KeyResolver.getResolver()});
          const verified = await verifier.verifyJWS(jws, {
              issuer: session.id, capability: session.cacao, verifiers: getEIP191Verifier()});
          return {id: session.id, did: session.did.id, resources: session.authorizations,
                  domain: session.cacao.p.domain, payload: jws.payload, kid: verified.kid};
        }"""
    )
    assert result["id"] == f"did:pkh:eip155:1:{HARDHAT0.lower()}"
    assert result["did"].startswith("did:key:z6Mk")
    assert result["kid"].startswith(result["did"] + "#z6Mk")
    assert result["resources"] == ["ceramic://*"]
    assert result["domain"] == "127.0.0.1"
    assert result["payload"] == "eyJoZWxsbyI6IndvcmxkIn0"  # base64url('{"hello":"world"}')
    assert wallet_calls(page)["personal_sign"] == 1  # the wallet was asked exactly once


@pytest.mark.wallet(mode="garbage")
def test_relaunch_keeps_profile_and_wallet(
    page: Page, server: SiteServer, browser_session: BrowserSession
) -> None:
    page.goto(server.page_url("harness/blank.html"))
    store = """(value) => new Promise((resolve, reject) => {
        const req = indexedDB.open('relaunch-smoke', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('kv');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction('kv', 'readwrite');
          const kv = tx.objectStore('kv');
          const r = value === null ? kv.get('k') : kv.put(value, 'k');
          tx.oncomplete = () => { db.close(); resolve(r.result); };
          tx.onerror = () => reject(tx.error);
        };
      })"""
    page.evaluate(store, "kept")
    profile = browser_session.profile_dir
    context = browser_session.relaunch()
    assert browser_session.profile_dir == profile
    page = browser_session.page
    assert page.context is context
    page.goto(server.page_url("harness/blank.html"))
    assert page.evaluate(store, None) == "kept"
    assert page.evaluate("window.ethereum.testInfo.mode") == "garbage"
