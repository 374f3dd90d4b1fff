"""CACAO (CAIP-74) object capabilities built from CAIP-122 (SIWX / SIWE) messages.

The JSON shape, key order and DAG-CBOR block are exactly those of @didtools/cacao 3.0.1
(what did-session 4.0.0 writes): for Ethereum ``s.s`` is a ``0x`` hex *string*, ``version``
a string.

Signatures are checked by the verifier registered for the CACAO's ``s.t`` (as @didtools
passes ``verifiers``, as PyJWT registers algorithms): ``eip191`` here, ``solana:ed25519``
in :mod:`did_session.solana`, ``webauthn:p256`` in :mod:`did_session.webauthn` (each loaded
on first use); :func:`register_cacao_verifier` adds another.
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

from ._time import DEFAULT_CLOCK_SKEW_SECS as DEFAULT_CLOCK_SKEW_SECS  # re-exported
from ._time import DEFAULT_TIME_POLICY, TimePolicy, parse_rfc3339
from .errors import (
    CacaoError,
    DIDSessionError,
    InvalidSignatureError,
    SiweError,
    TimeFormatError,
    UnsupportedSignatureTypeError,
    UsageError,
)
from .siwe import MAX_FIELD_LENGTH, MAX_RESOURCES, SiweMessage, SiwxMessage

if TYPE_CHECKING:
    from .accounts import AccountId
    from .interfaces import SignatureVerifier

HEADER_TYPES = ("eip4361", "caip122")
# @didtools/cacao also tries the pre-2022-09-20 SIWE layout (Chain ID after Request ID)
# for capabilities issued up to that day.
LEGACY_CHAIN_ID_CUTOFF = parse_rfc3339("2022-09-20T00:00:00.000Z")

# Limits against oversized input (MAX_RESOURCES, MAX_FIELD_LENGTH) are those of
# did_session.siwe, so that every message the library lets a wallet sign makes a CACAO
# that parses again.

_PKH_EIP155 = re.compile(r"did:pkh:eip155:([1-9][0-9]{0,31}):(0x[0-9a-fA-F]{40})\Z")
_PKH = re.compile(r"did:pkh:([-a-z0-9]{3,8}):([-_a-zA-Z0-9]{1,32}):([-.%a-zA-Z0-9]{1,128})\Z")
_SIG_HEX = re.compile(r"0x[0-9a-fA-F]*\Z")

# The payload keys in the order @didtools/cacao writes them (JSON.stringify keeps it).
_PAYLOAD_ORDER = (
    ("domain", True),
    ("iat", True),
    ("iss", True),
    ("aud", True),
    ("version", True),
    ("nonce", True),
    ("nbf", False),
    ("exp", False),
    ("statement", False),
    ("requestId", False),
    ("resources", False),
)


def _text(obj: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    # A present null is refused, not dropped: the CID must be that of the JSON as given.
    if key not in obj:
        if required:
            raise CacaoError(f"CACAO {where}.{key} is missing")
        return None
    value = obj[key]
    if not isinstance(value, str):
        raise CacaoError(f"CACAO {where}.{key} must be a string")
    if len(value) > MAX_FIELD_LENGTH:
        raise CacaoError(f"CACAO {where}.{key} is longer than {MAX_FIELD_LENGTH} characters")
    return value


def _ipld_copy(value: Any) -> Any:
    """A deep copy of IPLD data with every bytes-like value as ``bytes``: Pyodide brings a
    Uint8Array (a passkey's ``s.m.aad`` read back from IndexedDB) as a ``memoryview``,
    which neither deep-copies nor compares as bytes."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, dict):
        return {k: _ipld_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_ipld_copy(v) for v in value)
    return value


@dataclass(frozen=True)
class CacaoPayload:
    """``p`` of a CACAO. Field names are the JSON ones (CAIP-74 / JS)."""

    domain: str
    iat: str
    iss: str
    aud: str
    version: str
    nonce: str
    nbf: str | None = None
    exp: str | None = None
    statement: str | None = None
    request_id: str | None = None
    resources: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, _ in _PAYLOAD_ORDER:
            value = getattr(self, "request_id" if key == "requestId" else key)
            if value is not None:
                out[key] = list(value) if key == "resources" else value
        return out


@dataclass(frozen=True)
class Cacao:
    """A CAIP-74 capability: header type, payload and signature (``{"t", "s"}``)."""

    header_type: str
    payload: CacaoPayload
    signature_type: str
    signature: str
    _extra_signature_fields: tuple[tuple[str, Any], ...] = field(default=(), repr=False)

    def __hash__(self) -> int:
        # Extra signature fields may hold lists / dicts: hash the always-hashable part
        # (equal CACAOs still hash equal).
        return hash((self.header_type, self.payload, self.signature_type, self.signature))

    # ---- JSON ---------------------------------------------------------------------

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Cacao:
        """Parse the CACAO JSON object (as ``to_json`` / the JS library write it)."""
        if not isinstance(obj, Mapping):
            raise CacaoError("a CACAO must be a JSON object")
        h, p, s = obj.get("h"), obj.get("p"), obj.get("s")
        if not isinstance(h, Mapping) or not isinstance(p, Mapping):
            raise CacaoError("a CACAO needs objects h and p")
        if not isinstance(s, Mapping):
            raise CacaoError("a CACAO without a signature object s cannot be used")
        # Unknown keys would be dropped by to_json, so the CID would not be the JSON's.
        _no_unknown_keys(obj, ("h", "p", "s"), "")
        _no_unknown_keys(h, ("t",), "h.")
        header_type = _text(h, "t", "h", required=True)
        assert header_type is not None
        if header_type not in HEADER_TYPES:
            raise CacaoError(f"unsupported CACAO header type {header_type[:40]!r}")
        values: dict[str, Any] = {}
        for key, required in _PAYLOAD_ORDER:
            if key == "resources":
                continue
            values["request_id" if key == "requestId" else key] = _text(
                p, key, "p", required=required
            )
        if "resources" in p:
            resources = p["resources"]
            if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
                raise CacaoError("CACAO p.resources must be a list of strings")
            if len(resources) > MAX_RESOURCES:
                raise CacaoError(f"CACAO p.resources has more than {MAX_RESOURCES} entries")
            if any(len(r) > MAX_FIELD_LENGTH for r in resources):
                raise CacaoError("a CACAO resource is too long")
            values["resources"] = tuple(resources)
        _no_unknown_keys(p, tuple(k for k, _ in _PAYLOAD_ORDER), "p.")
        sig_type = _text(s, "t", "s", required=True)
        sig = _text(s, "s", "s", required=True)
        assert sig_type is not None and sig is not None
        extra = tuple((k, v) for k, v in s.items() if k not in ("t", "s"))
        if extra:  # e.g. CAIP-74 "m" metadata: kept (it is in the CID), checked, copied
            from .codecs import dag_cbor

            try:
                dag_cbor.encode(dict(extra))
            except DIDSessionError as e:
                raise CacaoError(f"CACAO s has a field that is not IPLD data: {e}") from e
            extra = _ipld_copy(extra)
        return cls(header_type, CacaoPayload(**values), sig_type, sig, extra)

    @classmethod
    def from_block(cls, block: bytes) -> Cacao:
        """Parse a CACAO's DAG-CBOR block (e.g. a DagJWS ``cacaoBlock``)."""
        from .codecs import dag_cbor

        try:
            value = dag_cbor.decode(block)
        except DIDSessionError as e:
            raise CacaoError(f"not a CACAO block: {e}") from e
        cacao = cls.from_json(value)
        if cacao.block != bytes(block):
            raise CacaoError("the block does not re-encode to itself")
        return cacao

    def to_json(self) -> dict[str, Any]:
        """The JSON object in the JS key order (``h``, ``p``, ``s``)."""
        s: dict[str, Any] = {"t": self.signature_type, "s": self.signature}
        if self._extra_signature_fields:
            s.update(copy.deepcopy(self._extra_signature_fields))
        return {"h": {"t": self.header_type}, "p": self.payload.to_json(), "s": s}

    # ---- SIWE ----------------------------------------------------------------------

    @classmethod
    def from_siwe_message(cls, message: SiweMessage, signature: str) -> Cacao:
        """The CACAO @didtools/cacao ``Cacao.fromSiweMessage`` builds for a signed message."""
        return cls.from_siwx_message(message, signature)

    @classmethod
    def from_siwx_message(cls, message: SiwxMessage, signature: str) -> Cacao:
        """The CACAO @didtools/cacao builds for a signed message of any chain
        (``fromSiweMessage``, ``fromSiwsMessage`` ...): header and signature type are the
        chain's, ``iss`` its did:pkh (an Ethereum address in lower case)."""
        from .accounts import AccountId
        from .errors import AccountIdError

        rules = message._rules()
        if rules.signature_type is None:
            raise CacaoError(f"no CACAO signature type for {rules.chain_name} messages")
        try:
            account = AccountId(message.chain_id, message.address, namespace=message.namespace)
        except AccountIdError as e:
            raise CacaoError(f"the message's account is not a CAIP-10 account: {e}") from e
        payload = CacaoPayload(
            domain=message.domain,
            iat=message.issued_at,
            iss=account.did_pkh,
            aud=message.uri,
            version=message.version,
            nonce=message.nonce,
            nbf=message.not_before,
            exp=message.expiration_time,
            statement=message.statement,
            request_id=message.request_id,
            resources=tuple(message.resources) if message.resources else None,
        )
        return cls(rules.header_type, payload, rules.signature_type, signature)

    @cached_property
    def _issuer(self) -> tuple[int | str, str]:
        m = _PKH_EIP155.match(self.payload.iss)
        if m is not None:
            return int(m.group(1)), m.group(2)
        m = _PKH.match(self.payload.iss)
        if m is None or m.group(1) == "eip155":
            raise CacaoError("CACAO p.iss is not a did:pkh")
        return m.group(2), m.group(3)

    @property
    def namespace(self) -> str:
        """The CAIP-2 namespace of the issuer's did:pkh (``eip155``, ``solana`` ...)."""
        self._issuer  # noqa: B018 - raises CacaoError for an iss that is no did:pkh
        return self.payload.iss.split(":")[2]

    @property
    def chain_id(self) -> Any:
        """The issuer's chain: an int for Ethereum, the CAIP-2 reference otherwise."""
        return self._issuer[0]

    @property
    def address(self) -> str:
        """The issuer's address as stored in ``iss`` (lower case for JS-made CACAOs)."""
        return self._issuer[1]

    @property
    def account(self) -> AccountId:
        """The issuer's account (CAIP-10); :class:`CacaoError` when ``iss`` is no did:pkh."""
        from .accounts import AccountId
        from .errors import AccountIdError

        self._issuer  # noqa: B018
        try:
            return AccountId.parse(self.payload.iss[8:])
        except AccountIdError as e:
            raise CacaoError(f"CACAO p.iss is not a valid did:pkh: {e}") from e

    def to_siwx_message(self) -> SiwxMessage:
        """The CAIP-122 message this CACAO was made from (any chain with message rules)."""
        if self.namespace == "eip155":
            return self.to_siwe_message()
        message: SiwxMessage = self._message(SiwxMessage, self.address, namespace=self.namespace)
        return message

    def to_siwe_message(self) -> SiweMessage:
        """The SIWE message this CACAO was made from (address EIP-55 checksummed)."""
        from .eth import to_checksum_address

        if not isinstance(self.chain_id, int):
            raise CacaoError("CACAO p.iss is not an eip155 did:pkh")
        message: SiweMessage = self._message(SiweMessage, to_checksum_address(self.address))
        return message

    def _message(self, kind: type[SiwxMessage], address: str, **extra: Any) -> Any:
        p = self.payload
        try:
            return kind(
                strict=False,  # render what was signed; the signature binds the text
                domain=p.domain,
                address=address,
                uri=p.aud,
                version=p.version,
                chain_id=self.chain_id,
                nonce=p.nonce,
                issued_at=p.iat,
                statement=p.statement or None,  # JS renders "" as no statement
                expiration_time=p.exp,
                not_before=p.nbf,
                request_id=p.request_id,
                resources=p.resources,
                **extra,
            )
        except SiweError as e:
            raise CacaoError(f"CACAO payload is not a valid sign-in message: {e}") from e

    # ---- identity ------------------------------------------------------------------

    @cached_property
    def block(self) -> bytes:
        """The DAG-CBOR block (what the CID hashes)."""
        from .codecs import dag_cbor

        return dag_cbor.encode(self.to_json())

    @cached_property
    def cid_obj(self) -> Any:
        from .codecs.cid import CID

        return CID.from_block(self.block)

    @property
    def cid(self) -> str:
        """The CIDv1 (dag-cbor, sha2-256) in base32: ``bafyrei...``."""
        return str(self.cid_obj)

    @property
    def resources(self) -> tuple[str, ...]:
        return self.payload.resources or ()

    # ---- verification -------------------------------------------------------------

    def expires_at(self) -> float | None:
        """``exp`` as Unix seconds (None when the CACAO does not expire)."""
        return _parse_time(self.payload.exp, "exp") if self.payload.exp is not None else None

    def time_window(self) -> tuple[float, float | None, float | None]:
        """``(iat, nbf, exp)`` as Unix seconds; :class:`CacaoError` for a malformed time."""
        p = self.payload
        nbf = _parse_time(p.nbf, "nbf") if p.nbf is not None else None
        return _parse_time(p.iat, "iat"), nbf, self.expires_at()

    def verify(
        self,
        *,
        at_time: float | None = None,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
        disable_expiration_check: bool = False,
        check_signature: bool = True,
    ) -> None:
        """Check the time window and the issuer's signature; raise on failure.

        ``at_time`` (Unix seconds) replaces the policy's clock. Unlike JS, a malformed
        time fails closed (:class:`CacaoError`); see :meth:`TimePolicy.check_window`.
        """
        self.check_time(
            at_time=at_time,
            time_policy=time_policy,
            disable_expiration_check=disable_expiration_check,
        )
        if check_signature:
            self.verify_signature()

    def check_time(
        self,
        *,
        at_time: float | None = None,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
        disable_expiration_check: bool = False,
    ) -> None:
        iat, nbf, exp = self.time_window()
        time_policy.check_window(
            iat, nbf, exp, at_time=at_time, disable_expiration_check=disable_expiration_check
        )

    def verify_signature(
        self, *, signature_options: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        """Check the issuer's signature with the verifier registered for ``s.t``
        (this process's crypto: native or pure); raise on failure.

        ``signature_options`` maps a signature type to its verifier's options (e.g.
        ``{"webauthn:p256": {"rp_id": "example.org"}}``). When the result depends only on
        the CACAO's bytes, a success is remembered (keyed by the block) and a second check
        of the same capability costs a dictionary look-up.
        """
        verifier, options, key = self._verifier(signature_options)
        if key is not None and key in _VERIFIED:
            return
        verifier.verify(self, options)
        if key is not None:
            _remember(key)

    async def verify_signature_async(
        self,
        *,
        signature_verifier: SignatureVerifier | None = None,
        signature_options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """:meth:`verify_signature` with Ed25519 / P-256 checks by ``signature_verifier``
        (default: the platform's; WebCrypto in a browser page)."""
        verifier, options, key = self._verifier(signature_options)
        if key is not None and key in _VERIFIED:
            return
        if verifier.verify_async is None:
            verifier.verify(self, options)
        else:
            if signature_verifier is None:
                from .platform import default_platform

                signature_verifier = default_platform().verifier
            await verifier.verify_async(self, options, signature_verifier)
        if key is not None:
            _remember(key)

    def _verifier(
        self, signature_options: Mapping[str, Mapping[str, Any]] | None
    ) -> tuple[CacaoVerifier, Mapping[str, Any], bytes | None]:
        verifier = cacao_verifier(self.signature_type)
        options = (signature_options or {}).get(self.signature_type) or {}
        if not isinstance(options, Mapping):
            raise UsageError(f"options for {self.signature_type[:40]!r} must be a mapping")
        cacheable = verifier.depends_only_on_block and not options
        return verifier, options, (self.block if cacheable else None)

    def _verify_eip191(self) -> None:
        """The issuer's EIP-191 signature over the SIWE text (every spelling JS accepts)."""
        from .eth import recover_personal_signer

        sig = self.signature
        if not _SIG_HEX.match(sig) or len(sig) != 132:
            raise InvalidSignatureError("CACAO signature is not 65 bytes of 0x hex")
        expected = self.address.lower()
        for text in self._candidate_texts():
            try:
                signer = recover_personal_signer(text, sig)
            except DIDSessionError:
                continue  # e.g. no point recovers for this hash: try the next text
            if signer.lower() == expected:
                return
        raise InvalidSignatureError("CACAO signature does not match its issuer")

    def _candidate_texts(self) -> Iterator[str]:
        """The texts the JS verifier accepts, the likeliest first, each rendered only when
        the previous one failed (one rendering for a valid CACAO).

        JS-made sessions sign the EIP-55 rendering, so try it before the stored address
        (JS tries lower case first and so recovers twice for its own sessions).
        """
        msg = self.to_siwe_message()
        lower = self.address.lower()
        Style = Literal["eip4361", "js", "js-legacy"]
        styles: list[Style] = ["js"] if msg.statement is not None else ["js", "eip4361"]
        combos: list[tuple[str, Style]] = [
            (address, style) for address in (msg.address, lower) for style in styles
        ]
        if _parse_time(self.payload.iat, "iat") <= LEGACY_CHAIN_ID_CUTOFF:
            combos += [(address, "js-legacy") for address in (msg.address, lower)]
        seen: set[str] = set()  # the same text in two styles: recover once
        for address, style in combos:
            text = msg.to_message(address=address, style=style)
            if text not in seen:
                seen.add(text)
                yield text


def _no_unknown_keys(obj: Mapping[Any, Any], known: tuple[str, ...], where: str) -> None:
    unknown = [k for k in obj if k not in known]
    if unknown:
        names = sorted(repr(k)[:40] for k in unknown)[:5]
        raise CacaoError(f"unknown CACAO fields {where}{', '.join(names)}")


def _parse_time(value: str | None, name: str) -> float:
    try:
        return parse_rfc3339(value)  # type: ignore[arg-type]
    except TimeFormatError as e:
        raise CacaoError(f"CACAO p.{name} is not a valid time") from e


_VERIFIED: OrderedDict[bytes, None] = OrderedDict()
_VERIFIED_MAX = 256


def _remember(block: bytes) -> None:
    _VERIFIED[block] = None
    _VERIFIED.move_to_end(block)
    while len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)


# ---- the verifier registry ------------------------------------------------------------------

SyncCheck = Callable[[Cacao, Mapping[str, Any]], None]
AsyncCheck = Callable[[Cacao, Mapping[str, Any], "SignatureVerifier"], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class CacaoVerifier:
    """The signature check of one CACAO signature type (``s.t``).

    - ``verify(cacao, options)``: raise (an :class:`InvalidSignatureError` or another
      :class:`DIDSessionError`) unless the issuer signed; synchronous, never suspends;
    - ``verify_async(cacao, options, signature_verifier)``: the same check with the
      platform's Ed25519 / P-256 verifier (WebCrypto in a page); None: ``verify`` is used;
    - ``depends_only_on_block``: a success may be remembered by the CACAO's bytes (true
      when no option changes the answer).

    Time checks are the caller's (:meth:`Cacao.verify`, ``verify_jws``, ``Verifier``).
    """

    signature_type: str
    verify: SyncCheck
    verify_async: AsyncCheck | None = None
    depends_only_on_block: bool = True


_VERIFIERS: dict[str, CacaoVerifier] = {}
# Verifiers shipped with the library, each in the module of its chain (loaded on first use).
_BUILT_IN_VERIFIERS = {"solana:ed25519": ".solana", "webauthn:p256": ".webauthn"}


def register_cacao_verifier(verifier: CacaoVerifier, *, replace: bool = False) -> None:
    """Accept CACAOs of ``verifier.signature_type`` everywhere (``Cacao.verify``,
    ``verify_jws``, ``DIDSession.from_session``, ``Verifier``). A type that has a
    verifier is only replaced with ``replace=True``."""
    if not isinstance(verifier, CacaoVerifier) or not isinstance(verifier.signature_type, str):
        raise UsageError("register_cacao_verifier takes a CacaoVerifier")
    if not callable(verifier.verify):
        raise UsageError("a CacaoVerifier needs a verify function")
    if verifier.signature_type in _BUILT_IN_VERIFIERS and not replace:
        # The built-in one first (a no-op while that module registers it on import).
        import_module(_BUILT_IN_VERIFIERS[verifier.signature_type], __package__)
    current = _VERIFIERS.get(verifier.signature_type)
    if current is not None and current is not verifier and not replace:
        raise UsageError(f"{verifier.signature_type[:40]!r} has a verifier already")
    _VERIFIERS[verifier.signature_type] = verifier
    _VERIFIED.clear()  # successes of a replaced verifier no longer hold


def unregister_cacao_verifier(signature_type: str) -> None:
    """Refuse CACAOs of ``signature_type`` again (a built-in one loads again on next use)."""
    _VERIFIERS.pop(signature_type, None)
    _VERIFIED.clear()


def cacao_verifier(signature_type: str) -> CacaoVerifier:
    """The verifier of ``signature_type``; :class:`UnsupportedSignatureTypeError` if none."""
    verifier = _VERIFIERS.get(signature_type)
    if verifier is None and signature_type in _BUILT_IN_VERIFIERS:
        import_module(_BUILT_IN_VERIFIERS[signature_type], __package__)
        verifier = _VERIFIERS.get(signature_type)
    if verifier is None:
        raise UnsupportedSignatureTypeError(
            f"unsupported CACAO signature type {signature_type[:40]!r}"
        )
    return verifier


def _eip191(cacao: Cacao, options: Mapping[str, Any]) -> None:
    cacao._verify_eip191()


register_cacao_verifier(CacaoVerifier(signature_type="eip191", verify=_eip191))


def as_cacao(value: Cacao | Mapping[str, Any]) -> Cacao:
    """Accept a :class:`Cacao` or its JSON object."""
    return value if isinstance(value, Cacao) else Cacao.from_json(value)


def resources_covered(granted: Sequence[str], wanted: Sequence[str]) -> bool:
    """Exact string match, as the JS library does (``ceramic://*`` is not a pattern)."""
    have = set(granted)
    return all(r in have for r in wanted)


def model_access_granted(granted: Sequence[str], model: str) -> bool:
    """Ceramic's rule (rust-ceramic ``verify_access``): whether a capability with these
    resources may write to the model stream ``model``: ``ceramic://*`` covers every
    model, ``ceramic://*?model=<model>`` that one. Nothing else does (not a prefix, not
    a pattern)."""
    return "ceramic://*" in granted or f"ceramic://*?model={model}" in granted
