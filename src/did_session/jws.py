"""JWS and DagJWS as did-session 4.0.0 writes them, and their verification.

Signing input and encodings follow the JS stack byte for byte (dids 5.0.3,
key-did-provider-ed25519, @didtools/key-webcrypto, did-jwt): header and object payloads
go through ``JSON.parse(fastJsonStableStringify(x))`` then ``JSON.stringify``, i.e. keys
sorted, except that JS objects list array-index keys ("0", "7", "42") first in numeric
order; both parts are base64url without padding.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import _json
from ._json import MAX_JSON_DEPTH
from ._time import DEFAULT_TIME_POLICY, TimePolicy
from .cacao import Cacao, as_cacao
from .codecs.bases import b64url_decode, b64url_encode
from .did_key import DIDKey, KeyType, parse_kid
from .errors import (
    CapabilityMismatchError,
    EncodingError,
    InvalidSignatureError,
    JWSError,
    MalformedError,
    UnsupportedAlgorithmError,
    UnsupportedError,
)
from .interfaces import SignatureVerifier, Signer

if TYPE_CHECKING:
    from .platform import Platform

# The algorithm each key type signs with. ES256K (secp256k1) is not a session key type
# of did-session and is refused rather than half supported.
_ALG_FOR_KEY = {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256"}
MAX_JWS_LENGTH = 1 << 20  # 1 MiB of text: far beyond any session signature.


# ---- JSON exactly as JS writes it ----------------------------------------------------


def _is_array_index(key: str) -> bool:
    # ECMAScript array index: canonical numeric string of an integer below 2**32 - 1.
    return (
        key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and (int(key) < 2**32 - 1)
    )


def _js_key_order(keys: list[str]) -> list[str]:
    # fast-json-stable-stringify sorts by UTF-16 code units; JSON.parse then moves array
    # index keys to the front in numeric order.
    ordered = sorted(keys, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
    index_keys = sorted((k for k in ordered if _is_array_index(k)), key=int)
    return index_keys + [k for k in ordered if not _is_array_index(k)]


def _js_number(value: float) -> str:
    # ECMAScript Number::toString: the shortest round-trip digits (Python's repr has the
    # same), laid out as JS does: plain decimals for 1e-7 < |x| < 1e21, else an exponent.
    if not math.isfinite(value):
        raise JWSError("JSON payloads cannot hold NaN or Infinity")
    if value == 0:
        return "0"  # also -0, as JSON.stringify
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    significant = (int_part + frac_part).lstrip("0")  # abs(value) = int(...) * 10**exp
    exp = int(exp_text or 0) - len(frac_part)
    n = len(significant) + exp  # abs(value) = 0.<digits> * 10**n, as in the ECMAScript spec
    digits = significant.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-")
        text += str(abs(e))
    return "-" + text if value < 0 else text


def _js_json(value: Any, depth: int = 0) -> str:
    # The depth is bounded explicitly, not by the recursion limit: str.join re-enters C
    # at each level, and some libraries raise the limit beyond what the C stack holds.
    if depth > MAX_JSON_DEPTH:
        raise JWSError(f"JSON value nested deeper than {MAX_JSON_DEPTH} (or cyclic)")
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, Mapping):
        for k in value:
            if not isinstance(k, str):
                raise JWSError("JSON object keys must be strings")
        parts = [
            f"{json.dumps(k, ensure_ascii=False)}:{_js_json(value[k], depth + 1)}"
            for k in _js_key_order(list(value))
        ]
        return "{" + ",".join(parts) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join([_js_json(v, depth + 1) for v in value]) + "]"
    raise JWSError(f"cannot encode a {type(value).__name__} as JSON")


def encode_json_section(value: Mapping[str, Any] | list[Any]) -> str:
    """base64url of the JS-stable compact JSON of ``value``."""
    try:
        text = _js_json(value)
    except RecursionError as e:  # a cyclic or absurdly deep value
        raise JWSError("JSON value nested too deeply (or cyclic)") from e
    try:
        return b64url_encode(text.encode("utf-8"))
    except UnicodeEncodeError as e:
        raise JWSError("JSON text is not valid Unicode (lone surrogate)") from e


# ---- creating --------------------------------------------------------------------------


def kid_for(did: str) -> str:
    """The ``kid`` the JS key providers write: ``did#<method-specific id>``."""
    return f"{did}#{did.split(':')[2]}"


def _payload_section(payload: Mapping[str, Any] | list[Any] | str | bytes) -> str:
    if isinstance(payload, str):
        # As in JS, a string payload is the already-encoded payload section.
        try:
            b64url_decode(payload)
        except EncodingError as e:
            raise JWSError("a string payload must be base64url (use bytes for raw data)") from e
        return payload
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return b64url_encode(bytes(payload))
    if isinstance(payload, (Mapping, list)):
        return encode_json_section(payload)
    raise JWSError(f"cannot sign a {type(payload).__name__} payload")


@lru_cache(maxsize=64)
def _plain_header_section(cap: str | None, did: str, alg: str) -> str:
    # A session signs every JWS with the same {alg, cap, kid}: encode it once.
    header: dict[str, Any] = {"kid": kid_for(did), "alg": alg}
    if cap is not None:
        header["cap"] = cap
    return encode_json_section(header)


async def create_jws(
    signer: Signer,
    payload: Mapping[str, Any] | list[Any] | str | bytes,
    *,
    protected: Mapping[str, Any] | None = None,
    cap: str | None = None,
) -> dict[str, Any]:
    """A General JWS ``{"payload", "signatures": [{"protected", "signature"}]}``.

    ``cap`` is the capability URL (``ipfs://<cid>``) put in the protected header.
    """
    if protected:
        header: dict[str, Any] = dict(protected)
        if cap is not None:
            header["cap"] = cap
        header["kid"] = kid_for(signer.did)
        header["alg"] = signer.alg
        header_section = encode_json_section(header)
    else:
        header_section = _plain_header_section(cap, signer.did, signer.alg)
    payload_section = _payload_section(payload)
    signature = await signer.sign(f"{header_section}.{payload_section}".encode("ascii"))
    return {
        "payload": payload_section,
        "signatures": [{"protected": header_section, "signature": b64url_encode(signature)}],
    }


def to_compact(jws: Mapping[str, Any]) -> str:
    """The compact form ``header.payload.signature`` of a one-signature General JWS."""
    protected, payload, signature = _parts(jws)
    return f"{protected}.{payload}.{signature}"


# ---- verifying -------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedJWS:
    """What a successful :func:`verify_jws` established."""

    kid: str
    signer: DIDKey
    header: dict[str, Any]
    payload: bytes
    capability: Cacao | None = None

    @property
    def signer_did(self) -> str:
        return self.kid.split("#", 1)[0]

    @property
    def issuer(self) -> str:
        """The capability's issuer (did:pkh) when one was checked, else the signer."""
        return self.capability.payload.iss if self.capability else self.signer_did

    def payload_json(self) -> Any:
        """The payload decoded as JSON (raise :class:`JWSError` if it is not JSON)."""
        try:
            return _json.loads(self.payload.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise JWSError("the JWS payload is not JSON") from e


def _parts(jws: Mapping[str, Any] | str) -> tuple[str, str, str]:
    if isinstance(jws, str):
        if len(jws) > MAX_JWS_LENGTH:
            raise JWSError("JWS too long")
        pieces = jws.split(".")
        if len(pieces) != 3:
            raise JWSError("a compact JWS has three parts")
        return pieces[0], pieces[1], pieces[2]
    if not isinstance(jws, Mapping):
        raise JWSError("a JWS is a compact string or a General JWS object")
    payload, signatures = jws.get("payload"), jws.get("signatures")
    if not isinstance(payload, str) or not isinstance(signatures, list):
        raise JWSError("a General JWS needs payload (string) and signatures (list)")
    if len(signatures) != 1:
        raise JWSError("exactly one signature is supported")
    sig = signatures[0]
    if not isinstance(sig, Mapping):
        raise JWSError("a JWS signature entry must be an object")
    protected, signature = sig.get("protected"), sig.get("signature")
    if not isinstance(protected, str) or not isinstance(signature, str):
        raise JWSError("a JWS signature needs protected and signature strings")
    if len(protected) + len(payload) + len(signature) > MAX_JWS_LENGTH:
        raise JWSError("JWS too long")
    return protected, payload, signature


def decode_header(protected: str) -> dict[str, Any]:
    try:
        # UTF-8 only (json.loads would also guess UTF-16/32 from bytes), as JS decodes it.
        header = _json.loads(b64url_decode(protected).decode("utf-8"))
    except (EncodingError, ValueError, UnicodeDecodeError, RecursionError) as e:
        raise JWSError("the JWS protected header is not base64url JSON") from e
    if not isinstance(header, dict):
        raise JWSError("the JWS protected header is not a JSON object")
    return header


def issuer_equals(a: str, b: str) -> bool:
    """As dids: exact, except did:pkh:eip155 ids compare case-insensitively."""
    if a == b:
        return True
    return a.startswith("did:pkh:eip155:") and a.lower() == b.lower()


async def verify_jws(
    jws: Mapping[str, Any] | str,
    *,
    capability: Cacao | Mapping[str, Any] | None = None,
    issuer: str | None = None,
    at_time: float | None = None,
    time_policy: TimePolicy = DEFAULT_TIME_POLICY,
    disable_timecheck: bool = False,
    platform: Platform | None = None,
    signature_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> VerifiedJWS:
    """Verify a JWS made by a session (or any Ed25519 / P-256 did:key).

    ``time_policy`` (clock, skew, revocation phase-out) decides the time checks;
    ``at_time`` replaces its clock. ``platform`` gives the signature verifier (WebCrypto
    in the browser; the default platform when None).

    Checks the signature against the ``kid`` did:key and that ``alg`` fits the key type.
    With a ``capability`` it also checks, failing closed: that the ``cap`` header is
    ``ipfs://`` + the capability's CID (the JS library does not), that the capability's
    ``aud`` is the signer, that ``issuer`` (if given) is its ``iss``, its time window
    (``disable_timecheck`` skips only the expiry, as in JS) and its issuer's signature,
    by the verifier registered for its ``s.t`` (``eip191``, ``solana:ed25519``,
    ``webauthn:p256`` or one of yours; ``signature_options`` maps a type to its verifier's
    options, e.g. ``{"webauthn:p256": {"rp_id": "example.org"}}``).
    Without a capability, an ``issuer`` must be the signer itself.
    """
    from .platform import resolve

    return await check_jws(
        jws,
        capability=capability,
        issuer=issuer,
        at_time=at_time,
        time_policy=time_policy,
        disable_timecheck=disable_timecheck,
        signature_verifier=resolve(platform).verifier,
        signature_options=signature_options,
    )


async def check_jws(
    jws: Mapping[str, Any] | str,
    *,
    capability: Cacao | Mapping[str, Any] | None,
    issuer: str | None,
    at_time: float | None,
    time_policy: TimePolicy,
    disable_timecheck: bool,
    signature_verifier: SignatureVerifier,
    signature_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> VerifiedJWS:
    """:func:`verify_jws` with the signature verifier given (``Verifier`` passes the
    platform's synchronous one)."""
    protected, payload_section, signature_section = _parts(jws)
    header = decode_header(protected)
    kid, alg = header.get("kid"), header.get("alg")
    if not isinstance(kid, str):
        raise JWSError('no "kid" found in the JWS header')
    if not isinstance(alg, str):
        raise JWSError('no "alg" found in the JWS header')
    try:
        signer = parse_kid(kid)
    except MalformedError as e:
        raise JWSError(f"the JWS kid is not a did:key: {e}") from e
    expected_alg = _ALG_FOR_KEY.get(signer.key_type)
    if expected_alg is None:
        raise UnsupportedAlgorithmError(f"{signer.key_type.name} keys are not supported")
    if alg != expected_alg:
        raise UnsupportedAlgorithmError(
            f"alg {alg[:20]!r} does not match the {signer.key_type.name} key (expects "
            f"{expected_alg})"
        )
    try:
        payload = b64url_decode(payload_section)
        signature = b64url_decode(signature_section)
    except EncodingError as e:
        raise JWSError("the JWS payload or signature is not base64url") from e

    cacao: Cacao | None = None
    if capability is not None:
        cacao = as_cacao(capability)
        if header.get("cap") != f"ipfs://{cacao.cid}":
            raise CapabilityMismatchError("the JWS cap header is not the capability's CID")
        if not _same_did(cacao.payload.aud, signer):
            raise CapabilityMismatchError("the capability's audience is not the JWS signer")
        if issuer is not None and not issuer_equals(issuer, cacao.payload.iss):
            raise CapabilityMismatchError("the capability was not issued by the issuer")
        cacao.check_time(
            at_time=at_time,
            time_policy=time_policy,
            disable_expiration_check=disable_timecheck,
        )
    elif issuer is not None and issuer != signer.did:
        raise CapabilityMismatchError("the JWS signer is not the issuer and no capability given")

    ok = await signature_verifier.verify(
        alg, signer.public_key, f"{protected}.{payload_section}".encode("ascii"), signature
    )
    if not ok:
        raise InvalidSignatureError("the JWS signature is invalid")
    if cacao is not None:  # after the cheap checks: recovery is the costly part
        await cacao.verify_signature_async(
            signature_verifier=signature_verifier, signature_options=signature_options
        )
    return VerifiedJWS(kid=kid, signer=signer, header=header, payload=payload, capability=cacao)


def _same_did(did: str, key: DIDKey) -> bool:
    if did == key.did:
        return True
    try:
        from .did_key import decode_did_key

        return decode_did_key(did) == key  # legacy P-256 forms of the same key
    except (MalformedError, UnsupportedError):  # not a did:key we read: not the signer
        return False
