// The REFERENCE implementation (npm did-session 4.0.0 and friends), exposed as
// `window.DIDSessionJS` so Playwright tests and benchmarks can run it in the same page as the
// Python port. Bundled by tools/build.py (esbuild, IIFE, browser platform) into
// .build/site/js/did-session-js.js.
//
//   const { DIDSession, EthereumWebAuth, getAccountId } = window.DIDSessionJS;
//   const accountId = await getAccountId(window.ethereum, address);
//   const authMethod = await EthereumWebAuth.getAuthMethod(window.ethereum, accountId);
//   const session = await DIDSession.authorize(authMethod, { resources: ["ceramic://*"] });
//   const jws = await session.did.createJWS({ hello: "world" });
//
// Solana (@didtools/pkh-solana 0.2.0):
//   const accountId = DIDSessionJS.getSolanaAccountIdByNetwork("mainnet", address);
//   const authMethod = await DIDSessionJS.SolanaWebAuth.getAuthMethod(window.solana, accountId);
//
// Verifying with a CACAO:
//   const did = new DIDSessionJS.DID({ resolver: DIDSessionJS.KeyResolver.getResolver() });
//   await did.verifyJWS(jws, { issuer, capability, verifiers: DIDSessionJS.getEIP191Verifier() });

import { Cacao, CacaoBlock, SiweMessage, SiwsMessage } from "@didtools/cacao";
import {
  EthereumWebAuth,
  getAccountId,
  getEIP191Verifier,
  verifyEIP191Signature,
} from "@didtools/pkh-ethereum";
import {
  SolanaWebAuth,
  SolanaNodeAuth,
  getAccountIdByNetwork as getSolanaAccountIdByNetwork,
  getSolanaVerifier,
  verifySolanaSignature,
  SOLANA_MAINNET_CHAIN_REF,
  SOLANA_DEVNET_CHAIN_REF,
  SOLANA_TESTNET_CHAIN_REF,
} from "@didtools/pkh-solana";
import {
  DIDSession,
  cacaoContainsResources,
  createDIDCacao,
  createDIDKey,
  getAccountIdByDID,
} from "did-session";
import { DID } from "dids";
import KeyResolver, { getResolver as getKeyResolver } from "key-did-resolver";
import * as uint8arrays from "uint8arrays";
// The secp256k1 / keccak code the JS verifier runs (for bench/: the same primitives reached
// from Python through the FFI).
import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak_256 } from "@noble/hashes/sha3";

window.DIDSessionJS = Object.freeze({
  DIDSession,
  EthereumWebAuth,
  getAccountId,
  getAccountIdByDID,
  createDIDKey,
  createDIDCacao,
  cacaoContainsResources,
  DID,
  KeyResolver,
  getKeyResolver,
  Cacao,
  CacaoBlock,
  SiweMessage,
  SiwsMessage,
  getEIP191Verifier,
  verifyEIP191Signature,
  uint8arrays,
  // @didtools/pkh-solana 0.2.0 (the Solana auth methods and verifier)
  SolanaWebAuth,
  SolanaNodeAuth,
  getSolanaAccountIdByNetwork,
  getSolanaVerifier,
  verifySolanaSignature,
  SOLANA_MAINNET_CHAIN_REF,
  SOLANA_DEVNET_CHAIN_REF,
  SOLANA_TESTNET_CHAIN_REF,
  noble: Object.freeze({ secp256k1, keccak_256 }),
  versions: Object.freeze({
    "did-session": "4.0.0",
    "@didtools/pkh-ethereum": "0.6.0",
    "@didtools/pkh-solana": "0.2.0",
    "@didtools/cacao": "3.0.1",
    dids: "5.0.3",
    "key-did-resolver": "4.0.0",
  }),
});
