// Test harness: loads Pyodide and the wheels listed in ../wheels/manifest.json, then sets
// document.body.dataset.state = "ready" (or "error", with the message in #error) and exposes
//   window.runPython(code) -> Promise<JSON-like value>   (pyodide.runPythonAsync, converted:
//                             dicts -> objects, tuples/sets -> arrays, bytes -> arrays of ints)
//   window.pyodide, window.harnessTimings {startMs, pyodideMs, wheelsMs, readyMs}
// Query string: ?nowheels skips loading our wheels.

const here = new URL(".", import.meta.url);
const timings = (window.harnessTimings = { startMs: performance.now() });

function setState(state, message) {
  document.body.dataset.state = state;
  document.getElementById("state").textContent = state;
  if (message !== undefined) {
    const el = document.getElementById("error");
    el.textContent = message;
    el.hidden = false;
  }
}

// Sets and Maps do not survive Playwright's serialisation: make them arrays / objects.
function jsonable(value) {
  if (value instanceof Set) return Array.from(value, jsonable);
  if (value instanceof Map) return Object.fromEntries(Array.from(value, ([k, v]) => [k, jsonable(v)]));
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (Array.isArray(value)) return value.map(jsonable);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonable(v)]));
  }
  return value;
}

function toPlain(pyodide, value) {
  if (value instanceof pyodide.ffi.PyProxy) {
    try {
      return jsonable(value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false }));
    } finally {
      value.destroy();
    }
  }
  return value;
}

async function main() {
  const indexURL = new URL("../pyodide/", here).href;
  const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
  const pyodide = await loadPyodide({ indexURL });
  timings.pyodideMs = performance.now();
  window.pyodide = pyodide;

  if (!new URLSearchParams(location.search).has("nowheels")) {
    const manifestURL = new URL("../wheels/manifest.json", here);
    const response = await fetch(manifestURL);
    if (!response.ok) throw new Error(`${manifestURL}: HTTP ${response.status}`);
    const manifest = await response.json();
    const urls = manifest.wheels.map((name) => new URL(name, manifestURL).href);
    // loadPackage resolves even when a wheel failed: collect the errors and fail on any.
    const errors = [];
    await pyodide.loadPackage(urls, {
      messageCallback: () => {},
      errorCallback: (message) => errors.push(message),
    });
    if (errors.length) throw new Error(`loading wheels failed:\n${errors.join("\n")}`);
  }
  timings.wheelsMs = performance.now();

  window.runPython = async (code) => toPlain(pyodide, await pyodide.runPythonAsync(code));
  timings.readyMs = performance.now();
  setState("ready");
}

main().catch((error) => {
  console.error(error);
  setState("error", String(error && error.stack ? error.stack : error));
});
