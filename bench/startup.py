"""Page start-up: the demo dapp against bare Pyodide, cold and warm HTTP cache.

    python -m bench.startup [--runs N]      # prints a table; or: from bench.startup import run

Pages (all in .build/site, served by tools/serve.py on 127.0.0.1, headless Debian Chromium):

    bare.html           Pyodide alone (loadPyodide + ``import sys``): the baseline
    pyodide-did-session.html   + our wheel (unpackArchive), the API imported, no PyScript:
                        what the package itself adds
    bare-pyscript.html  PyScript + the same local Pyodide, no package
    files.html          + our wheel unpacked by PyScript ``files`` (what the demo uses),
                        the API imported
    micropip.html       + our wheel installed by micropip (``packages``, the usual way), the
                        API imported
    index.html          the demo dapp (app.py imports the API, checks IndexedDB for a session)
    fast.html?sw=0&snapshot=0   the fast page started the normal way (= pyodide-did-session)
    fast.html?sw=0      the fast page from the memory snapshot (web/did-session-boot.mjs)
    fast.html           the same with its service worker: cold = first visit (the worker
                        installs after "ready"), warm = second visit (served by the worker),
                        offline = a third visit with the browser offline

Ready time = the page's own ``performance.now()`` when Python is ready (``window.readyMs``,
i.e. from navigation start). Bytes = the Resource Timing API over the navigation and every
resource: ``transferSize`` (bytes over the wire, headers included; 0 from the memory/disk
cache, ~300 for a 304) and ``encodedBodySize`` (bodies as served). Cold = a fresh browser
profile (empty HTTP cache, as the Playwright tests use); warm = a second load of the page in
that browser (no request
routing: Playwright routing would disable the cache). Medians of ``runs`` contexts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / ".build" / "site"
PAGES = {
    "bare_pyodide": "bare.html",
    "pyodide_did_session": "pyodide-did-session.html",
    "bare_pyscript": "bare-pyscript.html",
    "files": "files.html",
    "micropip": "micropip.html",
    "demo": "index.html",
    "fast_normal": "fast.html?sw=0&snapshot=0",
    "fast_snapshot": "fast.html?sw=0",
    "fast_service_worker": "fast.html",
}
SERVICE_WORKER_PAGES = {"fast_service_worker"}
# Paired within each run: each against bare Pyodide loaded just before in the same run.
VS_BARE = ("pyodide_did_session", "fast_normal", "fast_snapshot", "fast_service_worker")

SAMPLE_JS = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  const sum = (k) => entries.reduce((a, e) => a + (e[k] || 0), 0);
  const status = document.getElementById('status');
  let importMs = null;
  try { importMs = JSON.parse(status ? status.textContent : '{}').import_ms ?? null; } catch (e) {}
  let path = null;
  try { path = JSON.parse(status ? status.textContent : '{}').path ?? null; } catch (e) {}
  return {ready_ms: window.readyMs, transfer_bytes: sum('transferSize'), path,
          pyodide_ready_ms: window.pyodideReadyMs ?? null, import_ms: importMs,
          body_bytes: sum('encodedBodySize'), requests: entries.length,
          from_network: entries.filter((e) => e.transferSize > 0).length};
}"""


def _load(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=120_000)
    state = page.evaluate("document.body.dataset.state")
    if state != "ready":
        raise RuntimeError(f"{url}: state {state!r}")
    page.wait_for_function("window.readyMs !== undefined")
    return dict(page.evaluate(SAMPLE_JS))


def _median(samples: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(s[key] for s in samples))


def run(quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    """``{page: {"cold": {...}, "warm": {...}}, "overhead": {...}}`` (medians)."""
    from playwright.sync_api import sync_playwright
    from tools import chromium, serve

    runs = runs or (2 if quick else 5)
    if not (SITE / "index.html").exists():
        raise FileNotFoundError(f"{SITE} is not built: run ./dev setup")
    httpd, base = serve.start_server(SITE)
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"cold": [], "warm": [], **({"offline": []} if name in SERVICE_WORKER_PAGES else {})}
        for name in PAGES
    }
    try:
        with sync_playwright() as pw:
            for _ in range(runs):  # interleaved: a noisy neighbour hits every page alike
                for name, path in PAGES.items():
                    # A fresh on-disk profile: empty HTTP cache and storage. (An incognito
                    # context's memory cache does not keep the 9 MB pyodide.asm.wasm, so
                    # its "warm" load would download it again.)
                    with tempfile.TemporaryDirectory(prefix="startup-profile-") as profile:
                        context = pw.chromium.launch_persistent_context(
                            profile,
                            executable_path=chromium.EXECUTABLE,
                            headless=True,
                            args=chromium.FLAGS,
                        )
                        try:
                            page = context.pages[0] if context.pages else context.new_page()
                            samples[name]["cold"].append(_load(page, base + path))
                            if name in SERVICE_WORKER_PAGES:  # installed and controlling
                                page.wait_for_function(
                                    "navigator.serviceWorker.controller !== null",
                                    timeout=120_000,
                                )
                            samples[name]["warm"].append(_load(page, base + path))
                            if name in SERVICE_WORKER_PAGES:
                                context.set_offline(True)
                                samples[name]["offline"].append(_load(page, base + path))
                        finally:
                            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()

    result: dict[str, Any] = {"runs": runs}
    for name, by_kind in samples.items():
        result[name] = {
            kind: {
                "ready_ms": round(_median(s, "ready_ms"), 1),
                "ready_ms_min": round(min(x["ready_ms"] for x in s), 1),  # least disturbed
                "transfer_kb": round(_median(s, "transfer_bytes") / 1024, 1),
                "body_kb": round(_median(s, "body_bytes") / 1024, 1),
                "requests": int(_median(s, "requests")),
                "from_network": int(_median(s, "from_network")),
            }
            for kind, s in by_kind.items()
        }
    overhead: dict[str, Any] = {}
    for name in ("pyodide_did_session", "files", "micropip", "demo"):
        for base_name in ("bare_pyodide", "bare_pyscript"):
            if name == "pyodide_did_session" and base_name == "bare_pyscript":
                continue
            for kind in ("cold", "warm"):
                ours, bare = result[name][kind], result[base_name][kind]
                overhead[f"{name}_vs_{base_name}_{kind}"] = {
                    "ready_pct": round(100 * (ours["ready_ms"] / bare["ready_ms"] - 1), 1),
                    "body_pct": round(100 * (ours["body_kb"] / bare["body_kb"] - 1), 1),
                }
    result["overhead"] = overhead
    # The goal of issue 15: navigation to "did_session ready" against bare Pyodide's own
    # start, as a ratio per run (the two loads follow each other), median over runs.
    paired: dict[str, Any] = {}
    for name in VS_BARE:
        for kind, runs_ in samples[name].items():
            bare = samples["bare_pyodide"]["warm" if kind == "offline" else kind]
            ratios = [o["ready_ms"] / b["ready_ms"] for o, b in zip(runs_, bare, strict=True)]
            paired[f"{name}_{kind}"] = {
                "pct_of_bare": round(100 * statistics.median(ratios), 1),
                "paths": sorted({str(o["path"]) for o in runs_ if o["path"]}),
            }
    result["vs_bare_pyodide"] = paired
    # Paired within each load (robust to the ±10 % load-to-load noise of the medians above):
    # pyodide-did-session.html marks when Pyodide is ready (bare.html's "ready") and when our
    # package is; the demo reports how long importing the API took in its page.
    for kind in ("cold", "warm"):
        # fast.html from the snapshot: from Pyodide restored to did_session ready (ours).
        ours = [s["ready_ms"] - s["pyodide_ready_ms"] for s in samples["fast_snapshot"][kind]]
        overhead[f"fast_snapshot_after_pyodide_{kind}"] = {"ms": round(statistics.median(ours), 1)}
        runs_ = samples["pyodide_did_session"][kind]
        added = [s["ready_ms"] - s["pyodide_ready_ms"] for s in runs_ if s["pyodide_ready_ms"]]
        pct = [100 * a / s["pyodide_ready_ms"] for a, s in zip(added, runs_, strict=False)]
        if added:
            overhead[f"package_in_page_{kind}"] = {
                "added_ms": round(statistics.median(added), 1),
                "added_pct": round(statistics.median(pct), 1),
            }
        demo_import = [s["import_ms"] for s in samples["demo"][kind] if s["import_ms"]]
        if demo_import:
            overhead[f"demo_import_api_{kind}"] = {"ms": round(statistics.median(demo_import), 1)}
    return result


def table(result: dict[str, Any]) -> str:
    lines = [
        f"page start, medians of {result['runs']} runs (ready = performance.now() at ready)",
        f"{'page':<15} {'cold ms':>8} {'(min)':>6} {'warm ms':>8} {'(min)':>6}"
        f" {'cold KB wire':>13} {'body KB':>8} {'warm KB wire':>13} {'reqs':>5}",
        "-" * 90,
    ]
    for name in PAGES:
        c, w = result[name]["cold"], result[name]["warm"]
        lines.append(
            f"{name:<15} {c['ready_ms']:>8.0f} {c['ready_ms_min']:>6.0f} {w['ready_ms']:>8.0f}"
            f" {w['ready_ms_min']:>6.0f} {c['transfer_kb']:>13.1f}"
            f" {c['body_kb']:>8.1f} {w['transfer_kb']:>13.1f} {c['requests']:>5}"
        )
        if "offline" in result[name]:
            o = result[name]["offline"]
            lines.append(
                f"{'  offline':<15} {'':>8} {'':>6} {o['ready_ms']:>8.0f} {o['ready_ms_min']:>6.0f}"
                f" {'':>13} {'':>8} {o['transfer_kb']:>13.1f} {o['requests']:>5}"
            )
    lines.append("")
    for key, row in result["vs_bare_pyodide"].items():
        lines.append(f"{key:<36} {row['pct_of_bare']:6.1f} % of bare Pyodide  {row['paths']}")
    lines.append("")
    for key, row in result["overhead"].items():
        if "ready_pct" in row:
            lines.append(
                f"{key:<36} ready {row['ready_pct']:+6.1f} %   bytes {row['body_pct']:+6.1f} %"
            )
        elif "added_ms" in row:
            lines.append(f"{key:<36} {row['added_ms']:6.1f} ms = {row['added_pct']:+5.1f} %")
        else:
            lines.append(f"{key:<36} {row['ms']:6.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    result = run(runs=args.runs)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
