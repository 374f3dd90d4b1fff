"""Verification for relying parties (servers): a synchronous facade with expectations.

A backend receives a JWS signed by a browser session plus the session's CACAO, and must
know more than "the signature is valid": that the capability was granted to *its*
domain, for the resources it serves, recently enough, with a nonce it issued. The JS
library checks none of these. :class:`Verifier` holds those expectations once and checks
each request, synchronously (no event loop needed) on CPython.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._time import Clock, system_clock
from .cacao import DEFAULT_CLOCK_SKEW_SECS, Cacao, as_cacao, resources_covered
from .errors import CapabilityMismatchError, CapabilityNotYetValidError
from .interfaces import SignatureVerifier
from .jws import VerifiedJWS, verify_jws

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never really waits (the host back ends are synchronous)
    to its end, without an event loop: usable inside a running loop too."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("this verification needs an event loop: await verify_jws() instead")


@dataclass(frozen=True, kw_only=True)
class Verifier:
    """What a relying party expects of every signed request.

    - ``domains``: the SIWE domains the capability may have been granted to (your site's
      hostnames). None accepts any domain: say so explicitly only if you mean it.
    - ``required_resources``: every one must be in the capability's resources.
    - ``max_capability_age_secs``: refuse capabilities issued longer ago than this.
    - ``nonce_check``: called with the capability's nonce; return False to refuse it
      (e.g. a nonce you did not issue, or one already used).
    - ``require_capability``: refuse a bare did:key signature without a CACAO.
    """

    domains: Sequence[str] | None = None
    required_resources: Sequence[str] = ()
    max_capability_age_secs: float | None = None
    nonce_check: Callable[[str], bool] | None = None
    require_capability: bool = True
    clock: Clock = system_clock
    clock_skew_secs: float = DEFAULT_CLOCK_SKEW_SECS
    _domains: frozenset[str] = field(init=False, repr=False, default=frozenset())

    def __post_init__(self) -> None:
        if isinstance(self.domains, str):
            raise TypeError("domains is a sequence of hostnames, not one string")
        if isinstance(self.required_resources, str):
            raise TypeError("required_resources is a sequence, not one string")
        object.__setattr__(self, "_domains", frozenset(self.domains or ()))

    async def verify_async(
        self,
        jws: Mapping[str, Any] | str,
        capability: Cacao | Mapping[str, Any] | bytes | None = None,
        *,
        issuer: str | None = None,
        at_time: float | None = None,
        _sync: bool = False,
    ) -> VerifiedJWS:
        cacao: Cacao | None = None
        if capability is not None:
            cacao = (
                Cacao.from_block(bytes(capability))
                if isinstance(capability, (bytes, bytearray, memoryview))
                else as_cacao(capability)
            )
        elif self.require_capability:
            raise CapabilityMismatchError("a capability (CACAO) is required")
        now = at_time if at_time is not None else self.clock()
        if cacao is not None:
            self._check_expectations(cacao, now)
        return await verify_jws(
            jws,
            capability=cacao,
            issuer=issuer,
            at_time=now,
            clock_skew_secs=self.clock_skew_secs,
            verifier=_host_verifier() if _sync else None,
        )

    def verify(
        self,
        jws: Mapping[str, Any] | str,
        capability: Cacao | Mapping[str, Any] | bytes | None = None,
        *,
        issuer: str | None = None,
        at_time: float | None = None,
    ) -> VerifiedJWS:
        """Verify synchronously; raise a :class:`~did_session.errors.DIDSessionError`."""
        return run_sync(
            self.verify_async(jws, capability, issuer=issuer, at_time=at_time, _sync=True)
        )

    def _check_expectations(self, cacao: Cacao, now: float) -> None:
        p = cacao.payload
        if self.domains is not None and p.domain not in self._domains:
            raise CapabilityMismatchError(
                f"capability granted to another domain ({p.domain!r:.80})"
            )
        if not resources_covered(cacao.resources, list(self.required_resources)):
            raise CapabilityMismatchError("capability does not grant the required resources")
        if self.max_capability_age_secs is not None:
            from ._time import parse_rfc3339

            iat = parse_rfc3339(p.iat)
            if now - iat > self.max_capability_age_secs + self.clock_skew_secs:
                raise CapabilityMismatchError("capability is older than the maximum age")
            if iat > now + self.clock_skew_secs:
                raise CapabilityNotYetValidError("CACAO is not valid yet")
        if self.nonce_check is not None and not self.nonce_check(p.nonce):
            raise CapabilityMismatchError("capability nonce refused")


def verify_jws_sync(
    jws: Mapping[str, Any] | str,
    *,
    capability: Cacao | Mapping[str, Any] | None = None,
    issuer: str | None = None,
    at_time: float | None = None,
    clock: Clock | None = None,
    clock_skew_secs: float = DEFAULT_CLOCK_SKEW_SECS,
    disable_timecheck: bool = False,
) -> VerifiedJWS:
    """:func:`did_session.verify_jws` without an event loop (CPython back ends)."""
    return run_sync(
        verify_jws(
            jws,
            capability=capability,
            issuer=issuer,
            at_time=at_time,
            clock=clock,
            clock_skew_secs=clock_skew_secs,
            disable_timecheck=disable_timecheck,
            verifier=_host_verifier(),
        )
    )


def _host_verifier() -> SignatureVerifier:
    # Synchronous checks need the synchronous (pure or native) back end, also in Pyodide.
    from .host.keys import HostVerifier

    return HostVerifier()
