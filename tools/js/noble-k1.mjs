// Source of src/did_session/crypto/_noble_k1.js: keccak-256 and secp256k1 public-key
// recovery from the audited npm @noble/hashes / @noble/curves (the code npm did-session's
// EIP-191 verifier runs), used by did_session.crypto under Pyodide, where they are 10-30x
// faster than pure Python. Regenerate after `npm ci` changes those packages:
//
//   node_modules/.bin/esbuild tools/js/noble-k1.mjs --bundle --format=iife \
//     --global-name=didSessionNobleK1 --platform=neutral --target=es2022 --minify \
//     --legal-comments=none --outfile=src/did_session/crypto/_noble_k1.js
//
// (then prepend the one-line header comment; see the file). No DOM, no window: works in
// pages, workers and Pyodide under Node.
import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak_256 } from "@noble/hashes/sha3";

export function keccak256(data) {
  return keccak_256(data);
}

// 65-byte uncompressed public key; throws on any invalid input (the caller has already
// checked r, s, the recovery id and the hash length).
export function recover(hash, rs, recoveryId) {
  const sig = secp256k1.Signature.fromCompact(rs).addRecoveryBit(recoveryId);
  return sig.recoverPublicKey(hash).toRawBytes(false);
}
