"""Driving a coroutine that never suspends, without an event loop."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

from .errors import UsageError

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` (one that never really waits: the host back ends are synchronous) to
    its end without an event loop; usable inside a running loop too."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()
    raise UsageError("this call needs an event loop here: use the async form and await it")
