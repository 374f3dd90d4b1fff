// JS DID.verifyJWS with a CACAO (EIP-191 recovery) under plain Node, for the server
// comparison: `node bench/node_verify.mjs vectors.json [seconds]` prints JSON
// {"verify_per_s": ..., "ms": ..., "n": ..., "node": ...}. vectors.json holds
// {ed_jws, ed_cacao_json} (written by bench/cpython.py from the browser run).
// did-session's dependencies are ESM packages in node_modules: imported by name.
import { readFileSync } from "node:fs";
import { DID } from "dids";
import KeyResolver from "key-did-resolver";
import { getEIP191Verifier } from "@didtools/pkh-ethereum";

const [file, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
const v = JSON.parse(readFileSync(file, "utf8"));
const did = new DID({ resolver: KeyResolver.getResolver() });
const verifiers = getEIP191Verifier();
const opts = { issuer: v.ed_cacao_json.p.iss, capability: v.ed_cacao_json, verifiers };
const once = () => did.verifyJWS(v.ed_jws, opts);

for (let i = 0; i < 20; i++) await once(); // warm-up (JIT)
let n = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  await once();
  n++;
}
const ms = (performance.now() - t0) / n;
console.log(JSON.stringify({ verify_per_s: 1000 / ms, ms, n, node: process.version }));
