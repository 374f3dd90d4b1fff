// For a bare Pyodide page: load FIRST, as a classic script, before your loadPyodide:
//
//   <script src="./no-jspi.js"></script>
//
// (PyScript pages: "interpreter": "./pyodide-no-jspi.mjs" in the config instead, which also
// covers PyScript workers.)
//
// Pyodide turns WebAssembly stack switching (JSPI) on when it finds it in the engine
// (Chromium 137+). With it on, Chromium's renderer crashed now and then in our browser suite
// ("Target crashed": 2 crashes in 17 runs, none in 15 runs without it; the reports upstream
// are pyodide/pyodide#5702, #5705, #6106). did_session needs no JSPI (every JS call is
// awaited), and awaiting a JS promise is cheaper without it (README, "Tests"). What a page
// gives up: pyodide.ffi.run_sync and a blocking loop.run_until_complete, which need JSPI.
// Deleting the globals also hides JSPI from any other WebAssembly on the page.
// (web/did-session-boot.mjs does the same itself unless called with `jspi: true`.)
delete WebAssembly.Suspending;
delete WebAssembly.Suspender;
delete WebAssembly.promising;
