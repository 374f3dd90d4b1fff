"""The benchmark runs (CI smoke run): ``python -m bench --quick``, checked for shape, never
for its figures (timings on a shared 2-core machine are not a test; see README, Benchmarks).

One child process: its own Chromium runs npm did-session and did_session in one page, then
CPython / Node verify, then the page-start pages.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from browser_kit import ROOT

# Every operation of the issue, both sides measured (the *_pure rows are Python-only: their
# JS figure is the row without the suffix).
BOTH_SIDES = [
    "authorize",
    "create_jws_ed25519",
    "create_jws_p256",
    "verify_jws_eddsa",
    "verify_jws_es256",
    "verify_jws_cacao_first",
    "verify_jws_cacao_repeated",
    "get_new",
    "get_stored",
    "get_after_reload",
    "serialize_from_session",
    "serialize_from_session_first",
    "verify_jws_solana_first",
]
PAGES = ["bare_pyodide", "bare_pyscript", "files", "micropip", "demo", "fast_snapshot"]


def _positive(x: object) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def test_bench_quick_run_reports_every_operation(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    for op in BOTH_SIDES:
        row = results[op]
        assert _positive(row["python_ms"]) and _positive(row["js_ms"]), (op, row)
        assert math.isclose(row["ratio"], row["python_ms"] / row["js_ms"], rel_tol=1e-2), row
    # The printed table carries the same operations.
    assert "create_jws, P-256 WebCrypto session" in proc.stdout

    machine = results["machine"]
    assert machine["quick"] is True
    assert "noble" in machine["pyodide_crypto_backend"]
    assert machine["pyodide"] and machine["chromium"]

    cpython = results["cpython"]
    for kind in ("pure", "native"):
        assert _positive(cpython[kind]["first"]["verify_per_s"]), cpython[kind]
    assert _positive(cpython["node"]["verify_per_s"]), cpython["node"]

    start = results["page_start"]
    assert "error" not in start, start
    for page in PAGES:
        for kind in ("cold", "warm"):
            assert _positive(start[page][kind]["ready_ms"]), (page, kind)
    # Cold loads come over the wire; warm ones mostly from the HTTP cache.
    assert start["demo"]["cold"]["transfer_kb"] > start["demo"]["warm"]["transfer_kb"]
    # The fast page: each start took the path it names; with the service worker the second
    # and the offline visits request nothing from the network.
    paired = start["vs_bare_pyodide"]
    assert paired["fast_snapshot_warm"]["paths"] == ["snapshot"], paired
    assert paired["fast_normal_warm"]["paths"] == ["normal"], paired
    for kind in ("warm", "offline"):
        row = start["fast_service_worker"][kind]
        assert _positive(row["ready_ms"]) and row["from_network"] == 0, (kind, row)
        assert paired[f"fast_service_worker_{kind}"]["paths"] == ["snapshot"], paired
