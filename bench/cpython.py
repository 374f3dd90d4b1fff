"""Server-side figures: ``verify_jws`` with a CACAO on CPython (one core), pure and native
back ends, against JS ``DID.verifyJWS`` under Node on the same machine, same JWS + CACAO
(made by npm did-session in the browser run).

    python -m bench.cpython vectors.json            # prints JSON
    from bench.cpython import run; run(vectors)     # {"pure", "native", "node": {...}}

Each back end runs in its own child process (the crypto back end is chosen at import;
``DID_SESSION_PURE=1`` forces the pure one). "first" empties the verified-CACAO cache
before each call (a server seeing each capability once: the recovery is done every time,
which is what JS always does); "repeated" does not (the same capability again).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _child(vectors_file: str, seconds: float) -> dict[str, Any]:
    try:
        import did_session  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))
    from did_session import Verifier, crypto
    from did_session import cacao as cacao_mod

    v = json.loads(Path(vectors_file).read_text())
    jws, cap = v["ed_jws"], v["ed_cacao_json"]
    iss = cap["p"]["iss"]

    verifier = Verifier()

    def one() -> None:
        verifier.verify(jws, cap, issuer=iss)

    def measure(clear: bool) -> dict[str, float]:
        for _ in range(5):
            if clear:
                cacao_mod._VERIFIED.clear()
            one()
        n, spent = 0, 0.0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if clear:
                cacao_mod._VERIFIED.clear()
            t = time.perf_counter()
            one()
            spent += time.perf_counter() - t
            n += 1
        ms = spent / n * 1e3
        return {"verify_per_s": 1e3 / ms, "ms": ms, "n": n}

    return {
        "backend": str(crypto.BACKEND),
        "first": measure(True),
        "repeated": measure(False),
    }


def _python_child(vectors_file: str, seconds: float, pure: bool) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("DID_SESSION_PURE", None)
    if pure:
        env["DID_SESSION_PURE"] = "1"
    cmd = [sys.executable, "-m", "bench.cpython", "--child", vectors_file, str(seconds)]
    # taskset: one core, as a server worker process would use.
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _node(vectors_file: str, seconds: float) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        return {"error": "node not found"}
    cmd = [node, str(ROOT / "bench" / "node_verify.mjs"), vectors_file, str(seconds)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as e:
        return {"error": e.stderr.strip()[-500:]}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(vectors: dict[str, Any], seconds: float = 2.0) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(vectors, f)
        path = f.name
    try:
        result = {
            "python": sys.version.split()[0],
            "pure": _python_child(path, seconds, pure=True),
            "native": _python_child(path, seconds, pure=False),
            "node": _node(path, seconds),
        }
    finally:
        os.unlink(path)
    node_rate = result["node"].get("verify_per_s")
    if node_rate:
        for kind in ("pure", "native"):
            for which in ("first", "repeated"):
                entry = result[kind][which]
                entry["vs_node"] = entry["verify_per_s"] / node_rate
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(sys.argv[2], float(sys.argv[3]))))
    else:
        vec = json.loads(Path(sys.argv[1]).read_text())
        print(json.dumps(run(vec, float(sys.argv[2]) if len(sys.argv) > 2 else 2.0), indent=2))
