"""Run the browser tests again and again, with JSPI on and off in turn, and count crashes.

    .venv/bin/python -m tools.crash_loop --runs 20 [--modes on,off] [--out DIR] [pytest paths]

Each run is one pytest process over the browser suite (default: tests/pyodide and
playwright/) with NO rerun of failed tests, output not captured (-s), Chromium's own log on
stderr (``--enable-logging=stderr``) and crash dumps in ``DIR/dumps``. ``DID_SESSION_JSPI``
(tools/chromium.py) alternates between the modes so that both see the same machine load.
While a run goes, the resident memory of every Chromium renderer is sampled every second.
Written to ``DIR`` (default ``.build/crash-loop/<time>``): each run's full output
(``run-NN-<mode>.log``) and ``summary.json``; a line per run and a total per mode are
printed: passed, failed, renderer crashes ("Target crashed" / "Page crashed") and the tests
they hit, peak renderer memory, seconds; per mode, the longest streak of clean runs.
The pages we ship hide JSPI themselves (web/no-jspi.js): the modes switch it in the test
harness and pytest-pyodide pages, where the library's own tests run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
CRASH = re.compile(r"Target crashed|Page crashed|Target page, context or browser has been closed")
FAILED_TEST = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)
CRASH_LINE = re.compile(r"^E .*(?:" + CRASH.pattern + ")", re.M)
# pytest's failure sections: "____ test_name ____" then the traceback, up to the next header.
SECTION = re.compile(r"^_{3,} (\S+) _{3,}$\n(.*?)(?=^_{3,} |^=+ )", re.M | re.S)
SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


@dataclass
class Run:
    index: int
    mode: str
    seconds: float
    rc: int
    counts: dict[str, int]
    crashes: int
    crash_mentions: int
    crashed_tests: list[str]
    failed_tests: list[str]
    peak_renderer_mb: float
    log: str
    dumps: list[str] = field(default_factory=list)


def _renderer_rss_mb() -> float:
    """The largest resident set of a Chromium renderer process now (MB)."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = status.read_bytes()
            if b"--type=renderer" not in cmd or b"chromium" not in cmd:
                continue
            for line in (status.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue  # the process ended while we looked
    return peak / 1024


def _sample(stop: threading.Event, peaks: list[float]) -> None:
    while not stop.wait(1.0):
        peaks.append(_renderer_rss_mb())


def run_once(index: int, mode: str, out: Path, targets: list[str]) -> Run:
    dumps = out / "dumps" / f"run-{index:02d}"
    dumps.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["DID_SESSION_JSPI"] = mode
    env["DID_SESSION_CHROMIUM_FLAGS"] = (
        f"--enable-logging=stderr --v=0 --enable-crash-reporter --crash-dumps-dir={dumps}"
    )
    env["DEBUG"] = "pw:browser"  # Playwright passes the browser's stderr through
    cmd = [
        str(PY), "-m", "pytest", *targets,
        "--runtime", "chrome", "--runner", "playwright", "--dist-dir", ".build/pyodide-dist",
        "-q", "-s", "-rfE", "-p", "no:cacheprovider",
    ]  # fmt: skip
    log = out / f"run-{index:02d}-{mode}.log"
    peaks: list[float] = [0.0]
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(stop, peaks), daemon=True)
    start = time.monotonic()
    sampler.start()
    with log.open("w") as f:
        rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT).returncode
    stop.set()
    sampler.join()
    text = log.read_text(errors="replace")
    tail = text[-20_000:]
    counts = {kind.rstrip("s"): int(n) for n, kind in SUMMARY.findall(tail.splitlines()[-1])}
    failed = sorted(set(FAILED_TEST.findall(tail)))
    # A crash shows in the failure's traceback ("E   ...: Target crashed"), not always in
    # the one-line summary: a failed test crashed when its own traceback section (headed
    # "____ test_name ____") has such a line.
    sections = dict(SECTION.findall(text))
    crashed = [t for t in failed if CRASH_LINE.search(sections.get(t.rsplit("::", 1)[-1], ""))]
    return Run(
        index=index,
        mode=mode,
        seconds=round(time.monotonic() - start, 1),
        rc=rc,
        counts=counts,
        crashes=len(crashed),
        crash_mentions=len(CRASH.findall(text)),
        crashed_tests=crashed,
        failed_tests=failed,
        peak_renderer_mb=round(max(peaks), 1),
        log=str(log),
        dumps=[str(p) for p in dumps.rglob("*.dmp")],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--modes", default="on,off", help="JSPI modes to alternate")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("targets", nargs="*", default=["tests/pyodide", "playwright"])
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    out = args.out or ROOT / ".build" / "crash-loop" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for i in range(args.runs):
        run = run_once(i, modes[i % len(modes)], out, args.targets)
        runs.append(run)
        print(
            f"run {i:2d} jspi={run.mode:3s} {run.seconds:6.0f} s rc={run.rc} {run.counts} "
            f"crashes={run.crashes} {run.crashed_tests} failed={run.failed_tests} "
            f"peak renderer {run.peak_renderer_mb} MB",
            flush=True,
        )
        (out / "summary.json").write_text(json.dumps([asdict(r) for r in runs], indent=1))
    for mode in modes:
        mine = [r for r in runs if r.mode == mode]
        streak = best = 0
        for r in mine:
            streak = streak + 1 if r.rc == 0 else 0
            best = max(best, streak)
        print(
            f"jspi={mode}: {len(mine)} runs, {sum(r.crashes for r in mine)} renderer crashes, "
            f"{sum(1 for r in mine if r.rc != 0)} failed runs, {best} clean in a row"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
