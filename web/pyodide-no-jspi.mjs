// Pyodide with WebAssembly stack switching (JSPI) hidden, as an interpreter for PyScript
// configs, on the main thread AND in workers:
//
//   {"interpreter": "./pyodide-no-jspi.mjs", ...}     instead of "./pyodide/pyodide.mjs"
//
// Why hide it: see no-jspi.js (Chromium's renderer crashed now and then with JSPI on). A
// page script cannot reach a worker's globals before PyScript starts Pyodide there, but this
// module is what the worker imports: it hides JSPI in the worker's own scope, before
// loadPyodide, where Pyodide looks for it. Bare Pyodide pages can import loadPyodide from
// here too. Expects npm Pyodide in ./pyodide/ beside this file.
import { loadPyodide as load } from "./pyodide/pyodide.mjs";

export * from "./pyodide/pyodide.mjs";

delete WebAssembly.Suspending;
delete WebAssembly.Suspender;
delete WebAssembly.promising;

// PyScript passes this file's folder as indexURL: Pyodide's files are in ./pyodide/.
export function loadPyodide(options = {}) {
  return load({ ...options, indexURL: new URL("./pyodide/", import.meta.url).href });
}
