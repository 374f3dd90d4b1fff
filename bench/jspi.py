"""The in-page benchmark with WebAssembly stack switching (JSPI) on and off, in one run.

    .venv/bin/python -m bench.jspi [--quick] [--rounds N] [--out FILE]

Pyodide turns JSPI on by feature detection. Hiding it (``delete WebAssembly.Suspending``
before ``loadPyodide``, what tools/chromium.py's HIDE_JSPI_SCRIPT does) changes how Pyodide
runs every Python task and every await of a JS promise, so each operation of bench/browser.py
is timed in both modes: a fresh browser per mode and round, the modes alternating so that a
noisy neighbour hits both alike; the JS library's figures in the same pages are the control
(JSPI does not touch them). Prints a table and, with ``--out``, writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from .browser import BrowserBench


def compare(*, quick: bool, rounds: int, log: Any = print) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    for rnd in range(rounds):
        for mode in ("on", "off") if rnd % 2 == 0 else ("off", "on"):
            log(f"round {rnd + 1}/{rounds}, JSPI {mode}")
            result = BrowserBench(quick, lambda *_: None, jspi=mode == "on").run()
            runs[mode].append(result)
    ops: dict[str, dict[str, float]] = {}
    for op in runs["on"][0]["ops"]:
        row: dict[str, float] = {}
        for mode in ("on", "off"):
            row[f"python_ms_jspi_{mode}"] = statistics.median(
                r["ops"][op]["python_ms"] for r in runs[mode]
            )
            row[f"js_ms_jspi_{mode}"] = statistics.median(r["ops"][op]["js_ms"] for r in runs[mode])
        row["python_off_over_on"] = row["python_ms_jspi_off"] / row["python_ms_jspi_on"]
        ops[op] = row
    profile = {
        key: {mode: statistics.median(r["profile"][key] for r in runs[mode]) for mode in runs}
        for key in runs["off"][0]["profile"]
        if all(key in r["profile"] for rs in runs.values() for r in rs)
    }
    return {"rounds": rounds, "quick": quick, "ops": ops, "profile": profile}


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{'operation':34s} {'py JSPI on':>10s} {'py off':>8s} {'off/on':>7s} "
        f"{'js (on)':>8s} {'js (off)':>8s}"
    ]
    for op, row in result["ops"].items():
        lines.append(
            f"{op:34s} {row['python_ms_jspi_on']:10.3f} {row['python_ms_jspi_off']:8.3f} "
            f"{row['python_off_over_on']:7.2f} {row['js_ms_jspi_on']:8.3f} "
            f"{row['js_ms_jspi_off']:8.3f}"
        )
    lines.append("")
    for key, row in result["profile"].items():
        lines.append(f"  profile {key[:60]:60s} on {row['on']:.3f} ms, off {row['off']:.3f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = compare(quick=args.quick, rounds=args.rounds)
    print(table(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
