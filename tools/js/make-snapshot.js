// A Pyodide memory snapshot with did_session imported, made IN CHROMIUM by tools/build.py
// (Playwright, headless Debian Chromium, the site's own npm Pyodide files and wheel served
// from 127.0.0.1). build.py evaluates this file's default function in a page of the site and
// receives the snapshot as a download; it writes snapshot/snapshot.json from the returned data.
//
// The page (web/did-session-boot.mjs) hands the snapshot to `loadPyodide({_loadSnapshot})`
// and skips the interpreter's start-up and our imports. Private Pyodide API (`_makeSnapshot`,
// `makeMemorySnapshot`, `_loadSnapshot`): the snapshot holds the WebAssembly memory of one
// exact Pyodide build, which refuses it under another build id.
//
// Why a browser and not Node: the snapshot also freezes what Pyodide found out about the
// ENGINE at start-up. Measured with Node 20: its snapshot has CPython's JS call trampoline
// (Node 20 cannot build the WebAssembly one) and no JSPI; loaded in Chromium, `run_sync`
// then fails ("stack switching not supported") or, with Node's experimental JSPI flag, kills
// the interpreter (SuspendError: trying to suspend JS frames). So the snapshot records the
// engine's features (`engine` below) and the page uses it only on an engine with the same.
//
// What may go in: only state that is the same for every visitor and holds no JS object
// except globals reached by path (`js.crypto.subtle` is recorded as a path). So: our wheel
// unpacked (not `loadPackage`: broken before a snapshot upstream, pyodide#5195) and our
// modules imported; nothing made per page (no `default_platform()`: it reads `location`), no
// keys, no random state used. The hash seed and `random`'s state are frozen in it (the page
// reseeds `random`); our nonces and keys come from os.urandom / WebCrypto, i.e.
// crypto.getRandomValues at each call (playwright/test_snapshot.py checks it).
async ({ indexURL, wheelURL, imports }) => {
  // As the pages we ship (web/no-jspi.js, did-session-boot.mjs): Pyodide without JSPI, so
  // that the engine features recorded below are those of the pages that load the snapshot.
  delete WebAssembly.Suspending;
  delete WebAssembly.Suspender;
  delete WebAssembly.promising;
  const { loadPyodide, version } = await import(indexURL + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
  const wheel = await fetch(wheelURL);
  if (!wheel.ok) throw new Error(`${wheelURL}: HTTP ${wheel.status}`);
  pyodide.unpackArchive(await wheel.arrayBuffer(), "wheel");
  pyodide.runPython(imports);
  const M = pyodide._module;
  const trampolineSlot = (M.__PyRuntime + M.HEAP32[M.__PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET / 4]) / 4;
  const snapshot = pyodide.makeMemorySnapshot();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", snapshot));
  // The download carries the bytes (evaluate() would serialise 30 MB as JSON).
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([snapshot]));
  a.download = "did_session.snapshot";
  document.body.append(a);
  a.click();
  return {
    pyodide: version,
    build_id: pyodide._api.config.BUILD_ID,
    bytes: snapshot.length,
    integrity: "sha256-" + btoa(String.fromCharCode(...digest)),
    engine: {
      jspi: M.jspiSupported ? (M.newJspiSupported ? "new" : "old") : "none",
      trampoline: M.HEAP32[trampolineSlot],
    },
  };
}
