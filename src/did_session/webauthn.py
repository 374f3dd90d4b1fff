"""Passkey (WebAuthn) CACAOs, ``s.t = "webauthn:p256"``, as @didtools/key-webauthn 2.0.2
makes them and rust-ceramic (``validation/src/signature/key_webauthn.rs``) accepts them.

Format. ``iss`` is the passkey's did:key (``zDn...``, compressed P-256). The passkey signs
a WebAuthn assertion whose challenge is the CIDv1 (dag-cbor, sha2-256) *bytes* of the CACAO
without ``iss`` and ``s`` (``{h, p}``); ``s.s`` is the DER signature in base64url,
``s.m.aad`` the DAG-CBOR bytes of ``{authData, clientDataJSON}``. The signed message is
WebAuthn's: ``authData || SHA-256(clientDataJSON)``, ECDSA P-256 with SHA-256.

What is checked here, where JS and Rust check only the signature, the client data type
and the challenge:

* the time window, like every CACAO (JS checks none on passkey CACAOs);
* ``rpIdHash`` = SHA-256 of the RP id (the CACAO's domain, or what the relying party
  names), the user-present flag (and user-verified when asked), backup flags consistent;
* the client data ``origin`` (its host is the CACAO's domain, https or a loopback host;
  or exactly one the relying party names), ``crossOrigin`` not true;
* strict encodings: DER without slack (JS's noble and Rust also take raw 64-byte r || s;
  no authenticator writes that), canonical base64url, JSON without duplicate keys, an
  ``aad`` with exactly the two fields, header ``caip122``.

High S is accepted: WebAuthn does not ask authenticators to normalise S, many do not,
and noble (``lowS: false`` for P-256), RustCrypto's ``p256`` and WebCrypto all accept it.
The other S gives another valid CACAO (another CID) for the same grant: nothing an
attacker could not already present.

A ``statement`` or ``requestId`` is refused: JS signs them as part of the challenge, Rust
drops them from it, so such a CACAO means different things to the two (JS never writes
them; neither does our auth method).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from . import crypto
from ._time import DEFAULT_TIME_POLICY, TimePolicy
from .cacao import Cacao, CacaoPayload, CacaoVerifier, register_cacao_verifier
from .codecs import dag_cbor
from .codecs.bases import b64url_decode, b64url_encode
from .codecs.cid import CID
from .did_key import DIDKey, KeyType, decode_did_key
from .errors import (
    CBORError,
    DIDKeyError,
    DIDSessionError,
    EncodingError,
    MalformedError,
    UnsupportedKeyTypeError,
    UsageError,
    WebAuthnChallengeError,
    WebAuthnClientDataError,
    WebAuthnFlagsError,
    WebAuthnFormatError,
    WebAuthnRelyingPartyError,
    WebAuthnSignatureError,
)
from .interfaces import SignatureVerifier

if TYPE_CHECKING:
    from .auth import AuthRequest

__all__ = [
    "HEADER_TYPE",
    "SIGNATURE_TYPE",
    "AttestationObject",
    "AuthenticatorData",
    "WebAuthnAssertion",
    "build_cacao",
    "challenge_for",
    "check_webauthn_cacao",
    "cose_p256_public_key",
    "did_for_public_key",
    "parse_attestation_object",
    "parse_authenticator_data",
    "parse_client_data",
    "recover_candidate_dids",
    "request_payload",
    "verify_webauthn_cacao",
    "verify_webauthn_cacao_async",
]

SIGNATURE_TYPE: Final = "webauthn:p256"
HEADER_TYPE: Final = "caip122"

FLAG_UP: Final = 0x01  # user present
FLAG_UV: Final = 0x04  # user verified
FLAG_BE: Final = 0x08  # backup eligible
FLAG_BS: Final = 0x10  # backed up
FLAG_AT: Final = 0x40  # attested credential data follows
FLAG_ED: Final = 0x80  # extensions follow

_COSE_KTY, _COSE_ALG, _COSE_CRV, _COSE_X, _COSE_Y = 1, 3, -1, -2, -3
_COSE_EC2, _COSE_ES256, _COSE_P256 = 2, -7, 1
_LOOPBACK_HOSTS: Final = ("localhost", "127.0.0.1", "::1")


# --- authenticator data, COSE keys, attestation objects ---------------------------------


@dataclass(frozen=True)
class AuthenticatorData:
    """WebAuthn authenticator data (section 6.1), parsed strictly."""

    raw: bytes
    rp_id_hash: bytes
    flags: int
    sign_count: int
    aaguid: bytes | None = None
    credential_id: bytes | None = None
    public_key: bytes | None = None  # 33-byte compressed P-256 point (attested data only)
    extensions: Mapping[Any, Any] | None = None

    @property
    def user_present(self) -> bool:
        return bool(self.flags & FLAG_UP)

    @property
    def user_verified(self) -> bool:
        return bool(self.flags & FLAG_UV)


def _cbor_item(data: bytes, pos: int, what: str) -> tuple[Any, int]:
    try:
        return dag_cbor.decode_ctap2(data, pos)
    except CBORError as e:
        raise WebAuthnFormatError(f"{what} is not canonical CBOR: {e}") from e


def parse_authenticator_data(data: bytes) -> AuthenticatorData:
    """Parse authenticator data: 32-byte rpIdHash, flags, counter, then (AT) the attested
    credential with its COSE key and (ED) an extensions map; nothing may follow."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WebAuthnFormatError("authenticator data must be bytes")
    raw = bytes(data)
    if len(raw) < 37:
        raise WebAuthnFormatError("authenticator data is shorter than 37 bytes")
    flags = raw[32]
    pos = 37
    aaguid = credential_id = public_key = None
    if flags & FLAG_AT:
        if len(raw) < pos + 18:
            raise WebAuthnFormatError("attested credential data is truncated")
        aaguid = raw[pos : pos + 16]
        length = int.from_bytes(raw[pos + 16 : pos + 18], "big")
        pos += 18
        if length > 1023 or len(raw) < pos + length:  # WebAuthn: at most 1023 bytes
            raise WebAuthnFormatError("credential id length is out of range")
        credential_id = raw[pos : pos + length]
        cose, pos = _cbor_item(raw, pos + length, "the credential public key")
        public_key = cose_p256_public_key(cose)
    extensions = None
    if flags & FLAG_ED:
        extensions, pos = _cbor_item(raw, pos, "the authenticator extensions")
        if not isinstance(extensions, dict):
            raise WebAuthnFormatError("authenticator extensions must be a CBOR map")
    if pos != len(raw):
        raise WebAuthnFormatError(f"{len(raw) - pos} trailing byte(s) in authenticator data")
    return AuthenticatorData(
        raw=raw,
        rp_id_hash=raw[:32],
        flags=flags,
        sign_count=int.from_bytes(raw[33:37], "big"),
        aaguid=aaguid,
        credential_id=credential_id,
        public_key=public_key,
        extensions=extensions,
    )


def cose_p256_public_key(cose: Any) -> bytes:
    """The compressed point of a COSE EC2 / ES256 / P-256 key (RFC 9053), checked on the
    curve. Anything else (RSA, Ed25519, another curve) is refused."""
    if not isinstance(cose, dict):
        raise WebAuthnFormatError("the credential public key is not a COSE map")
    if cose.get(_COSE_KTY) != _COSE_EC2 or cose.get(_COSE_ALG) != _COSE_ES256:
        raise WebAuthnFormatError("the credential public key is not an EC2 ES256 (alg -7) key")
    if cose.get(_COSE_CRV) != _COSE_P256:
        raise WebAuthnFormatError("the credential public key is not on P-256")
    x, y = cose.get(_COSE_X), cose.get(_COSE_Y)
    if not isinstance(x, bytes) or not isinstance(y, bytes) or len(x) != 32 or len(y) != 32:
        raise WebAuthnFormatError("the COSE key's x and y must be 32-byte strings")
    try:
        return DIDKey.from_public_key(KeyType.P256, b"\x04" + x + y).public_key
    except DIDKeyError as e:
        raise WebAuthnFormatError(f"the credential public key is invalid: {e}") from e


@dataclass(frozen=True)
class AttestationObject:
    """What ``navigator.credentials.create`` returns in ``response.attestationObject``."""

    fmt: str
    att_stmt: Mapping[Any, Any]
    auth_data: AuthenticatorData


def parse_attestation_object(data: bytes) -> AttestationObject:
    """``{fmt, attStmt, authData}`` (CTAP2 canonical CBOR) with its attested credential."""
    obj, end = _cbor_item(bytes(data), 0, "the attestation object")
    if end != len(data):
        raise WebAuthnFormatError("trailing bytes after the attestation object")
    if not isinstance(obj, dict) or set(obj) != {"fmt", "attStmt", "authData"}:
        raise WebAuthnFormatError("an attestation object is a map of fmt, attStmt, authData")
    fmt, att_stmt, auth_data = obj["fmt"], obj["attStmt"], obj["authData"]
    if not isinstance(fmt, str) or not isinstance(att_stmt, dict):
        raise WebAuthnFormatError("attestation fmt must be a string and attStmt a map")
    if not isinstance(auth_data, bytes):
        raise WebAuthnFormatError("attestation authData must be a byte string")
    parsed = parse_authenticator_data(auth_data)
    if parsed.public_key is None:
        raise WebAuthnFormatError("the attestation has no attested credential (flag AT)")
    return AttestationObject(fmt, att_stmt, parsed)


def did_for_public_key(public_key: bytes) -> str:
    """The did:key (``did:key:zDn...``) of a 33- or 65-byte P-256 public key."""
    try:
        return DIDKey.from_public_key(KeyType.P256, public_key).did
    except DIDKeyError as e:
        raise WebAuthnFormatError(f"not a P-256 public key: {e}") from e


# --- client data -------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise WebAuthnFormatError(f"client data JSON repeats the key {key[:40]!r}")
        out[key] = value
    return out


def parse_client_data(client_data_json: bytes) -> dict[str, Any]:
    """The client data JSON object; ``type``, ``challenge`` and ``origin`` must be strings."""
    try:
        value = json.loads(
            bytes(client_data_json).decode("utf-8"), object_pairs_hook=_no_duplicates
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        if isinstance(e, WebAuthnFormatError):
            raise
        raise WebAuthnFormatError("client data is not UTF-8 JSON") from e
    if not isinstance(value, dict):
        raise WebAuthnFormatError("client data JSON is not an object")
    for key in ("type", "challenge", "origin"):
        if not isinstance(value.get(key), str):
            raise WebAuthnFormatError(f"client data JSON has no string {key!r}")
    if "crossOrigin" in value and not isinstance(value["crossOrigin"], bool):
        raise WebAuthnFormatError("client data crossOrigin must be a boolean")
    return value


def _origin_host(origin: str) -> tuple[str, str] | None:
    """(scheme, host) of a serialised origin ``scheme://host[:port]``; None otherwise."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    host = parts.hostname
    if not host or origin != f"{parts.scheme}://{parts.netloc}" or "@" in parts.netloc:
        return None
    if parts.netloc != parts.netloc.lower() or not origin.isascii():
        return None
    return parts.scheme, host


def check_origin(origin: str, domain: str, expected_origins: Sequence[str] | None) -> None:
    """The rule of :func:`check_webauthn_cacao` for the client data ``origin``."""
    if expected_origins is not None:
        if isinstance(expected_origins, str):
            expected_origins = (expected_origins,)
        if origin not in expected_origins:
            raise WebAuthnClientDataError(f"client data origin {origin[:80]!r} is not accepted")
        return
    parsed = _origin_host(origin)
    if parsed is None:
        raise WebAuthnClientDataError(f"client data origin {origin[:80]!r} is not an origin")
    scheme, host = parsed
    secure = scheme == "https" or (
        scheme == "http" and (host in _LOOPBACK_HOSTS or host.endswith(".localhost"))
    )
    if not secure or host != domain:
        raise WebAuthnClientDataError(
            f"client data origin {origin[:80]!r} is not https://{domain[:80]} (the CACAO domain)"
        )


# --- the challenge and the CACAO -----------------------------------------------------------


def _challenge_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    p = {k: v for k, v in payload.items() if k != "iss"}
    if "statement" in p or "requestId" in p:
        raise WebAuthnFormatError(
            "a webauthn:p256 CACAO cannot carry a statement or requestId (JS signs them, "
            "rust-ceramic ignores them)"
        )
    return p


def challenge_for(payload: Mapping[str, Any], header_type: str = HEADER_TYPE) -> bytes:
    """The WebAuthn challenge for a CACAO payload (JSON, ``iss`` absent or ignored): the
    CIDv1 bytes of the DAG-CBOR block ``{h: {t}, p}``."""
    block = dag_cbor.encode({"h": {"t": header_type}, "p": _challenge_payload(payload)})
    return CID.from_block(block).bytes


def request_payload(request: AuthRequest, *, domain: str, nonce: str) -> dict[str, Any]:
    """The payload (no ``iss`` yet) a passkey signs for a session's request, as
    key-webauthn writes it: the session's times as they are (the auth method has no
    clock); no ``statement`` / ``requestId`` (refused, see above)."""
    payload: dict[str, Any] = {
        "domain": domain,
        "aud": request.uri,
        "version": "1",
        "nonce": request.nonce or nonce,
        "resources": list(request.resources),
        "iat": request.issued_at,
    }
    if request.expiration_time is not None:
        payload["exp"] = request.expiration_time
    if request.not_before is not None:
        payload["nbf"] = request.not_before
    return payload


def build_cacao(
    payload: Mapping[str, Any],
    iss: str,
    signature_der: bytes,
    authenticator_data: bytes,
    client_data_json: bytes,
) -> Cacao:
    """The CACAO key-webauthn writes once the passkey signed ``challenge_for(payload)``."""
    aad = dag_cbor.encode(
        {"authData": bytes(authenticator_data), "clientDataJSON": bytes(client_data_json)}
    )
    fields = dict(_challenge_payload(payload))
    fields["iss"] = iss
    values = {("request_id" if k == "requestId" else k): v for k, v in fields.items()}
    if "resources" in values:
        values["resources"] = tuple(values["resources"])
    try:
        cacao_payload = CacaoPayload(**values)
    except TypeError as e:
        raise WebAuthnFormatError(f"not a CACAO payload: {e}") from e
    sig = b64url_encode(signature_der)
    return Cacao.from_json(
        Cacao(HEADER_TYPE, cacao_payload, SIGNATURE_TYPE, sig, (("m", {"aad": aad}),)).to_json()
    )


def _signed_message(authenticator_data: bytes, client_data_json: bytes) -> bytes:
    return bytes(authenticator_data) + crypto.sha256(bytes(client_data_json))


def recover_candidate_dids(
    signature_der: bytes, authenticator_data: bytes, client_data_json: bytes
) -> tuple[str, ...]:
    """The did:keys of the (at most two) P-256 keys that could have made this assertion
    signature, as key-webauthn's ``recoverPublicKeys`` finds them (recovery ids 0, 1)."""
    try:
        rs = crypto.p256_der_decode(signature_der)
    except MalformedError as e:
        raise WebAuthnSignatureError(f"the passkey signature is not strict DER: {e}") from e
    digest = crypto.sha256(_signed_message(authenticator_data, client_data_json))
    keys = (crypto.p256_recover(digest, rs, recid) for recid in (0, 1))
    return tuple(did_for_public_key(k) for k in keys if k is not None)


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WebAuthnAssertion:
    """A structurally checked passkey CACAO: what remains is the signature check."""

    public_key: bytes  # 33-byte compressed P-256 key of ``iss``
    message: bytes  # authData || SHA-256(clientDataJSON): what the passkey signed
    signature: bytes  # raw 64-byte r || s
    authenticator_data: AuthenticatorData
    client_data: Mapping[str, Any]


def _aad(cacao: Cacao) -> tuple[bytes, bytes]:
    extra = dict(cacao._extra_signature_fields)
    meta = extra.get("m")
    if set(extra) != {"m"} or not isinstance(meta, dict) or set(meta) != {"aad"}:
        raise WebAuthnFormatError("a webauthn:p256 CACAO needs s.m = {aad} and nothing else")
    aad = meta["aad"]
    if not isinstance(aad, (bytes, bytearray)):
        raise WebAuthnFormatError("s.m.aad must be bytes")
    try:
        fields = dag_cbor.decode(bytes(aad))
    except CBORError as e:
        raise WebAuthnFormatError(f"s.m.aad is not DAG-CBOR: {e}") from e
    if not isinstance(fields, dict) or set(fields) != {"authData", "clientDataJSON"}:
        raise WebAuthnFormatError("s.m.aad must be a map of authData and clientDataJSON")
    auth_data, client_data_json = fields["authData"], fields["clientDataJSON"]
    if not isinstance(auth_data, bytes) or not isinstance(client_data_json, bytes):
        raise WebAuthnFormatError("authData and clientDataJSON must be byte strings")
    return auth_data, client_data_json


def _issuer_key(iss: str) -> bytes:
    try:
        key = decode_did_key(iss)
    except (MalformedError, UnsupportedKeyTypeError) as e:
        raise WebAuthnFormatError(f"CACAO iss is not a did:key: {e}") from e
    if key.key_type is not KeyType.P256:
        raise WebAuthnFormatError("the issuer of a webauthn:p256 CACAO must be a P-256 did:key")
    return key.public_key


def check_webauthn_cacao(
    cacao: Cacao | Mapping[str, Any],
    *,
    expected_origins: Sequence[str] | None = None,
    rp_id: str | Sequence[str] | None = None,
    require_user_verification: bool = False,
    allow_cross_origin: bool = False,
    at_time: float | None = None,
    time_policy: TimePolicy = DEFAULT_TIME_POLICY,
    disable_expiration_check: bool = False,
    check_time: bool = True,
) -> WebAuthnAssertion:
    """Every check of a ``webauthn:p256`` CACAO except the ECDSA signature itself.

    ``rp_id``: the RP id (or ids) accepted in ``rpIdHash``; default the CACAO's domain
    (key-webauthn uses the page's hostname for both). ``expected_origins``: the client
    data origins accepted, exactly; default an https origin (http for loopback hosts)
    whose host is the CACAO's domain. Time options as :meth:`Cacao.verify`;
    ``check_time=False`` leaves the time window to the caller (the CACAO verifier registry:
    ``verify_jws`` and ``Verifier`` check it once, for every signature type).
    """
    if not isinstance(cacao, Cacao):
        cacao = Cacao.from_json(cacao)
    if cacao.signature_type != SIGNATURE_TYPE:
        raise WebAuthnFormatError(f"not a {SIGNATURE_TYPE} CACAO")
    if cacao.header_type != HEADER_TYPE:
        raise WebAuthnFormatError(f"a {SIGNATURE_TYPE} CACAO has header type {HEADER_TYPE}")
    challenge = challenge_for(cacao.payload.to_json())  # refuses statement / requestId
    if check_time:
        cacao.check_time(
            at_time=at_time,
            time_policy=time_policy,
            disable_expiration_check=disable_expiration_check,
        )
    public_key = _issuer_key(cacao.payload.iss)
    auth_data_raw, client_data_json = _aad(cacao)
    try:
        signature = crypto.p256_der_decode(b64url_decode(cacao.signature))
    except (EncodingError, MalformedError) as e:
        raise WebAuthnSignatureError(f"s.s is not a base64url strict DER signature: {e}") from e

    client_data = parse_client_data(client_data_json)
    if client_data["type"] != "webauthn.get":
        raise WebAuthnClientDataError("client data type is not webauthn.get")
    try:
        signed_challenge = b64url_decode(client_data["challenge"])
    except EncodingError as e:
        raise WebAuthnChallengeError("client data challenge is not base64url") from e
    if signed_challenge != challenge:
        raise WebAuthnChallengeError("the passkey signed another challenge than this CACAO")
    if client_data.get("crossOrigin") is True and not allow_cross_origin:
        raise WebAuthnClientDataError("the assertion was made in a cross-origin frame")
    check_origin(client_data["origin"], cacao.payload.domain, expected_origins)

    auth_data = parse_authenticator_data(auth_data_raw)
    rp_ids = (
        (cacao.payload.domain,)
        if rp_id is None
        else (rp_id,)
        if isinstance(rp_id, str)
        else tuple(rp_id)
    )
    if auth_data.rp_id_hash not in {crypto.sha256(r.encode("utf-8")) for r in rp_ids}:
        raise WebAuthnRelyingPartyError(
            f"authenticator data rpIdHash is not SHA-256 of {', '.join(r[:80] for r in rp_ids)}"
        )
    if not auth_data.user_present:
        raise WebAuthnFlagsError("the authenticator did not assert user presence (UP)")
    if require_user_verification and not auth_data.user_verified:
        raise WebAuthnFlagsError("the authenticator did not verify the user (UV)")
    if auth_data.flags & FLAG_BS and not auth_data.flags & FLAG_BE:
        raise WebAuthnFlagsError("backed-up flag (BS) set on a credential not backup eligible")
    return WebAuthnAssertion(
        public_key=public_key,
        message=_signed_message(auth_data_raw, client_data_json),
        signature=signature,
        authenticator_data=auth_data,
        client_data=client_data,
    )


def verify_webauthn_cacao(cacao: Cacao | Mapping[str, Any], **options: Any) -> WebAuthnAssertion:
    """Check a ``webauthn:p256`` CACAO completely (see :func:`check_webauthn_cacao` for the
    options), the signature with this process's P-256 back end (native or pure). Raises a
    :class:`~did_session.errors.WebAuthnError` subclass (or a CACAO time error)."""
    assertion = check_webauthn_cacao(cacao, **options)
    if not crypto.p256_verify(assertion.public_key, assertion.message, assertion.signature):
        raise WebAuthnSignatureError("the passkey signature does not verify for the issuer")
    return assertion


async def verify_webauthn_cacao_async(
    cacao: Cacao | Mapping[str, Any],
    *,
    verifier: SignatureVerifier | None = None,
    **options: Any,
) -> WebAuthnAssertion:
    """:func:`verify_webauthn_cacao` with the signature checked by ``verifier`` (default:
    the platform's; WebCrypto in a browser page)."""
    assertion = check_webauthn_cacao(cacao, **options)
    if verifier is None:
        from .platform import default_platform

        verifier = default_platform().verifier
    try:
        ok = await verifier.verify(
            "ES256", assertion.public_key, assertion.message, assertion.signature
        )
    except DIDSessionError:
        ok = False
    if not ok:
        raise WebAuthnSignatureError("the passkey signature does not verify for the issuer")
    return assertion


# ---- the CACAO verifier registry (``s.t = "webauthn:p256"``) ---------------------------------

_RP_OPTIONS: Final = frozenset(
    ("expected_origins", "rp_id", "require_user_verification", "allow_cross_origin")
)


def _rp_options(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(str(k)[:40] for k in options if k not in _RP_OPTIONS)
    if unknown:
        raise UsageError(
            f"unknown webauthn:p256 options {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_RP_OPTIONS))})"
        )
    return dict(options)


def _registry_verify(cacao: Cacao, options: Mapping[str, Any]) -> None:
    verify_webauthn_cacao(cacao, check_time=False, **_rp_options(options))


async def _registry_verify_async(
    cacao: Cacao, options: Mapping[str, Any], signature_verifier: SignatureVerifier
) -> None:
    await verify_webauthn_cacao_async(
        cacao, verifier=signature_verifier, check_time=False, **_rp_options(options)
    )


register_cacao_verifier(
    CacaoVerifier(
        signature_type=SIGNATURE_TYPE,
        verify=_registry_verify,
        verify_async=_registry_verify_async,
    )
)
