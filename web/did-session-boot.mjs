// Start Pyodide with did_session ready, from a memory snapshot when there is a usable one.
//
//   import { bootDidSession } from "./did-session-boot.mjs";
//   const { pyodide, path, reason } = await bootDidSession();
//   // path: "snapshot" | "normal"; reason: why the snapshot was not used ("" if it was)
//
// Site layout (what tools/build.py makes in .build/site/): ./pyodide/ (npm pyodide),
// ./snapshot/snapshot.json + the snapshot it names, ./wheels/ (our wheel). Options:
// `base` (URL of that folder, default: beside this file), `snapshot: false` (never use it).
// `jspi: true` keeps WebAssembly stack switching for Pyodide (default: hidden before Pyodide
// loads, as no-jspi.js does and for the same reason; the snapshot is made without it, so a
// page with JSPI starts the normal way).
//
// With the snapshot (tools/js/make-snapshot.mjs: our wheel unpacked and the package imported
// at build time) the interpreter's start-up and our imports are skipped. It is fetched with
// `integrity` (sha256 from snapshot.json): a truncated or altered file is refused by the
// browser before Pyodide sees it. Pyodide itself refuses a snapshot of another build (build id
// in its header). Either way, and when snapshot.json is missing, Pyodide starts the normal
// way and `reason` says why. Both paths end in the same state: our wheel's files unpacked (the
// snapshot holds memory, not Pyodide's file system: modules imported lazily and the @noble
// bundle are read from there), the API imported, `default_platform()` made for this page.
const PYTHON_READY = `
from did_session import DIDSession, EthereumWebAuth, get_account_id, verify_jws
from did_session.platform import default_platform
default_platform()  # the browser back ends: WebCrypto, IndexedDB, window.ethereum
`;
// After a snapshot: random's Mersenne Twister state is the build machine's (frozen in the
// snapshot): reseed it from os.urandom (crypto.getRandomValues). Our own nonces and keys never
// use it. The str hash seed is frozen too and cannot change in a running interpreter.
const RESEED = `
import sys
if "random" in sys.modules:
    sys.modules["random"].seed()
`;

// What Pyodide's start-up records about the engine, in the snapshot's memory: which JSPI
// (stack switching, for run_sync) and which CPython call trampoline. A snapshot from another
// kind of engine breaks run_sync or crashes (tools/js/make-snapshot.js), so it is refused.
function hideJspi() {
  delete WebAssembly.Suspending;
  delete WebAssembly.Suspender;
  delete WebAssembly.promising;
}

function engineJspi() {
  if ("Suspending" in WebAssembly) return "new";
  return "Suspender" in WebAssembly ? "old" : "none";
}

function checkTrampoline(pyodide, expected) {
  // Pyodide put this engine's trampoline in the table (slot `expected` on Chromium) before
  // restoring the memory, which points there: it must be the same function kind.
  const M = pyodide._module;
  const slot = (M.__PyRuntime + M.HEAP32[M.__PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET / 4]) / 4;
  const got = M.HEAP32[slot];
  const fn = got && got < M.wasmTable.length ? M.wasmTable.get(got) : null;
  if (got !== expected || (got !== 0 && !(typeof fn === "function" && fn.length === 5))) {
    throw new Error("snapshot made on an engine with another call trampoline");
  }
}

async function fetchBytes(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function bootDidSession({
  base = new URL("./", import.meta.url),
  snapshot = true,
  jspi = false,
} = {}) {
  if (!jspi) hideJspi(); // before loadPyodide: Pyodide looks for JSPI when its module loads
  base = new URL(base, location.href);
  const indexURL = new URL("./pyodide/", base).href;
  const t0 = performance.now();
  // Everything starts at once: Pyodide's module, snapshot.json, then the snapshot and wheel.
  const pyodideModule = import(new URL("pyodide.mjs", indexURL).href);
  const meta = fetch(new URL("./snapshot/snapshot.json", base)).then((r) => {
    if (!r.ok) throw new Error(`snapshot.json: HTTP ${r.status}`);
    return r.json();
  });
  const wheel = meta
    .catch(() => fetch(new URL("./wheels/manifest.json", base)).then((r) => r.json())
      .then((m) => ({ wheel: m.wheels[0] })))
    .then((m) => fetchBytes(new URL(`./wheels/${m.wheel}`, base),
                            m.wheel_integrity ? { integrity: m.wheel_integrity } : {}));
  const image = snapshot
    ? meta.then((m) => fetchBytes(new URL(`./snapshot/${m.file}`, base), { integrity: m.integrity })
        .catch((e) => {
          // A failed integrity check is a bare "Failed to fetch" TypeError: say what it was.
          throw new Error(`snapshot not loaded (altered, truncated or unreachable: ${e.message})`);
        }))
    : Promise.reject(new Error("snapshot disabled by the page"));
  image.catch(() => {}); // handled below; no unhandled-rejection noise meanwhile
  wheel.catch(() => {});

  const { loadPyodide, version } = await pyodideModule;
  let pyodide = null;
  let reason = "";
  try {
    const m = await meta.catch((e) => { throw new Error(`no snapshot (${e.message})`); });
    if (m.pyodide !== version) {
      throw new Error(`snapshot of Pyodide ${m.pyodide}, page has ${version}`);
    }
    if (m.engine.jspi !== engineJspi()) {
      throw new Error(`snapshot made with JSPI "${m.engine.jspi}", this page has "${engineJspi()}"`);
    }
    pyodide = await loadPyodide({ indexURL, _loadSnapshot: await image });
    checkTrampoline(pyodide, m.engine.trampoline);
    pyodide.runPython(RESEED);
  } catch (e) {
    reason = String(e && e.message ? e.message : e).split("\n")[0];
    console.warn(`did_session: starting Pyodide without the snapshot: ${reason}`);
    pyodide = await loadPyodide({ indexURL });
  }
  const path = reason ? "normal" : "snapshot";
  const pyodideReadyMs = performance.now();
  pyodide.unpackArchive(await wheel, "wheel");
  pyodide.runPython(PYTHON_READY);
  return { pyodide, path, reason, timings: { startMs: t0, pyodideReadyMs, readyMs: performance.now() } };
}
