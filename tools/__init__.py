"""Build and serve scripts (``python tools/build.py``, ``python tools/serve.py``), also
importable as ``tools.chromium`` / ``tools.serve`` by the tests and benchmarks (pytest and
``python -m bench`` run from the repository root)."""
