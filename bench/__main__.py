"""``python -m bench`` (= ``./dev bench``): did_session (Pyodide) against npm did-session
4.0.0 in one headless Chromium page, plus server-side figures (CPython pure / native and
JS under Node) and page start figures (bench/startup.py, when present).

    python -m bench            # a few minutes; writes bench/results.json, prints a table
    python -m bench --quick    # CI smoke run (< 60 s): few iterations, noisy figures
    python -m bench --out FILE # write elsewhere

results.json: ``{operation: {"python_ms", "js_ms", "ratio"}}`` (ratio = python / js, medians
of in-page ``performance.now()``), plus ``"page_start"``, ``"cpython"``, ``"profile"`` and
``"machine"`` sections.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import browser, cpython, startup

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"

# What each row is, for the table and the README.
LABELS = {
    "authorize": "authorize (Ed25519 key, wallet signs at once)",
    "create_jws_ed25519": "create_jws, Ed25519 session",
    "create_jws_p256": "create_jws, P-256 WebCrypto session",
    "verify_jws_eddsa": "verify_jws signature only, EdDSA",
    "verify_jws_es256": "verify_jws signature only, ES256",
    "verify_jws_cacao_first": "verify_jws + CACAO, first (ours recovers; JS always does)",
    "verify_jws_cacao_repeated": "verify_jws + CACAO, repeated (ours: cached recovery)",
    "get_new": "get, nothing stored (keygen + wallet + IndexedDB)",
    "get_stored": "get, stored session, same page",
    "get_after_reload": "get, stored session, first call after reload",
    "serialize_from_session": "serialize + from_session (ours: CACAO check cached)",
    "serialize_from_session_first": "serialize + from_session, first (ours checks the CACAO)",
    "verify_jws_solana_first": "verify_jws + Solana CACAO (solana:ed25519), first",
    # Same page, keccak + secp256k1 recovery switched back to pure Python (before @noble).
    "authorize_pure": "  before: authorize, pure-Python keccak/secp256k1",
    "get_new_pure": "  before: get, nothing stored, pure-Python keccak/secp256k1",
    "verify_jws_cacao_first_pure": "  before: verify_jws + CACAO first, pure-Python k/s",
}


def _cmd(*args: str) -> str | None:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine(browser_result: dict[str, Any]) -> dict[str, Any]:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "load_avg_1_5_15": [round(x, 2) for x in load] if load else None,
        "chromium": browser_result.get("chromium"),
        "pyodide": browser_result.get("pyodide"),
        "pyodide_python": browser_result.get("python"),
        "pyodide_crypto_backend": browser_result.get("crypto_backend"),
        "host_python": sys.version.split()[0],
        "node": _cmd("node", "--version"),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def page_start(quick: bool) -> dict[str, Any]:
    """bench/startup.py: 7 runs per page, interleaved (1 in --quick, which stays within a
    minute): page loads vary by ±10 % here, medians of 7 settle within a few percent."""
    try:
        return dict(startup.run(quick=quick, runs=1 if quick else 7))
    except Exception as e:  # never lose the other figures
        return {"error": f"{type(e).__name__}: {e}"}


def table(ops: dict[str, dict[str, float]]) -> str:
    lines = [
        f"{'operation':<58} {'python ms':>10} {'js ms':>9} {'ratio':>7}",
        "-" * 87,
    ]
    for key, row in ops.items():
        label = LABELS.get(key, key)
        lines.append(
            f"{label:<58} {row['python_ms']:>10.3f} {row['js_ms']:>9.3f} {row['ratio']:>7.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few iterations (CI smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-startup", action="store_true", help="skip bench/startup.py")
    parser.add_argument("--no-cpython", action="store_true", help="skip the CPython/Node part")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log("==> browser: npm did-session 4.0.0 vs did_session under Pyodide (one Chromium page)")
    b = browser.run(quick=args.quick, log=log)
    ops = {}
    for key in LABELS:
        if key in b["ops"]:
            row = b["ops"][key]
            ops[key] = {
                "python_ms": round(row["python_ms"], 4),
                "js_ms": round(row["js_ms"], 4),
                "ratio": round(row["python_ms"] / row["js_ms"], 3) if row["js_ms"] else None,
                "n": row["n"],
            }
    results: dict[str, Any] = dict(ops)
    results["profile"] = {k: round(v, 4) for k, v in b.get("profile", {}).items()}

    if not args.no_cpython:
        log("==> CPython (pure / native, one core) and Node: verify_jws with a CACAO")
        results["cpython"] = cpython.run(b["vectors"], seconds=0.5 if args.quick else 3.0)
    if not args.no_startup:
        log("==> page start: the demo against bare Pyodide (bench/startup.py)")
        results["page_start"] = page_start(args.quick)
    results["machine"] = machine(b)
    results["machine"]["quick"] = args.quick
    results["machine"]["bench_seconds"] = round(time.perf_counter() - t0, 1)

    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(ops))
    c = results.get("cpython")
    if c:
        node = c["node"].get("verify_per_s")
        print("\nverify_jws + CACAO on one core (verifications/s; first = recovery each time):")
        for kind in ("pure", "native"):
            for which in ("first", "repeated"):
                e = c[kind][which]
                vs = f"  ({e['vs_node']:.1f}x Node)" if "vs_node" in e else ""
                print(f"  CPython {kind:<6} {which:<8} {e['verify_per_s']:>8.0f}/s{vs}")
        print(f"  Node {c['node'].get('node', '')} JS DID.verifyJWS {node or 0:>8.0f}/s")
    if results.get("page_start") is not None:
        print("\npage start:", json.dumps(results["page_start"]))
    m = results["machine"]
    print(
        f"\n{m['cpu']}, {m['cores']} cores, load {m['load_avg_1_5_15']}; Chromium {m['chromium']}, "
        f"Pyodide {m['pyodide']}, node {m['node']}; {m['bench_seconds']} s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
