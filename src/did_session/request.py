"""Signed HTTP requests: the format a session signs a request in, and its checks.

A JWS signed by the session key (its ``cap`` header names the CACAO, as every session JWS)
over a JSON payload of claims that pin one HTTP request::

    protected header  {"alg", "cap", "kid", "typ": "did-session-request+jwt"}
    payload           {"aud": "https://api.example.org",        origin of the server
                       "method": "POST",                         upper case
                       "path": "/api/notes?draft=1",             request-target, as sent
                       "body_sha256": "<base64url SHA-256 of the body bytes>",
                       "jti": "<base64url of 16 random bytes>",  the request's id
                       "iat": 1767225600, "exp": 1767225660}     Unix seconds

It travels in two headers: ``Authorization: DIDSession <compact JWS>`` and
``DID-Session-Capability: <base64url of the CACAO's DAG-CBOR block>``. The relying party
(:meth:`did_session.Verifier.verify_request`) checks the JWS and the CACAO as usual, then
every claim against the request it received, the time window, and that ``jti`` was not
accepted before from that session key (a :class:`~did_session.interfaces.ReplayStore`).

Pure: no ``js`` import; the session layer signs (WebCrypto in the browser).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from . import _json
from .codecs.bases import b64url_decode, b64url_encode
from .errors import (
    EncodingError,
    RequestExpiredError,
    RequestFormatError,
    RequestMismatchError,
    RequestNotYetValidError,
    UsageError,
)
from .jws import VerifiedJWS

REQUEST_TYP = "did-session-request+jwt"
"""The ``typ`` header of a signed request: no other JWS of the session passes for one."""
AUTH_SCHEME = "DIDSession"
"""``Authorization: DIDSession <compact JWS>``."""
CAPABILITY_HEADER = "DID-Session-Capability"
"""The header carrying the base64url CACAO block."""
DEFAULT_REQUEST_LIFETIME_SECS = 60
MAX_HEADER_LENGTH = 64 * 1024

_CLAIMS = ("aud", "method", "path", "body_sha256", "jti", "iat", "exp")
_JTI = re.compile(r"[A-Za-z0-9_-]{16,128}\Z")
_METHOD = re.compile(r"[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,31}\Z")  # an RFC 9110 token
# An origin-form request-target as a browser sends it: nothing it would re-encode.
_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*\Z")
_DOT_SEGMENT = re.compile(r"(^|/)\.{1,2}(/|$|\?)")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """The normalized origin of an http(s) URL: ``scheme://host[:port]``, lower case, the
    default port left out. Raise :class:`UsageError` for anything else."""
    from urllib.parse import urlsplit  # here: not needed at a page's start-up

    if not isinstance(url, str):
        raise UsageError("an origin or URL is a string")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError(f"not a URL: {url!r:.80}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise UsageError(f"not an http(s) URL with a host: {url!r:.80}")
    if parts.username is not None or parts.password is not None:
        raise UsageError("a URL to sign must not carry user info")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return (
        f"{scheme}://{host}"
        if port in (None, _DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def as_origin(text: str) -> str:
    """``text`` normalized if it is an origin (a URL with no path, query or fragment);
    raise :class:`UsageError` otherwise."""
    origin = origin_of(text)
    rest = text.split("://", 1)[1]
    if any(c in rest.rstrip("/") for c in "/?#"):
        raise UsageError(f"an origin is scheme://host[:port], with no path: {text!r:.80}")
    return origin


def split_url(url: str, *, audience: str | None) -> tuple[str, str]:
    """``(origin, request-target)`` of what a client is about to send. A URL starting
    with ``/`` is taken on ``audience`` (an origin). The fragment is dropped, as browsers
    do; a target a browser would rewrite (spaces, non-ASCII, ``..`` segments) is refused,
    so that what is signed is exactly what is sent."""
    if not isinstance(url, str):
        raise UsageError("the URL is a string")
    url = url.split("#", 1)[0]
    if url.startswith("/") and not url.startswith("//"):
        if audience is None:
            raise UsageError("a relative URL needs audience= (the server's origin)")
        origin, target = as_origin(audience), url
    else:
        origin = origin_of(url)
        rest = url.split("://", 1)[1]
        cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        target = rest[cut:]
        target = "/" + target if not target.startswith("/") else target
    if not _PATH.match(target) or _DOT_SEGMENT.search(target.split("?", 1)[0]):
        raise UsageError(
            f"the path {target!r:.80} is not in the form a browser sends: percent-encode "
            "it and remove . and .. segments"
        )
    return origin, target


def body_sha256(body: bytes) -> str:
    import hashlib  # here: ~10 ms of a page's start-up under Pyodide

    return b64url_encode(hashlib.sha256(body).digest())


def as_body(body: bytes | bytearray | memoryview | str | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise UsageError("a request body is bytes or str (encode JSON yourself: it is signed as sent)")


def request_claims(
    *,
    method: str,
    url: str,
    body: bytes,
    audience: str | None,
    now: float,
    lifetime: float,
    jti: str,
) -> dict[str, Any]:
    """The payload of a signed request (see the module's docstring)."""
    if not isinstance(method, str) or not _METHOD.match(method):
        raise UsageError(f"not an HTTP method: {method!r:.40}")
    if not isinstance(lifetime, (int, float)) or not (0 < lifetime < math.inf):
        raise UsageError("expires_in_secs must be a positive number of seconds")
    origin, target = split_url(url, audience=audience)
    iat = int(now)
    return {
        "aud": origin,
        "method": method.upper(),
        "path": target,
        "body_sha256": body_sha256(body),
        "jti": jti,
        "iat": iat,
        "exp": iat + max(1, math.ceil(lifetime)),
    }


@dataclass(frozen=True)
class SignedRequest:
    """A request signed by a session: send ``body`` to ``url`` with ``method`` and
    ``headers`` (exactly these bytes: the body's hash is signed)."""

    method: str
    url: str
    body: bytes
    jws: str  # compact
    capability: str  # base64url of the CACAO block
    claims: Mapping[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"{AUTH_SCHEME} {self.jws}", CAPABILITY_HEADER: self.capability}

    @property
    def request_id(self) -> str:
        return str(self.claims["jti"])


class Headers(Protocol):
    """HTTP headers: a ``Mapping[str, str]`` or ``http.server``'s ``email.message.Message``
    (names compared case-insensitively)."""

    def items(self) -> Iterable[tuple[str, Any]]: ...


def credentials(headers: Headers) -> tuple[str, bytes | None]:
    """The compact JWS of ``Authorization: DIDSession`` and the CACAO block of
    ``DID-Session-Capability`` (None when absent); raise :class:`RequestFormatError`."""
    found: dict[str, list[str]] = {"authorization": [], CAPABILITY_HEADER.lower(): []}
    try:
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() in found:
                found[name.lower()].append(str(value))
    except (AttributeError, TypeError):
        raise UsageError("headers is a mapping of header names to values") from None
    auth, caps = found["authorization"], found[CAPABILITY_HEADER.lower()]
    if len(auth) != 1 or len(caps) > 1:
        raise RequestFormatError(
            f"a signed request has one Authorization: {AUTH_SCHEME} header and at most one "
            f"{CAPABILITY_HEADER} header"
        )
    scheme, _, jws = auth[0].strip().partition(" ")
    if scheme.lower() != AUTH_SCHEME.lower() or not jws.strip():
        raise RequestFormatError(f"the Authorization header is not {AUTH_SCHEME} <JWS>")
    if len(jws) > MAX_HEADER_LENGTH or (caps and len(caps[0]) > MAX_HEADER_LENGTH):
        raise RequestFormatError("a signed request header is too long")
    block = None
    if caps:
        try:
            block = b64url_decode(caps[0].strip())
        except EncodingError:
            raise RequestFormatError(f"the {CAPABILITY_HEADER} header is not base64url") from None
    return jws.strip(), block


@dataclass(frozen=True)
class VerifiedRequest:
    """What :meth:`did_session.Verifier.verify_request` established: the JWS (signer,
    capability) and the request's claims, all checked; its id is now remembered."""

    jws: VerifiedJWS
    claims: Mapping[str, Any]

    @property
    def issuer(self) -> str:
        """The user's did:pkh (the capability's issuer)."""
        return self.jws.issuer

    @property
    def signer_did(self) -> str:
        """The session key's did:key."""
        return self.jws.signer_did

    @property
    def request_id(self) -> str:
        return str(self.claims["jti"])

    @property
    def expires_at(self) -> float:
        return float(self.claims["exp"])


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RequestFormatError(f"the request claim {name!r} is not a number of seconds")
    return float(value)


def parse_claims(verified: VerifiedJWS) -> dict[str, Any]:
    """The claims of a verified JWS, if it is a signed request; raise
    :class:`RequestFormatError`."""
    if verified.header.get("typ") != REQUEST_TYP:
        raise RequestFormatError(f"the JWS is not a signed request (typ {REQUEST_TYP!r})")
    try:
        claims = _json.loads(verified.payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RequestFormatError("the signed request's payload is not JSON") from None
    if not isinstance(claims, dict):
        raise RequestFormatError("the signed request's payload is not a JSON object")
    missing = [name for name in _CLAIMS if name not in claims]
    if missing:
        raise RequestFormatError(f"the signed request lacks {', '.join(missing)}")
    for name in ("aud", "method", "path", "body_sha256", "jti"):
        if not isinstance(claims[name], str):
            raise RequestFormatError(f"the request claim {name!r} is not a string")
    if not _JTI.match(claims["jti"]):
        raise RequestFormatError("the request id (jti) is not 16-128 base64url characters")
    if _number(claims, "exp") <= _number(claims, "iat"):
        raise RequestFormatError("the request's exp is not after its iat")
    return claims


def check_claims(
    claims: Mapping[str, Any],
    *,
    method: str,
    path: str,
    body: bytes,
    audiences: frozenset[str],
    now: float,
    skew: float,
    max_lifetime: float,
) -> None:
    """Raise unless the claims describe this request, now (the request's id is checked
    by the caller, last)."""
    if claims["aud"] not in audiences:
        raise RequestMismatchError(
            f"the request was signed for another server ({claims['aud']!r:.80})", claim="aud"
        )
    if not isinstance(method, str) or claims["method"] != method.upper():
        raise RequestMismatchError("the request was signed for another method", claim="method")
    if claims["path"] != path:
        raise RequestMismatchError(
            f"the request was signed for another path ({claims['path']!r:.80})", claim="path"
        )
    if claims["body_sha256"] != body_sha256(body):
        raise RequestMismatchError("the body is not the one signed", claim="body_sha256")
    iat, exp = float(claims["iat"]), float(claims["exp"])
    if exp - iat > max_lifetime:
        raise RequestMismatchError(
            f"the request's lifetime ({exp - iat:.0f} s) is longer than {max_lifetime:.0f} s",
            claim="exp",
        )
    if math.isnan(now) or math.isnan(skew):
        raise UsageError("the time of the check and the skew must be numbers")
    if iat > now + skew:
        raise RequestNotYetValidError("the request was issued in the future")
    if exp + skew < now:
        raise RequestExpiredError("the request has expired")


def replay_key(signer_did: str, jti: str) -> str:
    """The store key of a request id: per session key, so that nobody can use up another
    session's ids, and of fixed length."""
    import hashlib

    return b64url_encode(hashlib.sha256(f"{signer_did}\n{jti}".encode()).digest())


__all__ = [
    "AUTH_SCHEME",
    "CAPABILITY_HEADER",
    "REQUEST_TYP",
    "SignedRequest",
    "VerifiedRequest",
    "credentials",
]
