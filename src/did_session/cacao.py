"""CACAO (CAIP-74) object capabilities built from Sign-In-with-Ethereum messages.

The JSON shape, key order and DAG-CBOR block are exactly those of @didtools/cacao 3.0.1
(what did-session 4.0.0 writes): ``s.s`` is a ``0x`` hex *string*, ``version`` a string.
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from ._time import DEFAULT_CLOCK_SKEW_SECS as DEFAULT_CLOCK_SKEW_SECS  # re-exported
from ._time import DEFAULT_TIME_POLICY, TimePolicy, parse_rfc3339
from .errors import (
    CacaoError,
    DIDSessionError,
    InvalidSignatureError,
    SiweError,
    TimeFormatError,
    UnsupportedSignatureTypeError,
)
from .siwe import MAX_FIELD_LENGTH, MAX_RESOURCES, SiweMessage

HEADER_TYPES = ("eip4361", "caip122")
# @didtools/cacao also tries the pre-2022-09-20 SIWE layout (Chain ID after Request ID)
# for capabilities issued up to that day.
LEGACY_CHAIN_ID_CUTOFF = parse_rfc3339("2022-09-20T00:00:00.000Z")

# Limits against oversized input (MAX_RESOURCES, MAX_FIELD_LENGTH) are those of
# did_session.siwe, so that every message the library lets a wallet sign makes a CACAO
# that parses again.

_PKH_EIP155 = re.compile(r"did:pkh:eip155:([1-9][0-9]{0,31}):(0x[0-9a-fA-F]{40})\Z")
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
            extra = copy.deepcopy(extra)
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
        payload = CacaoPayload(
            domain=message.domain,
            iat=message.issued_at,
            iss=f"did:pkh:eip155:{message.chain_id}:{message.address.lower()}",
            aud=message.uri,
            version=message.version,
            nonce=message.nonce,
            nbf=message.not_before,
            exp=message.expiration_time,
            statement=message.statement,
            request_id=message.request_id,
            resources=tuple(message.resources) if message.resources else None,
        )
        return cls("eip4361", payload, "eip191", signature)

    @cached_property
    def _issuer(self) -> tuple[int, str]:
        m = _PKH_EIP155.match(self.payload.iss)
        if m is None:
            raise CacaoError("CACAO p.iss is not an eip155 did:pkh")
        return int(m.group(1)), m.group(2)

    @property
    def chain_id(self) -> int:
        return self._issuer[0]

    @property
    def address(self) -> str:
        """The issuer's address as stored in ``iss`` (lower case for JS-made CACAOs)."""
        return self._issuer[1]

    def to_siwe_message(self) -> SiweMessage:
        """The SIWE message this CACAO was made from (address EIP-55 checksummed)."""
        from .eth import to_checksum_address

        p = self.payload
        try:
            return SiweMessage(
                strict=False,  # render what was signed; the signature binds the text
                domain=p.domain,
                address=to_checksum_address(self.address),
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
            )
        except SiweError as e:
            raise CacaoError(f"CACAO payload is not a valid SIWE message: {e}") from e

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
        """Check the time window and the EIP-191 signature; raise on failure.

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

    def verify_signature(self) -> None:
        """Check the issuer's EIP-191 signature over the SIWE text; raise on failure.

        The result depends only on the CACAO's bytes, so a success is remembered (keyed by
        the block) and a second check of the same capability costs a dictionary look-up.
        """
        if self.signature_type != "eip191":
            raise UnsupportedSignatureTypeError(
                f"unsupported CACAO signature type {self.signature_type[:40]!r}"
            )
        block = self.block
        if block in _VERIFIED:
            return
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
                _remember(block)
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


def as_cacao(value: Cacao | Mapping[str, Any]) -> Cacao:
    """Accept a :class:`Cacao` or its JSON object."""
    return value if isinstance(value, Cacao) else Cacao.from_json(value)


def resources_covered(granted: Sequence[str], wanted: Sequence[str]) -> bool:
    """Exact string match, as the JS library does (``ceramic://*`` is not a pattern)."""
    have = set(granted)
    return all(r in have for r in wanted)
