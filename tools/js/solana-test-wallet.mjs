// A REAL signing Solana wallet for browser tests: an injected provider shaped like Phantom's
// (`window.phantom.solana` and `window.solana`): connect(), publicKey, signMessage(bytes,
// "utf8") -> {signature, publicKey}, the call @didtools/pkh-solana 0.2.0 makes. Ed25519 by the
// audited @noble/curves (not by the library under test).
//
// Bundled by tools/build.py (esbuild, IIFE) into .build/site/js/solana-test-wallet.js.
// It holds a PUBLIC TEST KEY ONLY by default (the secret key of js-did's SIWS test,
// packages/integration/test/cacao-siws.test.ts), or a fresh random key ("random").
//
// Install: set `window.__solanaWalletConfig = {...}` before this script runs (Playwright
// `add_init_script`), or call `window.__installSolanaTestWallet(options)`.
//
// Options:
//   secretKey    hex Ed25519 secret key, or "random" (default: js-did's test key)
//   mode         "sign" (default); "reject": connect and signMessage reject with code 4001
//                "User rejected the request." (as Phantom does); "garbage": signMessage
//                answers a 10-byte signature; "other-account": signMessage signs with
//                another key (the signature does not verify for publicKey).
//   errorStyle   "error" (default): failures are Error instances with a code;
//                "plain": plain {code, message} objects, as some wallets reject.
//
// Introspection: `window.__solanaWalletCalls` (method -> count), `window.__solanaWalletLog`
// (every signed message as text), `window.__solanaTestWallet` (the provider).

import { ed25519 } from "@noble/curves/ed25519";
import { toString } from "uint8arrays/to-string";
import { fromString } from "uint8arrays/from-string";

export const TEST_SECRET_KEY = "92e08e39aee87d53fe263913bf9df6615c1c909860a1d3ad57bd0e6e2e507161";
const OTHER_SECRET_KEY = "01".repeat(32);

class WalletError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "WalletError";
    this.code = code;
  }
}

class PublicKey {
  constructor(bytes) {
    this._bytes = Uint8Array.from(bytes);
  }
  toBytes() {
    return Uint8Array.from(this._bytes);
  }
  toBase58() {
    return toString(this._bytes, "base58btc");
  }
  toString() {
    return this.toBase58();
  }
  toJSON() {
    return this.toBase58();
  }
}

export function createSolanaTestWallet(options = {}) {
  const mode = options.mode ?? "sign";
  if (!["sign", "reject", "garbage", "other-account"].includes(mode)) {
    throw new Error(`solana test wallet: unknown mode ${JSON.stringify(mode)}`);
  }
  const errorStyle = options.errorStyle ?? "error";
  const secretKey =
    options.secretKey === "random"
      ? ed25519.utils.randomSecretKey()
      : fromString(options.secretKey ?? TEST_SECRET_KEY, "base16");
  const publicKey = new PublicKey(ed25519.getPublicKey(secretKey));
  const signingKey = mode === "other-account" ? fromString(OTHER_SECRET_KEY, "base16") : secretKey;
  const calls = (window.__solanaWalletCalls = {});
  const log = (window.__solanaWalletLog = []);
  const fail = (code, message) => {
    const error = new WalletError(code, message);
    throw errorStyle === "plain" ? { code, message } : error;
  };
  const count = (method) => {
    calls[method] = (calls[method] ?? 0) + 1;
  };

  const provider = {
    isPhantom: false,
    isSolanaTestWallet: true,
    publicKey: null,
    isConnected: false,
    async connect() {
      count("connect");
      if (mode === "reject") fail(4001, "User rejected the request.");
      provider.publicKey = publicKey;
      provider.isConnected = true;
      return { publicKey };
    },
    async disconnect() {
      count("disconnect");
      provider.publicKey = null;
      provider.isConnected = false;
    },
    async signMessage(message, display) {
      count("signMessage");
      if (!(message instanceof Uint8Array)) fail(-32602, "signMessage: message must be a Uint8Array");
      log.push({ text: new TextDecoder().decode(message), display });
      if (mode === "reject") fail(4001, "User rejected the request.");
      if (!provider.isConnected) fail(4100, "The requested method and/or account has not been authorized by the user.");
      if (mode === "garbage") return { signature: new Uint8Array(10).fill(1), publicKey };
      return { signature: ed25519.sign(message, signingKey), publicKey };
    },
    testInfo: Object.freeze({ address: publicKey.toBase58(), mode, errorStyle }),
  };
  return provider;
}

export function installSolanaTestWallet(options) {
  const provider = createSolanaTestWallet(options ?? window.__solanaWalletConfig ?? {});
  window.solana = provider;
  window.phantom = Object.assign(window.phantom ?? {}, { solana: provider });
  window.__solanaTestWallet = provider;
  return provider.testInfo;
}

window.__installSolanaTestWallet = installSolanaTestWallet;
window.__solanaTestWalletUtils = Object.freeze({
  verify: (signature, message, publicKey) => ed25519.verify(signature, message, publicKey),
  base58: (bytes) => toString(bytes, "base58btc"),
  TEST_SECRET_KEY,
});
if (window.__solanaWalletConfig !== undefined) installSolanaTestWallet();
