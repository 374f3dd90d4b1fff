"""CAIP-122 sign-in messages (SIWX; EIP-4361 SIWE for Ethereum): strict validation,
parsing and rendering.

:class:`SiwxMessage` is the one message model of every chain: the header names the chain
("... wants you to sign in with your Solana account:") and the chain's
:class:`~did_session.accounts.ChainRules` decide what an address and a chain reference
are (EIP-55 hex for Ethereum, a base58 Ed25519 public key for Solana).
:class:`SiweMessage` is the Ethereum message (chain id an int). The constructor enforces
the EIP-4361 ABNF (RFC 3986 authority / URIs, the chain's address form, RFC 3339 times,
...) so that an instance always renders to text that parses back to the same instance.
Every failure raises :class:`~did_session.errors.SiweError` naming the field, quoting at
most 60 characters.

Three renderings exist because signatures are over exact bytes:

* ``"eip4361"``: the spec (and spruceid/siwe) layout;
* ``"js"``: @didtools/cacao ``asString``: with no statement one blank line before ``URI:``
  instead of two; an empty ``Resources`` list or ``Request ID`` is left out;
* ``"js-legacy"``: @didtools/cacao ``asLegacyChainIdString`` (CACAOs issued up to
  2022-09-20): as ``"js"`` but ``Chain ID`` comes after ``Request ID`` and an empty
  resources list still prints ``Resources:``.

Parsing is line based and every pattern is linear-time (no nested ambiguous repeats), so
hostile input of any size costs one pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal

from ._time import parse_rfc3339
from .accounts import ChainRules, chain_by_name, chain_rules
from .errors import DIDSessionError, MalformedError, SiweError, UsageError

__all__ = [
    "HEADER_SUFFIX",
    "SiwxMessage",
    "MAX_FIELD_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "MAX_RESOURCES",
    "SiweMessage",
    "SiweStyle",
    "is_domain",
    "is_uri",
]

SiweStyle = Literal["eip4361", "js", "js-legacy"]
_STYLES: Final = ("eip4361", "js", "js-legacy")

HEADER_SUFFIX: Final = " wants you to sign in with your Ethereum account:"
_HEADER_INFIX: Final = " wants you to sign in with your "
_HEADER_END: Final = " account:"

# Limits against oversized input, generous for real messages (a few hundred bytes to a
# few KB). The CACAO parser applies the same field and resource limits, and a message of
# MAX_MESSAGE_LENGTH still serializes as a session well within its 1 MiB limit, so
# whatever a wallet is asked to sign makes a CACAO and a session that load again.
MAX_FIELD_LENGTH: Final = 8192
"""Longest value of any one field (or resource), in characters."""
MAX_RESOURCES: Final = 1024
"""Most resources in one message."""
MAX_MESSAGE_LENGTH: Final = 256 * 1024
"""Longest message text (the EIP-4361 rendering), in characters."""

# --- RFC 3986 building blocks (ASCII only: Python's \d and \w would match Unicode) -----

_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR_SET = _UNRESERVED + _SUB_DELIMS + ":@"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
_REG_NAME = re.compile(f"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*")
_USERINFO = re.compile(f"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*")
_PORT = re.compile(r"[0-9]*")
_PATH = re.compile(f"(?:[{_PCHAR_SET}/]|{_PCT})*")  # any hier-part path once "//" is handled
_QUERY = re.compile(f"(?:[{_PCHAR_SET}/?]|{_PCT})*")  # query and fragment
_IPV_FUTURE = re.compile(f"[vV][0-9A-Fa-f]+\\.[{_UNRESERVED}{_SUB_DELIMS}:]+")


@cache  # compiled on first use: an IP-literal host is rare, the compile is ~10 ms in Pyodide
def _ipv6_pattern() -> re.Pattern[str]:
    h16 = "[0-9A-Fa-f]{1,4}"
    octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ls32 = f"(?:{h16}:{h16}|{octet}(?:\\.{octet}){{3}})"
    alternatives = [
        f"(?:{h16}:){{6}}{ls32}",
        f"::(?:{h16}:){{5}}{ls32}",
        f"(?:{h16})?::(?:{h16}:){{4}}{ls32}",
        f"(?:(?:{h16}:){{0,1}}{h16})?::(?:{h16}:){{3}}{ls32}",
        f"(?:(?:{h16}:){{0,2}}{h16})?::(?:{h16}:){{2}}{ls32}",
        f"(?:(?:{h16}:){{0,3}}{h16})?::{h16}:{ls32}",
        f"(?:(?:{h16}:){{0,4}}{h16})?::{ls32}",
        f"(?:(?:{h16}:){{0,5}}{h16})?::{h16}",
        f"(?:(?:{h16}:){{0,6}}{h16})?::",
    ]
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_IPV6_MAX_LEN = 45  # "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"

# --- EIP-4361 fields ---------------------------------------------------------------------

_ADDRESS = re.compile(r"0x[0-9A-Fa-f]{40}")
_NONCE = re.compile(r"[A-Za-z0-9]{8,}")
# statement = *( reserved / unreserved / " " ); reserved = gen-delims / sub-delims.
_STATEMENT = re.compile(f"[{_UNRESERVED}:/?#\\[\\]@{_SUB_DELIMS} ]+")
_REQUEST_ID = re.compile(f"(?:[{_PCHAR_SET}]|{_PCT})*")
# ABNF chain-id is 1*DIGIT; refuse leading zeros (the text would not round-trip) and more
# than 32 digits (a CAIP-2 reference, hence a did:pkh, holds at most 32 characters).
_CHAIN_ID_TEXT = re.compile(r"[1-9][0-9]{0,31}")
_CHAIN_ID_MAX = 10**32 - 1
_CHAIN_REFERENCE = re.compile(r"[-_a-zA-Z0-9]{1,32}")

_SHOW = 60


def _show(value: str) -> str:
    """A short, safe quotation of untrusted input for error messages."""
    if len(value) <= _SHOW:
        return repr(value)
    return repr(value[:_SHOW]) + f"... ({len(value)} chars)"


def _is_ip_literal(inner: str) -> bool:
    if len(inner) <= _IPV6_MAX_LEN and _ipv6_pattern().fullmatch(inner):
        return True
    return _IPV_FUTURE.fullmatch(inner) is not None


def _is_authority(value: str, *, require_host: bool) -> bool:
    """RFC 3986 ``authority = [ userinfo "@" ] host [ ":" port ]``, split by hand.

    userinfo has no "@", a reg-name no ":" and an IP literal sits in brackets, so the first
    "@" and the ":" after the host are unambiguous: no backtracking is needed.
    """
    userinfo, at, hostport = value.partition("@")
    if not at:
        hostport = userinfo
    elif not _USERINFO.fullmatch(userinfo):
        return False
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0 or not _is_ip_literal(hostport[1:close]):
            return False
        rest = hostport[close + 1 :]
        return not rest or (rest[0] == ":" and _PORT.fullmatch(rest, 1) is not None)
    host, _, port = hostport.partition(":")
    if require_host and not host:
        return False
    return _REG_NAME.fullmatch(host) is not None and _PORT.fullmatch(port) is not None


def is_uri(value: str) -> bool:
    """True if ``value`` is an RFC 3986 ``URI`` (absolute, optional query and fragment)."""
    scheme, colon, rest = value.partition(":")  # a scheme has no ":"
    if not colon or not _SCHEME.fullmatch(scheme):
        return False
    rest, hash_, fragment = rest.partition("#")  # neither hier-part nor query has "#"
    if hash_ and not _QUERY.fullmatch(fragment):
        return False
    hier, question, query = rest.partition("?")  # hier-part has no "?"
    if question and not _QUERY.fullmatch(query):
        return False
    if hier.startswith("//"):
        authority, slash, path = hier[2:].partition("/")  # authority has no "/"
        if not _is_authority(authority, require_host=False):
            return False
        hier = slash + path  # path-abempty
    return _PATH.fullmatch(hier) is not None


def is_domain(value: str) -> bool:
    """True if ``value`` is an RFC 3986 authority with a non-empty host (EIP-4361 domain)."""
    return _is_authority(value, require_host=True)


# --- field checks --------------------------------------------------------------------------


def _check_text(field: str, value: object) -> str:
    """Type, line-break and ASCII checks shared by every string field."""
    if not isinstance(value, str):
        raise SiweError(f"{field} must be a string, not {type(value).__name__}")
    if "\n" in value or "\r" in value:
        # A line break would let one field forge the following lines of the message.
        raise SiweError(f"{field} must not contain a line break (CR or LF): {_show(value)}")
    if not value.isascii():
        raise SiweError(f"{field} must be ASCII (EIP-4361 messages are ASCII): {_show(value)}")
    if len(value) > MAX_FIELD_LENGTH:
        raise SiweError(f"{field} is longer than {MAX_FIELD_LENGTH} characters")
    return value


def _check_resources_count(resources: Sequence[Any]) -> None:
    if len(resources) > MAX_RESOURCES:
        raise SiweError(f"resources has more than {MAX_RESOURCES} entries")


def _check_time(field: str, value: object) -> None:
    text = _check_text(field, value)
    try:
        parse_rfc3339(text)
    except MalformedError as e:
        raise SiweError(f"{field} is not an RFC 3339 date-time: {_show(text)}") from e


def _check_address(field: str, value: object) -> str:
    text = _check_text(field, value)
    if not _ADDRESS.fullmatch(text):
        raise SiweError(f"{field} must be 0x followed by 40 hex digits: {_show(text)}")
    return text


def _is_eip55(address: str) -> bool:
    from .eth import to_checksum_address  # lazy: keeps keccak off the import path

    return to_checksum_address(address) == address


def _chain_id_from_text(field: str, value: str) -> int:
    if not _CHAIN_ID_TEXT.fullmatch(value):
        raise SiweError(
            f"{field} must be a positive decimal integer without leading zeros "
            f"(at most 32 digits): {_show(value)}"
        )
    return int(value)


# --- the message ---------------------------------------------------------------------------

# (camelCase key of the JS / spruceid objects, attribute name, required)
_FIELDS: Final = (
    ("domain", "domain", True),
    ("address", "address", True),
    ("statement", "statement", False),
    ("uri", "uri", True),
    ("version", "version", True),
    ("chainId", "chain_id", True),
    ("nonce", "nonce", True),
    ("issuedAt", "issued_at", True),
    ("expirationTime", "expiration_time", False),
    ("notBefore", "not_before", False),
    ("requestId", "request_id", False),
    ("resources", "resources", False),
    ("scheme", "scheme", False),
)
_KNOWN_KEYS: Final = frozenset(key for key, _, _ in _FIELDS)

# Line prefixes in EIP-4361 order: mandatory then optional.
_MANDATORY_LINES: Final = (
    ("URI: ", "uri"),
    ("Version: ", "version"),
    ("Chain ID: ", "chain_id"),
    ("Nonce: ", "nonce"),
    ("Issued At: ", "issued_at"),
)
_OPTIONAL_LINES: Final = (
    ("Expiration Time: ", "expiration_time"),
    ("Not Before: ", "not_before"),
    ("Request ID: ", "request_id"),
)
_RESOURCES_LINE: Final = "Resources:"
_KNOWN_PREFIXES: Final = (*(p for p, _ in _MANDATORY_LINES + _OPTIONAL_LINES), _RESOURCES_LINE)


# init=False: the hand-written __init__ takes any sequence of resources (a JSON list)
# while the attribute is always a tuple, so instances stay hashable and immutable.
@dataclass(frozen=True, kw_only=True, init=False)
class SiwxMessage:
    """A CAIP-122 message of the chain ``namespace`` (default ``eip155``); construction
    validates every field (raises :class:`SiweError`).

    ``address`` must be in the chain's message form (EIP-55 checksummed for Ethereum, the
    base58 public key for Solana); render another spelling of the same Ethereum address
    with ``to_message(address=...)``. ``chain_id`` is an int for Ethereum, the CAIP-2
    reference (text) otherwise. ``resources`` may be given as a list; it is stored as a
    tuple. ``()`` (an empty ``Resources:`` section) differs from ``None`` (no section).
    """

    domain: str
    address: str
    uri: str
    version: str
    chain_id: Any  # int for eip155, the CAIP-2 reference (str) for other chains
    nonce: str
    issued_at: str
    statement: str | None = None
    expiration_time: str | None = None
    not_before: str | None = None
    request_id: str | None = None
    resources: tuple[str, ...] | None = None
    scheme: str | None = None
    namespace: str = "eip155"

    def __init__(
        self,
        *,
        domain: str,
        address: str,
        uri: str,
        version: str,
        chain_id: int | str,
        nonce: str,
        issued_at: str,
        statement: str | None = None,
        expiration_time: str | None = None,
        not_before: str | None = None,
        request_id: str | None = None,
        resources: Sequence[str] | None = None,
        scheme: str | None = None,
        namespace: str = "eip155",
        strict: bool = True,
    ) -> None:
        """``strict=False`` is for re-rendering a message that was already signed (a
        CACAO under verification): it keeps the checks that make the text unambiguous
        (types, no line breaks, ASCII, valid times, a hex address of any case) and skips
        the RFC 3986 / ABNF grammar that the JS library does not enforce when signing."""
        set_ = object.__setattr__  # the dataclass is frozen
        set_(self, "domain", domain)
        set_(self, "address", address)
        set_(self, "uri", uri)
        set_(self, "version", version)
        set_(self, "chain_id", chain_id)
        set_(self, "nonce", nonce)
        set_(self, "issued_at", issued_at)
        set_(self, "statement", statement)
        set_(self, "expiration_time", expiration_time)
        set_(self, "not_before", not_before)
        set_(self, "request_id", request_id)
        set_(self, "resources", resources)
        set_(self, "scheme", scheme)
        set_(self, "namespace", namespace)
        self._rules()  # an unknown chain fails first
        if strict:
            self._validate()
        else:
            self._validate_relaxed()

    def _rules(self) -> ChainRules:
        rules = chain_rules(self.namespace) if isinstance(self.namespace, str) else None
        if rules is None or rules.chain_name is None:
            raise SiweError(f"no sign-in message rules for the chain {_show(str(self.namespace))}")
        return rules

    @property
    def is_ethereum(self) -> bool:
        return self.namespace == "eip155"

    def _check_chain_address(self, *, strict: bool) -> None:
        """Another chain's address: what its rules accept, in its message form if strict."""
        rules = self._rules()
        text = _check_text("address", self.address)
        try:
            stored = rules.normalize_address(text)
            shown = rules.message_address(stored)
        except DIDSessionError as e:
            raise SiweError(f"address is not a {rules.chain_name} address: {_show(text)}") from e
        if strict and shown != text:
            raise SiweError(f"address is not in its {rules.chain_name} form: {_show(text)}")

    def _check_reference(self) -> None:
        rules = self._rules()
        reference = self.chain_id
        if not isinstance(reference, str):
            raise SiweError(f"a {rules.chain_name} chain id is its CAIP-2 reference (a str)")
        _check_text("chain_id", reference)
        try:
            rules.check_reference(reference)
        except DIDSessionError as e:
            raise SiweError(
                f"chain_id is not a {rules.chain_name} reference: {_show(reference)}"
            ) from e
        if not _CHAIN_REFERENCE.fullmatch(reference):
            raise SiweError(f"chain_id is not a CAIP-2 reference: {_show(reference)}")

    def _validate_relaxed(self) -> None:
        for name in ("domain", "uri", "version", "nonce"):
            _check_text(name, getattr(self, name))
        if self.is_ethereum:
            _check_address("address", self.address)
            chain_id = self.chain_id
            if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id < 1:
                raise SiweError("chain_id must be a positive int")
        else:
            self._check_chain_address(strict=False)
            self._check_reference()
        _check_time("issued_at", self.issued_at)
        for name in ("expiration_time", "not_before"):
            if getattr(self, name) is not None:
                _check_time(name, getattr(self, name))
        for name in ("statement", "request_id", "scheme"):
            if getattr(self, name) is not None:
                _check_text(name, getattr(self, name))
        if self.resources is not None:
            if not isinstance(self.resources, list | tuple):
                raise SiweError("resources must be a list or tuple")
            _check_resources_count(self.resources)
            for index, resource in enumerate(self.resources):
                _check_text(f"resources[{index}]", resource)
            object.__setattr__(self, "resources", tuple(self.resources))
        self._check_length()

    def _check_length(self) -> None:
        # The eip4361 rendering is the longest of the three styles.
        if len(self.to_message()) > MAX_MESSAGE_LENGTH:
            raise SiweError(f"the message is longer than {MAX_MESSAGE_LENGTH} characters")

    def _validate(self) -> None:
        domain = _check_text("domain", self.domain)
        if not domain:
            raise SiweError("domain must not be empty")
        if not is_domain(domain):
            raise SiweError(f"domain is not an RFC 3986 authority: {_show(domain)}")

        if self.is_ethereum:
            address = _check_address("address", self.address)
            if not _is_eip55(address):
                raise SiweError(f"address is not EIP-55 checksummed: {_show(address)}")
        else:
            self._check_chain_address(strict=True)

        uri = _check_text("uri", self.uri)
        if not is_uri(uri):
            raise SiweError(f"uri is not an RFC 3986 URI: {_show(uri)}")

        version = _check_text("version", self.version)
        if version != "1":
            raise SiweError(f"version must be '1': {_show(version)}")

        chain_id = self.chain_id
        if not self.is_ethereum:
            self._check_reference()
        elif isinstance(chain_id, bool) or not isinstance(chain_id, int):
            raise SiweError(f"chain_id must be an int, not {type(chain_id).__name__}")
        elif not 1 <= chain_id <= _CHAIN_ID_MAX:
            raise SiweError("chain_id must be a positive integer of at most 32 digits")
        else:
            object.__setattr__(self, "chain_id", int(chain_id))  # plain int (not an IntEnum)

        nonce = _check_text("nonce", self.nonce)
        if not _NONCE.fullmatch(nonce):
            raise SiweError(f"nonce must be at least 8 ASCII letters or digits: {_show(nonce)}")

        _check_time("issued_at", self.issued_at)
        if self.expiration_time is not None:
            _check_time("expiration_time", self.expiration_time)
        if self.not_before is not None:
            _check_time("not_before", self.not_before)

        if self.statement is not None:
            statement = _check_text("statement", self.statement)
            # An empty statement would render like "no statement" in every known
            # implementation: refuse it rather than keep two spellings of one text.
            if not statement:
                raise SiweError("statement must not be empty (use None for no statement)")
            if not _STATEMENT.fullmatch(statement):
                raise SiweError(
                    "statement may only contain RFC 3986 reserved / unreserved characters "
                    f"and spaces: {_show(statement)}"
                )

        if self.request_id is not None:
            request_id = _check_text("request_id", self.request_id)
            if not _REQUEST_ID.fullmatch(request_id):
                raise SiweError(f"request_id is not RFC 3986 *pchar: {_show(request_id)}")

        if self.resources is not None:
            resources: Any = self.resources
            if not isinstance(resources, list | tuple):
                raise SiweError(
                    f"resources must be a list or tuple of URIs, not {type(resources).__name__}"
                )
            _check_resources_count(resources)
            for index, resource in enumerate(resources):
                field = f"resources[{index}]"
                if not is_uri(_check_text(field, resource)):
                    raise SiweError(f"{field} is not an RFC 3986 URI: {_show(resource)}")
            object.__setattr__(self, "resources", tuple(resources))

        if self.scheme is not None:
            scheme = _check_text("scheme", self.scheme)
            if not _SCHEME.fullmatch(scheme):
                raise SiweError(f"scheme is not an RFC 3986 scheme: {_show(scheme)}")
        self._check_length()

    # ---- rendering ---------------------------------------------------------------------

    def to_message(self, *, address: str | None = None, style: SiweStyle = "eip4361") -> str:
        """The exact text to sign (lines joined by LF, no trailing newline).

        ``address`` renders another spelling of ``self.address`` (e.g. the lower-case one a
        did:pkh stores); it must be 0x + 40 hex digits equal to it ignoring case.
        """
        if style not in _STYLES:
            raise SiweError(f"unknown SIWE rendering style {str(style)[:20]!r}")
        if address is None:
            address = self.address
        elif self.is_ethereum:
            _check_address("address override", address)
            if address.lower() != self.address.lower():
                raise SiweError("address override is not the message's address")
        elif address != self.address:
            raise SiweError("address override is not the message's address")
        js = style != "eip4361"

        origin = f"{self.scheme}://{self.domain}" if self.scheme is not None else self.domain
        header = f"{origin}{_HEADER_INFIX}{self._rules().chain_name}{_HEADER_END}"
        lines = [header, address, ""]
        if self.statement is not None:
            lines += [self.statement, ""]
        elif not js:
            lines.append("")  # ABNF: LF LF [ statement LF ] LF -> two blank lines

        chain = f"Chain ID: {self.chain_id}"
        lines += [f"URI: {self.uri}", f"Version: {self.version}"]
        if style != "js-legacy":
            lines.append(chain)
        lines += [f"Nonce: {self.nonce}", f"Issued At: {self.issued_at}"]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {self.expiration_time}")
        if self.not_before is not None:
            lines.append(f"Not Before: {self.not_before}")
        # JS tests truthiness: an empty Request ID is left out there.
        if self.request_id is not None and (self.request_id or not js):
            lines.append(f"Request ID: {self.request_id}")
        if style == "js-legacy":
            lines.append(chain)
        # asString prints resources only when there is at least one; the legacy layout and
        # spruceid print "Resources:" for an empty list too.
        if self.resources is not None and (self.resources or style != "js"):
            lines.append(_RESOURCES_LINE)
            lines += [f"- {resource}" for resource in self.resources]
        return "\n".join(lines)

    def signer(
        self, signature: str, *, style: SiweStyle = "eip4361", address: str | None = None
    ) -> str:
        """The EIP-55 address whose EIP-191 ``personal_sign`` over the rendering is
        ``signature`` (raises :class:`~did_session.errors.InvalidSignatureError`)."""
        from .eth import recover_personal_signer

        if not self.is_ethereum:
            raise UsageError("signer() recovers Ethereum (EIP-191) signatures only")
        return recover_personal_signer(self.to_message(address=address, style=style), signature)

    # ---- parsing -------------------------------------------------------------------------

    @classmethod
    def _chain_of_header(cls, header: str) -> tuple[str, str]:
        """(origin, namespace) of any registered chain's header line."""
        if header.endswith(_HEADER_END) and _HEADER_INFIX in header:
            origin, _, name = header[: -len(_HEADER_END)].rpartition(_HEADER_INFIX)
            rules = chain_by_name(name)
            if rules is not None:
                return origin, rules.namespace
        raise SiweError(
            "line 1 must be '<domain> wants you to sign in with your <chain> account:' "
            "naming a known chain: " + _show(header)
        )

    @classmethod
    def from_message(cls, text: str) -> Any:
        """Parse CAIP-122 text strictly (exact layout, order and field grammar)."""
        if not isinstance(text, str):
            raise SiweError(f"a SIWE message must be a str, not {type(text).__name__}")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise SiweError(f"message is longer than {MAX_MESSAGE_LENGTH} characters")
        if not text.isascii():
            offset = next(i for i, c in enumerate(text) if ord(c) > 0x7F)
            raise SiweError(f"message has a non-ASCII character at offset {offset}")
        if "\r" in text:
            raise SiweError(
                f"message has a CR at offset {text.index(chr(13))}: lines end with LF only"
            )
        lines = text.split("\n")
        count = len(lines)

        def line(index: int, what: str) -> str:
            if index >= count:
                raise SiweError(f"message ends before {what} (line {index + 1})")
            return lines[index]

        def blank(index: int, why: str) -> None:
            if line(index, "a blank line") != "":
                raise SiweError(f"line {index + 1} must be blank {why}: {_show(lines[index])}")

        origin, namespace = cls._chain_of_header(lines[0])
        scheme: str | None = None
        if "://" in origin:  # an authority has no "/", so this is the optional scheme
            scheme, _, origin = origin.partition("://")
        values: dict[str, Any] = {"domain": origin, "scheme": scheme, "namespace": namespace}
        values["address"] = line(1, "the address")
        blank(2, "after the address")
        index = 3
        if line(index, "the URI") == "":
            index += 1
        else:
            values["statement"] = lines[index]
            blank(index + 1, "after the statement")
            index += 2

        for prefix, name in _MANDATORY_LINES:
            current = line(index, f"'{prefix.strip()}'")
            if not current.startswith(prefix):
                raise SiweError(f"line {index + 1} must start with '{prefix}': {_show(current)}")
            values[name] = current[len(prefix) :]
            index += 1
        for prefix, name in _OPTIONAL_LINES:
            if index < count and lines[index].startswith(prefix):
                values[name] = lines[index][len(prefix) :]
                index += 1
        if index < count and lines[index] == _RESOURCES_LINE:
            index += 1
            resources: list[str] = []
            while index < count:
                current = lines[index]
                if not current.startswith("- "):
                    raise SiweError(
                        f"line {index + 1} must be a '- <uri>' resource: {_show(current)}"
                    )
                resources.append(current[2:])
                index += 1
            values["resources"] = resources
        if index < count:
            extra = lines[index]
            if extra == "" and index == count - 1:
                raise SiweError("message ends with a newline")
            if extra.startswith(_KNOWN_PREFIXES):
                raise SiweError(f"line {index + 1}: field out of order or repeated: {_show(extra)}")
            raise SiweError(f"line {index + 1} is unexpected: {_show(extra)}")

        if namespace == "eip155":
            values["chain_id"] = _chain_id_from_text("Chain ID", values["chain_id"])
        return cls(**values)

    # ---- JS-style objects ----------------------------------------------------------------

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], *, namespace: str = "eip155") -> Any:
        """Build from a JS / spruceid style object (camelCase keys: ``chainId``,
        ``issuedAt``, ``expirationTime``, ``notBefore``, ``requestId``).

        ``None`` means absent; ``chainId`` may also be a decimal string (JS keeps it so).
        Unknown keys are refused so that a typo cannot silently drop a field.
        """
        if not isinstance(fields, Mapping):
            raise SiweError(f"SIWE fields must be a mapping, not {type(fields).__name__}")
        for key in fields:
            if key not in _KNOWN_KEYS:
                raise SiweError(f"unknown SIWE field {_show(str(key))}")
        values: dict[str, Any] = {}
        for key, name, required in _FIELDS:
            value = fields.get(key)
            if value is None:
                if required:
                    raise SiweError(f"missing SIWE field {key!r}")
                continue
            if key == "chainId" and isinstance(value, str) and namespace == "eip155":
                value = _chain_id_from_text("chainId", _check_text("chainId", value))
            values[name] = value
        return cls(**values, namespace=namespace)

    def to_fields(self) -> dict[str, Any]:
        """The camelCase object :meth:`from_fields` reads; absent fields are left out."""
        out: dict[str, Any] = {}
        for key, name, _ in _FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[key] = list(value) if name == "resources" else value
        return out


class SiweMessage(SiwxMessage):
    """An EIP-4361 (Sign-In with Ethereum) message: a :class:`SiwxMessage` of ``eip155``
    whose ``chain_id`` is an int; parsing refuses another chain's header."""

    def __init__(self, **fields: Any) -> None:
        if fields.get("namespace", "eip155") != "eip155":
            raise SiweError("a SiweMessage is an Ethereum (eip155) message; use SiwxMessage")
        super().__init__(**fields)

    @classmethod
    def _chain_of_header(cls, header: str) -> tuple[str, str]:
        if not header.endswith(HEADER_SUFFIX):
            raise SiweError(
                "line 1 must be '<domain> wants you to sign in with your Ethereum account:': "
                + _show(header)
            )
        return header[: -len(HEADER_SUFFIX)], "eip155"

    @classmethod
    def from_message(cls, text: str) -> SiweMessage:
        """Parse EIP-4361 text strictly (exact layout, order and field grammar)."""
        message: SiweMessage = super().from_message(text)
        return message

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], *, namespace: str = "eip155") -> SiweMessage:
        """Build from a JS / spruceid style object (camelCase keys: ``chainId``,
        ``issuedAt``, ``expirationTime``, ``notBefore``, ``requestId``).

        ``None`` means absent; ``chainId`` may also be a decimal string (JS keeps it so).
        Unknown keys are refused so that a typo cannot silently drop a field.
        """
        message: SiweMessage = super().from_fields(fields, namespace=namespace)
        return message
