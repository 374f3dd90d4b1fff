// A REAL signing EIP-1193 provider for browser tests, built on npm `ethers` v6.
//
// Bundled by tools/build.py (esbuild, IIFE) into .build/site/js/test-wallet.js.
// It holds PUBLIC TEST KEYS ONLY (the well-known Hardhat accounts). Never put a real key here.
//
// Install it as `window.ethereum`:
//   - set `window.__testWalletConfig = {...}` BEFORE this script runs (Playwright
//     `context.add_init_script` runs first), and the bundle installs itself on load; or
//   - call `window.__installTestWallet(options)` at any time (options default to
//     `window.__testWalletConfig`, read at install time).
//
// Options:
//   privateKey   hex private key (default: Hardhat account #0)
//   chainId      number (default 1)
//   mode         "sign" (default): signs with privateKey;
//                "reject": eth_requestAccounts and personal_sign reject with code 4001
//                          "User rejected the request." (eth_accounts then returns []);
//                "garbage": personal_sign returns "0x1234";
//                "disconnect": personal_sign rejects with code 4900 (the wallet went offline
//                          between eth_requestAccounts and the signature);
//                "other-account": accounts report privateKey's address, but personal_sign
//                          signs with a different known test key (Hardhat #1, or #0 if
//                          privateKey is #1), so the signature recovers to another address.
//   signDelayMs  delay (ms) before personal_sign answers (default 0).
//   errorStyle   "error" (default): failures are ProviderRpcError instances (Error);
//                "plain": they are plain {code, message} objects, as some wallets and
//                bridges reject (not Error instances, no stack).
//
// Introspection for tests: `window.__walletCalls` (method -> count of calls),
// `window.__walletLog` (array of {method, params}), `window.__testWallet` (the provider),
// `window.__testWalletUtils` (ethers helpers: verifyMessage, getBytes, hexlify, ...).

import { Wallet, getBytes, hexlify, isHexString, toUtf8Bytes, verifyMessage } from "ethers";

export const TEST_KEYS = Object.freeze({
  hardhat0: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  hardhat1: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
});

class ProviderRpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.name = "ProviderRpcError";
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

const USER_REJECTED = 4001;
const UNAUTHORIZED = 4100;
const UNSUPPORTED_METHOD = 4200;
const DISCONNECTED = 4900;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function messageBytes(message) {
  // EIP-1193 personal_sign carries the message hex-encoded; wallets (MetaMask) also accept a
  // plain string, signed as its UTF-8 bytes.
  if (typeof message === "string" && isHexString(message)) return getBytes(message);
  if (typeof message === "string") return toUtf8Bytes(message);
  throw new ProviderRpcError(-32602, "personal_sign: message must be a string");
}

export function createTestWallet(options = {}) {
  const mode = options.mode ?? "sign";
  if (!["sign", "reject", "garbage", "other-account", "disconnect"].includes(mode)) {
    throw new Error(`test wallet: unknown mode ${JSON.stringify(mode)}`);
  }
  const privateKey = options.privateKey ?? TEST_KEYS.hardhat0;
  const chainId = Number(options.chainId ?? 1);
  const signDelayMs = Number(options.signDelayMs ?? 0);
  const errorStyle = options.errorStyle ?? "error";
  if (!["error", "plain"].includes(errorStyle)) {
    throw new Error(`test wallet: unknown errorStyle ${JSON.stringify(errorStyle)}`);
  }
  const wallet = new Wallet(privateKey);
  const otherKey =
    wallet.privateKey.toLowerCase() === TEST_KEYS.hardhat1 ? TEST_KEYS.hardhat0 : TEST_KEYS.hardhat1;
  const signer = mode === "other-account" ? new Wallet(otherKey) : wallet;
  const address = wallet.address; // EIP-55 checksummed
  const listeners = new Map();

  const calls = (window.__walletCalls = {});
  const log = (window.__walletLog = []);

  function rejectByUser() {
    return new ProviderRpcError(USER_REJECTED, "User rejected the request.");
  }

  async function handle(method, params) {
    switch (method) {
      case "eth_requestAccounts":
        if (mode === "reject") throw rejectByUser();
        return [address.toLowerCase()];
      case "eth_accounts":
        return mode === "reject" ? [] : [address.toLowerCase()];
      case "eth_chainId":
        return "0x" + chainId.toString(16);
      case "net_version":
        return String(chainId);
      case "personal_sign": {
        const [message, account] = params;
        if (signDelayMs > 0) await sleep(signDelayMs);
        if (mode === "reject") throw rejectByUser();
        if (mode === "disconnect") throw new ProviderRpcError(DISCONNECTED, "The provider is disconnected from all chains.");
        if (typeof account !== "string" || account.toLowerCase() !== address.toLowerCase()) {
          throw new ProviderRpcError(
            UNAUTHORIZED,
            "The requested account and/or method has not been authorized by the user.",
          );
        }
        const bytes = messageBytes(message);
        if (mode === "garbage") return "0x1234";
        return signer.signMessage(bytes);
      }
      default:
        throw new ProviderRpcError(UNSUPPORTED_METHOD, `The Provider does not support the requested method: ${method}`);
    }
  }

  async function request(args) {
    if (args === null || typeof args !== "object" || typeof args.method !== "string") {
      throw new ProviderRpcError(-32600, "request() expects {method, params}");
    }
    const { method } = args;
    const params = Array.isArray(args.params) ? args.params : args.params === undefined ? [] : [args.params];
    calls[method] = (calls[method] ?? 0) + 1;
    log.push({ method, params: JSON.parse(JSON.stringify(params)) });
    if (errorStyle === "error") return handle(method, params);
    return handle(method, params).catch((error) => {
      throw { code: error.code, message: error.message };
    });
  }

  function rpcError(error) {
    return { code: error?.code ?? -32603, message: String(error?.message ?? error), data: error?.data };
  }

  function sendAsync(payload, callback) {
    request({ method: payload.method, params: payload.params }).then(
      (result) => callback(null, { id: payload.id, jsonrpc: "2.0", result }),
      (error) => callback(error, { id: payload.id, jsonrpc: "2.0", error: rpcError(error) }),
    );
  }

  const provider = {
    isTestWallet: true,
    isMetaMask: false,
    get chainId() {
      return "0x" + chainId.toString(16);
    },
    get selectedAddress() {
      return mode === "reject" ? null : address.toLowerCase();
    },
    request,
    // Legacy forms: send(method, params) -> Promise<result>; send(payload, callback).
    send(methodOrPayload, paramsOrCallback) {
      if (typeof methodOrPayload === "string") {
        return request({ method: methodOrPayload, params: paramsOrCallback });
      }
      if (typeof paramsOrCallback === "function") return sendAsync(methodOrPayload, paramsOrCallback);
      return request({ method: methodOrPayload.method, params: methodOrPayload.params }).then(
        (result) => ({ id: methodOrPayload.id, jsonrpc: "2.0", result }),
      );
    },
    sendAsync,
    // EIP-1193 events: this wallet never changes accounts or chains, listeners are only kept.
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return provider;
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
    testInfo: Object.freeze({ address, signerAddress: signer.address, chainId, mode, signDelayMs, errorStyle }),
  };
  return provider;
}

export function installTestWallet(options) {
  const provider = createTestWallet(options ?? window.__testWalletConfig ?? {});
  window.ethereum = provider;
  window.__testWallet = provider;
  return provider.testInfo;
}

window.__installTestWallet = installTestWallet;
window.__testWalletUtils = Object.freeze({
  verifyMessage,
  getBytes,
  hexlify,
  toUtf8Bytes,
  TEST_KEYS,
  addresses: Object.freeze({
    hardhat0: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    hardhat1: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  }),
});
if (window.__testWalletConfig) installTestWallet(window.__testWalletConfig);
