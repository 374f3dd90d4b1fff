// Service worker of the fast page (fast.html): the second visit makes no request for
// Pyodide, the snapshot or the wheel, and the page works offline. Optional for page authors:
// did-session-boot.mjs works without it.
//
// VERSION is written by tools/build.py from everything cached below (snapshot.json names the
// snapshot and the wheel by sha256). A new build changes this file's bytes, so the browser
// installs the new worker, which fills a new cache and deletes the old ones: an update
// replaces the cache, it never mixes two versions (a snapshot only fits its own Pyodide).
const VERSION = "__SW_VERSION_0__";
const CACHE = `did-session-${VERSION}`;
const STATIC = [
  "./fast.html",
  "./did-session-boot.mjs",
  "./style.css",
  "./pyodide/pyodide.mjs",
  "./pyodide/pyodide.asm.mjs",
  "./pyodide/pyodide.asm.wasm",
  "./pyodide/python_stdlib.zip",
  "./pyodide/pyodide-lock.json",
  "./snapshot/snapshot.json",
];

async function precache() {
  const cache = await caches.open(CACHE);
  // cache: "no-cache": revalidated with the server (never a stale entry), yet a file the page
  // has just downloaded comes from the HTTP cache after a 304, not over the wire again.
  const fresh = (url) => new Request(url, { cache: "no-cache" });
  await cache.addAll(STATIC.map(fresh));
  const meta = await (await cache.match("./snapshot/snapshot.json")).json();
  await cache.addAll([`./snapshot/${meta.file}`, `./wheels/${meta.wheel}`].map(fresh));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("did-session-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // fast.html?sw=0 and fast.html are one page: ignore the query for navigations.
    const hit = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    return hit || fetch(request);
  })());
});
