"""Verification for relying parties (servers): a synchronous facade with expectations.

A backend receives a JWS signed by a browser session plus the session's CACAO, and must
know more than "the signature is valid": that the capability was granted to *its*
domain, for the resources it serves, recently enough, with a nonce it issued. The JS
library checks none of these. :class:`Verifier` holds those expectations once and checks
each request, synchronously (no event loop needed) on CPython.

:meth:`Verifier.verify_request` checks a signed HTTP request (``did_session.request``):
the JWS and CACAO as :meth:`Verifier.verify` does, then that it was signed for this
server, method, path and body, that it is within its time window, and that its id was
never accepted before (the replay store, shared by every process that serves the site).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._sync import run_sync
from ._time import DEFAULT_TIME_POLICY, TimePolicy, parse_rfc3339
from .cacao import Cacao, as_cacao, model_access_granted, resources_covered
from .errors import (
    CapabilityMismatchError,
    CapabilityNotYetValidError,
    RequestReplayedError,
    UsageError,
)
from .interfaces import ReplayStore
from .jws import VerifiedJWS, check_jws
from .platform import Platform, resolve
from .request import (
    Headers,
    VerifiedRequest,
    as_origin,
    check_claims,
    credentials,
    parse_claims,
    replay_key,
)

DEFAULT_MAX_REQUEST_LIFETIME_SECS = 300


@dataclass(frozen=True, kw_only=True)
class Verifier:
    """What a relying party expects of every signed request.

    - ``domains``: the SIWE domains the capability may have been granted to (your site's
      hostnames). None accepts any domain: say so explicitly only if you mean it.
    - ``required_resources``: every one must be in the capability's resources, exactly
      (the rule of ``DIDSession.is_authorized`` and of the JS library: ``ceramic://*`` is
      a string like any other there).
    - ``required_models``: Ceramic model stream ids the capability must give access to, by
      Ceramic's own rule (rust-ceramic ``verify_access``): ``ceramic://*`` covers every
      model, ``ceramic://*?model=<id>`` covers that model.
    - ``max_capability_age_secs``: refuse capabilities issued longer ago than this.
    - ``nonce_check``: called with the capability's nonce; return False to refuse it
      (e.g. a nonce you did not issue, or one already used).
    - ``require_capability``: refuse a bare did:key signature without a CACAO.
    - ``time_policy``: the clock, skew and revocation phase-out of every time check
      (the same object ``verify_jws`` and sessions take).
    - ``signature_options``: per CACAO signature type, the options of its verifier, e.g.
      ``{"webauthn:p256": {"rp_id": "example.org", "expected_origins": [...],
      "require_user_verification": True}}`` for passkey CACAOs (see
      :func:`did_session.webauthn.check_webauthn_cacao`).
    - ``platform``: where the signature verifiers come from (default: the chosen one);
      :meth:`verify` uses its synchronous verifier, :meth:`verify_async` its async one.

    For signed requests (:meth:`verify_request`):

    - ``audience``: the origins of this server (``https://api.example.org``); a request
      signed for another origin is refused. Required by :meth:`verify_request`.
    - ``replay_store``: where accepted request ids are remembered until they expire.
      Default: a :class:`~did_session.replay.MemoryReplayStore` of this verifier (one
      process). Several processes serving the site must share one store
      (:class:`~did_session.replay.SQLiteReplayStore`,
      :class:`~did_session.replay.RedisReplayStore`).
    - ``max_request_lifetime_secs``: refuse requests whose ``exp - iat`` is longer (this
      bounds how long an id must be remembered).
    """

    domains: Sequence[str] | None = None
    required_resources: Sequence[str] = ()
    required_models: Sequence[str] = ()
    max_capability_age_secs: float | None = None
    nonce_check: Callable[[str], bool] | None = None
    require_capability: bool = True
    time_policy: TimePolicy = DEFAULT_TIME_POLICY
    signature_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    platform: Platform | None = None
    audience: Sequence[str] | None = None
    replay_store: ReplayStore | None = None
    max_request_lifetime_secs: float = DEFAULT_MAX_REQUEST_LIFETIME_SECS
    _domains: frozenset[str] = field(init=False, repr=False, default=frozenset())
    _audiences: frozenset[str] = field(init=False, repr=False, default=frozenset())
    _replay: ReplayStore = field(init=False, repr=False, compare=False, default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if isinstance(self.domains, str):
            raise UsageError("domains is a sequence of hostnames, not one string")
        if isinstance(self.required_resources, str):
            raise UsageError("required_resources is a sequence, not one string")
        if isinstance(self.required_models, str) or not all(
            isinstance(m, str) and m for m in self.required_models
        ):
            raise UsageError("required_models is a sequence of model stream ids")
        if not isinstance(self.signature_options, Mapping) or not all(
            isinstance(v, Mapping) for v in self.signature_options.values()
        ):
            raise UsageError("signature_options maps a signature type to a mapping of options")
        if not isinstance(self.time_policy, TimePolicy):
            raise UsageError("time_policy must be a did_session.TimePolicy")
        if self.nonce_check is not None and not callable(self.nonce_check):
            raise UsageError("nonce_check must be a function of the nonce")
        try:
            domains = frozenset(self.domains or ())
        except TypeError:  # not iterable, or unhashable items
            raise UsageError("domains is a sequence of hostnames") from None
        object.__setattr__(self, "_domains", domains)
        if isinstance(self.audience, str):
            raise UsageError("audience is a sequence of origins, not one string")
        audiences = frozenset(as_origin(origin) for origin in self.audience or ())
        object.__setattr__(self, "_audiences", audiences)
        if self.replay_store is not None and not callable(
            getattr(self.replay_store, "remember", None)
        ):
            raise UsageError("replay_store must be a did_session ReplayStore")
        lifetime = self.max_request_lifetime_secs
        if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)) or not lifetime > 0:
            raise UsageError("max_request_lifetime_secs must be a positive number")
        if self.replay_store is None:
            from .replay import MemoryReplayStore

            object.__setattr__(self, "_replay", MemoryReplayStore())
        else:
            object.__setattr__(self, "_replay", self.replay_store)

    async def verify_async(
        self,
        jws: Mapping[str, Any] | str,
        capability: Cacao | Mapping[str, Any] | bytes | None = None,
        *,
        issuer: str | None = None,
        at_time: float | None = None,
    ) -> VerifiedJWS:
        """Verify (awaitable; WebCrypto in the browser); raise a
        :class:`~did_session.errors.DIDSessionError`."""
        return await self._verify(jws, capability, issuer, at_time, sync=False)

    def verify(
        self,
        jws: Mapping[str, Any] | str,
        capability: Cacao | Mapping[str, Any] | bytes | None = None,
        *,
        issuer: str | None = None,
        at_time: float | None = None,
    ) -> VerifiedJWS:
        """Verify synchronously, with no event loop; raise a
        :class:`~did_session.errors.DIDSessionError`."""
        return run_sync(self._verify(jws, capability, issuer, at_time, sync=True))

    def verify_request(
        self,
        *,
        method: str,
        path: str,
        body: bytes,
        headers: Headers,
        issuer: str | None = None,
        at_time: float | None = None,
    ) -> VerifiedRequest:
        """Verify a signed request synchronously: ``method``, ``path`` (the request-target:
        path and query, exactly as received), ``body`` (the raw bytes received) and the
        ``headers`` (a mapping or ``http.server``'s message). Raise a
        :class:`~did_session.errors.DIDSessionError`; on success the request's id is
        remembered, and the same request is refused (``RequestReplayedError``) until it
        expires."""
        return run_sync(
            self._verify_request(method, path, body, headers, issuer, at_time, sync=True)
        )

    async def verify_request_async(
        self,
        *,
        method: str,
        path: str,
        body: bytes,
        headers: Headers,
        issuer: str | None = None,
        at_time: float | None = None,
    ) -> VerifiedRequest:
        """:meth:`verify_request`, awaitable (WebCrypto in the browser). The replay store
        is called synchronously."""
        return await self._verify_request(method, path, body, headers, issuer, at_time, sync=False)

    async def _verify_request(
        self,
        method: str,
        path: str,
        body: bytes,
        headers: Headers,
        issuer: str | None,
        at_time: float | None,
        *,
        sync: bool,
    ) -> VerifiedRequest:
        if not self._audiences:
            raise UsageError("verify_request needs Verifier(audience=[...]): your origins")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise UsageError("body is the raw bytes received")
        now = at_time if at_time is not None else self.time_policy.now()
        jws, block = credentials(headers)
        verified = await self._verify(jws, block, issuer, now, sync=sync)
        claims = parse_claims(verified)
        skew = self.time_policy.clock_skew_secs
        check_claims(
            claims,
            method=method,
            path=path,
            body=bytes(body),
            audiences=self._audiences,
            now=now,
            skew=skew,
            max_lifetime=self.max_request_lifetime_secs,
        )
        # Last, once everything else holds: only valid requests use up an id. Kept until
        # the last instant the time check above would still accept the request.
        key = replay_key(verified.signer_did, claims["jti"])
        if not self._replay.remember(key, until=float(claims["exp"]) + skew, now=now):
            raise RequestReplayedError("this request was already accepted (replay)")
        return VerifiedRequest(jws=verified, claims=claims)

    async def _verify(
        self,
        jws: Mapping[str, Any] | str,
        capability: Cacao | Mapping[str, Any] | bytes | None,
        issuer: str | None,
        at_time: float | None,
        *,
        sync: bool,
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
        now = at_time if at_time is not None else self.time_policy.now()
        if cacao is not None:
            self._check_expectations(cacao, now)
        platform = resolve(self.platform)
        return await check_jws(
            jws,
            capability=cacao,
            issuer=issuer,
            at_time=now,
            time_policy=self.time_policy,
            disable_timecheck=False,
            signature_verifier=platform.sync_verifier if sync else platform.verifier,
            signature_options=self.signature_options,
        )

    def _check_expectations(self, cacao: Cacao, now: float) -> None:
        p = cacao.payload
        if self.domains is not None and p.domain not in self._domains:
            raise CapabilityMismatchError(
                f"capability granted to another domain ({p.domain!r:.80})"
            )
        if not resources_covered(cacao.resources, list(self.required_resources)):
            raise CapabilityMismatchError("capability does not grant the required resources")
        for model in self.required_models:
            if not model_access_granted(cacao.resources, model):
                raise CapabilityMismatchError(
                    f"capability does not give access to the model {model!r:.80}"
                )
        if self.max_capability_age_secs is not None:
            skew = self.time_policy.clock_skew_secs
            iat = parse_rfc3339(p.iat)
            if now - iat > self.max_capability_age_secs + skew:
                raise CapabilityMismatchError("capability is older than the maximum age")
            if iat > now + skew:
                raise CapabilityNotYetValidError("CACAO is not valid yet")
        if self.nonce_check is not None and not self.nonce_check(p.nonce):
            raise CapabilityMismatchError("capability nonce refused")
