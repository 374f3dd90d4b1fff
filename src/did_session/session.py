"""DIDSession: a session key (did:key) plus the CACAO its user's wallet signed.

The snake_case mirror of npm did-session 4.0.0. ``get`` keeps one session per account
in the platform's store (IndexedDB in the browser, with a non-extractable P-256 key): a
chain account under its CAIP-10 id (as JS), a passkey under its did:key;
``authorize`` makes a portable Ed25519 session that ``serialize`` / ``from_session``
carry across pages and machines.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import _json
from ._time import DEFAULT_TIME_POLICY, TimePolicy, format_iso_ms, parse_rfc3339
from .accounts import AccountId
from .auth import DEFAULT_EXPIRES_IN_SECS, AuthMethod, AuthRequest, RandomBytes, as_resources
from .cacao import Cacao, resources_covered
from .codecs.bases import b64_decode, b64_encode, b64url_decode, b64url_encode
from .did_key import decode_did_key
from .errors import (
    AccountIdError,
    CacaoError,
    CapabilityMismatchError,
    DIDSessionError,
    EncodingError,
    MalformedError,
    SerializedSessionError,
    SessionError,
    SessionExpiredError,
    SessionNotSerializableError,
    SiweError,
    TimeFormatError,
    UsageError,
    WalletResponseError,
)
from .interfaces import KeyBackend, KeyIdentity, SessionStore, Signer, StoredSession
from .jws import VerifiedJWS, create_jws, to_compact, verify_jws
from .platform import Platform, resolve
from .request import (
    DEFAULT_REQUEST_LIFETIME_SECS,
    REQUEST_TYP,
    SignedRequest,
    as_body,
    request_claims,
)

MAX_SERIALIZED_LENGTH = 1 << 20
DID_KEY_PREFIX = "did:key:"
_LAST_ISO_TIME = 253402300799.0  # 9999-12-31T23:59:59Z: RFC 3339 has 4-digit years


@dataclass(frozen=True)
class DagJWS:
    """``createDagJWS``'s result: the JWS over the payload's CID, and the blocks."""

    jws: dict[str, Any]
    link: Any  # did_session.codecs.cid.CID
    linked_block: bytes
    cacao_block: bytes | None

    def to_json(self) -> dict[str, Any]:
        """The JWS with ``link`` as a string, as JSON.stringify writes the JS object."""
        return {**self.jws, "link": str(self.link)}


class DID:
    """A session DID: signs JWS with the session key, carrying the capability."""

    def __init__(
        self, signer: Signer, capability: Cacao | None, *, time_policy: TimePolicy
    ) -> None:
        self._signer = signer
        self._capability = capability
        self._time = time_policy
        self._cap_url: str | None = None
        self._cap_exp: float | None = None

    @property
    def id(self) -> str:
        """The session's did:key."""
        return self._signer.did

    @property
    def parent(self) -> str:
        """The capability's issuer (a did:pkh, or a passkey's did:key)."""
        if self._capability is None:
            raise SessionError("DID has no parent DID")
        return self._capability.payload.iss

    @property
    def has_parent(self) -> bool:
        return self._capability is not None

    @property
    def capability(self) -> Cacao:
        if self._capability is None:
            raise SessionError("DID has no capability attached")
        return self._capability

    @property
    def has_capability(self) -> bool:
        return self._capability is not None

    @property
    def authenticated(self) -> bool:
        return True

    def __str__(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"<DID {self.id}>"

    def _cap(self) -> str | None:
        if self._capability is None:
            return None
        if self._cap_url is None:  # the capability never changes: parse and encode once
            self._cap_exp = self._capability.expires_at()
            self._cap_url = f"ipfs://{self._capability.cid}"
        exp = self._cap_exp
        if exp is not None and exp < self._time.now():
            raise SessionExpiredError("Capability is expired, cannot create a valid signature")
        return self._cap_url

    async def create_jws(
        self,
        payload: Mapping[str, Any] | list[Any] | str | bytes,
        *,
        protected: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A General JWS signed by the session key, with the ``cap`` header.

        A dict / list payload is signed as key-sorted JSON, bytes as they are, and a str
        is taken as an already base64url-encoded payload (as in JS).
        """
        return await create_jws(self._signer, payload, protected=protected, cap=self._cap())

    async def create_dag_jws(
        self, payload: Any, *, protected: Mapping[str, Any] | None = None
    ) -> DagJWS:
        """A JWS over the CID of ``payload``'s DAG-CBOR block (an IPLD DagJWS)."""
        from .codecs import dag_cbor
        from .codecs.cid import CID

        linked_block = dag_cbor.encode(payload)
        cid = CID.from_block(linked_block)
        jws = await self.create_jws(b64url_encode(cid.bytes), protected=protected)
        cacao_block = self._capability.block if self._capability is not None else None
        return DagJWS(jws=jws, link=cid, linked_block=linked_block, cacao_block=cacao_block)

    async def verify_jws(self, jws: Mapping[str, Any] | str, **options: Any) -> VerifiedJWS:
        """:func:`did_session.verify_jws` (the time policy defaults to the session's)."""
        options.setdefault("time_policy", self._time)
        return await verify_jws(jws, **options)


class DIDSession:
    """A DID session. Make one with :meth:`get`, :meth:`authorize` or :meth:`from_session`."""

    def __init__(
        self,
        *,
        signer: Signer,
        cacao: Cacao,
        seed: bytes | None = None,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
    ) -> None:
        if cacao.payload.aud != signer.did:
            raise CapabilityMismatchError("the capability's audience is not the session key")
        self._signer = signer
        self._cacao = cacao
        self.__seed = seed
        self._time = time_policy
        self._did = DID(signer, cacao, time_policy=time_policy)

    def __repr__(self) -> str:  # never the seed
        return f"<DIDSession {self._signer.did} for {self._cacao.payload.iss}>"

    # ---- portable sessions --------------------------------------------------------

    @classmethod
    async def authorize(
        cls,
        auth_method: AuthMethod,
        *,
        resources: Sequence[str],
        expires_in_secs: float | None = None,
        expiration_time: str | None = None,
        statement: str | None = None,
        nonce: str | None = None,
        request_id: str | None = None,
        not_before: str | None = None,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
        random_bytes: RandomBytes = os.urandom,
        keys: KeyBackend | None = None,
        platform: Platform | None = None,
    ) -> DIDSession:
        """Ask the auth method (the wallet) once for a CACAO over a new Ed25519 key.

        The default lifetime is 7 days (the JS default); ``expires_in_secs`` wins over
        ``expiration_time``. Nothing passed in is mutated.
        """
        wanted = as_resources(resources, required=True)
        seed = random_bytes(32)
        signer = await _keys(keys, platform).ed25519_from_seed(seed)
        cacao = await _ask(
            auth_method,
            signer,
            wanted,
            time_policy=time_policy,
            expires_in_secs=expires_in_secs,
            expiration_time=expiration_time,
            statement=statement,
            nonce=nonce,
            request_id=request_id,
            not_before=not_before,
        )
        return cls(signer=signer, cacao=cacao, seed=seed, time_policy=time_policy)

    def serialize(self) -> str:
        """The JS format: base64url (no padding) of ``{"sessionKeySeed", "cacao"}`` JSON."""
        if self.__seed is None:
            raise SessionNotSerializableError("Secure sessions cannot be serialized")
        text = json.dumps(
            {"sessionKeySeed": b64_encode(self.__seed), "cacao": _bytes_out(self._cacao.to_json())},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return b64url_encode(text.encode("utf-8"))

    @classmethod
    async def from_session(
        cls,
        session: str,
        *,
        verify_signature: bool = True,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
        keys: KeyBackend | None = None,
        platform: Platform | None = None,
    ) -> DIDSession:
        """Load a serialized session (ours or the JS library's).

        Stricter than JS: the CACAO's audience must be the seed's did:key and, unless
        ``verify_signature=False``, its issuer's signature must be valid (any registered
        signature type: ``eip191``, ``solana:ed25519``, ``webauthn:p256`` ...). An expired
        session loads (as in JS); it cannot sign.
        """
        if not isinstance(session, str) or len(session) > MAX_SERIALIZED_LENGTH:
            raise SerializedSessionError("a serialized session is a base64url string")
        try:
            raw = b64url_decode(session.strip(), allow_padding=True)
            data = _json.loads(raw.decode("utf-8"))
        except (EncodingError, ValueError, UnicodeDecodeError, RecursionError) as e:
            raise SerializedSessionError("not a serialized session (base64url JSON)") from e
        if not isinstance(data, dict) or set(data) != {"sessionKeySeed", "cacao"}:
            raise SerializedSessionError(
                "a serialized session holds exactly sessionKeySeed and cacao"
            )
        seed_text = data["sessionKeySeed"]
        try:
            if not isinstance(seed_text, str):
                raise EncodingError("not a string")
            seed = b64_decode(seed_text)
        except EncodingError as e:
            raise SerializedSessionError("sessionKeySeed is not standard base64") from e
        if len(seed) != 32:
            raise SerializedSessionError("sessionKeySeed is not 32 bytes")
        try:
            cacao = Cacao.from_json(_bytes_in(data["cacao"]))
        except (CacaoError, EncodingError) as e:
            raise SerializedSessionError(f"invalid cacao: {e}") from e
        signer = await _keys(keys, platform).ed25519_from_seed(seed)
        if cacao.payload.aud != signer.did:
            raise CapabilityMismatchError(
                "the session's CACAO was not issued to the did:key of its seed"
            )
        if verify_signature:
            await cacao.verify_signature_async(signature_verifier=resolve(platform).verifier)
        return cls(signer=signer, cacao=cacao, seed=seed, time_policy=time_policy)

    # ---- persisted sessions -------------------------------------------------------

    @classmethod
    async def get(
        cls,
        account: AccountId | str | KeyIdentity,
        auth_method: AuthMethod,
        *,
        resources: Sequence[str],
        expires_in_secs: float | None = None,
        expiration_time: str | None = None,
        statement: str | None = None,
        nonce: str | None = None,
        request_id: str | None = None,
        not_before: str | None = None,
        store: SessionStore | None = None,
        keys: KeyBackend | None = None,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
        platform: Platform | None = None,
    ) -> DIDSession:
        """The stored session of ``account`` if it covers ``resources`` and has not
        expired; otherwise a new one (a new non-extractable key, the wallet asked once)
        that replaces the stored entry. A failure leaves the store as it was.

        ``account`` is a chain account (an :class:`AccountId` or its CAIP-10 text, stored
        under that text, as JS) or an identity that is a did:key: a passkey
        (``did_session.browser.webauthn.Passkey``, any object with a ``did``) or its
        did:key text, stored under the canonical did:key. The new CACAO's issuer must be
        the account's did:pkh, or that did:key (else :class:`WalletResponseError`).
        """
        wanted = as_resources(resources, required=True)
        account_id = _account_id(account)
        store = _store(store, platform)
        async with store.lock(account_id):
            stored = await store.load(account_id)
            if stored is not None:
                session = _from_stored(stored, account_id, time_policy)
                if session is not None and session.is_authorized(wanted):
                    return session
            signer = await _keys(keys, platform).generate_secure_key()
            cacao = await _ask(
                auth_method,
                signer,
                wanted,
                time_policy=time_policy,
                expires_in_secs=expires_in_secs,
                expiration_time=expiration_time,
                statement=statement,
                nonce=nonce,
                request_id=request_id,
                not_before=not_before,
            )
            if not _issued_by(cacao, account_id):
                raise WalletResponseError("the auth method signed for another account")
            await store.save(account_id, StoredSession(cacao=cacao.to_json(), signer=signer))
            return cls(signer=signer, cacao=cacao, time_policy=time_policy)

    @classmethod
    async def has_session_for(
        cls,
        account: AccountId | str | KeyIdentity,
        *,
        resources: Sequence[str],
        store: SessionStore | None = None,
        time_policy: TimePolicy = DEFAULT_TIME_POLICY,
        platform: Platform | None = None,
    ) -> bool:
        """True iff a stored, unexpired session of ``account`` (as for :meth:`get`)
        covers ``resources``."""
        wanted = as_resources(resources, required=False)
        account_id = _account_id(account)
        stored = await _store(store, platform).load(account_id)
        session = _from_stored(stored, account_id, time_policy) if stored is not None else None
        return session is not None and session.is_authorized(wanted)

    @classmethod
    async def remove(
        cls,
        account: AccountId | str | KeyIdentity,
        *,
        store: SessionStore | None = None,
        platform: Platform | None = None,
    ) -> None:
        """Forget the stored session of ``account`` (as for :meth:`get`; log out). A
        passkey stays remembered (``PasskeyStore``): signing in again is one ceremony."""
        await _store(store, platform).delete(_account_id(account))

    # ---- getters --------------------------------------------------------------------

    @property
    def did(self) -> DID:
        return self._did

    @property
    def id(self) -> str:
        """The issuer: the user's did:pkh (a passkey's did:key)."""
        return self._cacao.payload.iss

    @property
    def cacao(self) -> Cacao:
        return self._cacao

    @property
    def signer(self) -> Signer:
        return self._signer

    @property
    def has_session(self) -> bool:
        return True

    @property
    def is_expired(self) -> bool:
        exp = self._cacao.expires_at()
        return exp is not None and exp < self._time.now()

    @property
    def expires_in_secs(self) -> float:
        """Seconds until the capability expires (0 once past); JS ``expireInSecs``."""
        exp = self._cacao.expires_at()
        if exp is None:
            raise SessionError("Session does not expire")
        return max(0.0, exp - self._time.now())

    @property
    def authorizations(self) -> list[str]:
        return list(self._cacao.resources)

    async def sign_request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | str | None = None,
        expires_in_secs: float = DEFAULT_REQUEST_LIFETIME_SECS,
        audience: str | None = None,
        random_bytes: RandomBytes = os.urandom,
        platform: Platform | None = None,
    ) -> SignedRequest:
        """Sign an HTTP request for a relying party (``Verifier.verify_request``).

        ``url`` is absolute, or a path (``/api/notes?x=1``) on ``audience`` (default: the
        page's origin, as ``fetch`` resolves it). ``body`` (bytes, or str sent as UTF-8)
        is hashed into the signature: send exactly ``request.body`` with
        ``request.headers``. A fresh random id and a lifetime of ``expires_in_secs`` (60 s
        by default) make each signed request usable once, briefly. Works with every session
        key, the non-extractable WebCrypto key of :meth:`get` included.
        """
        data = as_body(body)
        if audience is None and isinstance(url, str) and url.startswith("/"):
            page = resolve(platform).page
            audience = page.origin if page is not None else None
        claims = request_claims(
            method=method,
            url=url,
            body=data,
            audience=audience,
            now=self._time.now(),
            lifetime=expires_in_secs,
            jti=b64url_encode(random_bytes(16)),
        )
        jws = await self._did.create_jws(claims, protected={"typ": REQUEST_TYP})
        return SignedRequest(
            method=claims["method"],
            url=claims["aud"] + claims["path"],
            body=data,
            jws=to_compact(jws),
            capability=b64url_encode(self._cacao.block),
            claims=claims,
        )

    def is_authorized(self, resources: Sequence[str] | None = None) -> bool:
        """Not expired and, if given, every resource granted (exact string match)."""
        if self.is_expired:
            return False
        if resources is None:
            return True
        return resources_covered(self._cacao.resources, as_resources(resources, required=False))


# ---- helpers ----------------------------------------------------------------------------


def _store(store: SessionStore | None, platform: Platform | None) -> SessionStore:
    # Not `store or ...`: an empty store may be falsy (MemoryStore has __len__).
    return store if store is not None else resolve(platform).default_store()


def _keys(keys: KeyBackend | None, platform: Platform | None) -> KeyBackend:
    return keys if keys is not None else resolve(platform).keys


def _account_id(account: AccountId | str | KeyIdentity) -> str:
    """The store key of an account: its CAIP-10 id, or a did:key identity's canonical
    did:key (what its CACAOs' ``iss`` is). A string starting with ``did:`` is a DID: no
    CAIP-2 namespace is ``did``, so the two kinds of key never meet."""
    if isinstance(account, AccountId):
        return str(account)
    did = account if isinstance(account, str) else getattr(account, "did", None)
    if isinstance(did, str) and did.startswith("did:"):
        if not did.startswith(DID_KEY_PREFIX):
            raise AccountIdError("an account is a CAIP-10 account id or a did:key")
        return decode_did_key(did).did  # DIDKeyError if malformed
    if not isinstance(account, str):
        raise UsageError("account must be an AccountId, a CAIP-10 id, a did:key or a passkey")
    return str(AccountId.parse(account))


# Bytes in a CACAO (a passkey's ``s.m.aad``) have no JSON form in the JS library (its
# JSON.stringify writes an index object that does not load back); a session carries them in
# the DAG-JSON form ``{"/": {"bytes": <base64, no padding>}}``, the IPLD standard.
def _bytes_out(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"/": {"bytes": b64_encode(bytes(value)).rstrip("=")}}
    if isinstance(value, dict):
        return {k: _bytes_out(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bytes_out(v) for v in value]
    return value


def _bytes_in(value: Any) -> Any:
    if isinstance(value, dict):
        inner = value.get("/")
        if len(value) == 1 and isinstance(inner, dict) and set(inner) == {"bytes"}:
            text = inner["bytes"]
            if not isinstance(text, str):
                raise EncodingError("DAG-JSON bytes must be a base64 string")
            return b64_decode(text + "=" * (-len(text) % 4))
        return {k: _bytes_in(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bytes_in(v) for v in value]
    return value


def _issued_by(cacao: Cacao, account_id: str) -> bool:
    """Whether the CACAO's issuer is the account of this store key: its did:key, or the
    did:pkh of its CAIP-10 id (Ethereum addresses in any case)."""
    iss = cacao.payload.iss
    if account_id.startswith(DID_KEY_PREFIX):
        return iss == account_id
    account = AccountId.parse(account_id)
    rules = account.rules
    if rules is not None and rules.address_case_insensitive:
        return iss.lower() == account.did_pkh.lower()
    return iss == account.did_pkh


def _from_stored(
    stored: StoredSession, account_id: str, time_policy: TimePolicy
) -> DIDSession | None:
    """A session from a store entry, or None if the entry is unusable (corrupted by
    another script, issued by another account, or its key does not match its CACAO)."""
    try:
        cacao = Cacao.from_json(stored.cacao)
        cacao.expires_at()  # a malformed time makes the entry unusable
        if not _issued_by(cacao, account_id):
            return None
        return DIDSession(signer=stored.signer, cacao=cacao, time_policy=time_policy)
    except (MalformedError, DIDSessionError):
        return None


def _time_option(name: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except TimeFormatError as e:
        raise SiweError(f"{name} is not an RFC 3339 date-time") from e


def _request_times(
    time_policy: TimePolicy,
    expires_in_secs: float | None,
    expiration_time: str | None,
    not_before: str | None,
) -> tuple[float, float, float | None, str, str]:
    """(iat, exp, nbf, iat text, exp text) of a new capability: all decided here, from the
    session's one time policy, and consistent (nbf before exp, exp after iat)."""
    if not isinstance(time_policy, TimePolicy):
        raise UsageError("time_policy must be a did_session.TimePolicy")
    now = time_policy.now()
    if expires_in_secs is not None:
        if (
            isinstance(expires_in_secs, bool)
            or not isinstance(expires_in_secs, int | float)
            or not 0 < expires_in_secs < math.inf
            or now + expires_in_secs > _LAST_ISO_TIME
        ):
            raise SessionError("expires_in_secs must be a positive number (before year 10000)")
        expiration_time = None
        exp = now + expires_in_secs
    else:
        given = _time_option("expiration_time", expiration_time)
        exp = given if given is not None else now + DEFAULT_EXPIRES_IN_SECS
    nbf = _time_option("not_before", not_before)
    issued_at = format_iso_ms(now)
    exp_text = expiration_time if expiration_time is not None else format_iso_ms(exp)
    # Compared as the texts will be read back (milliseconds), not as the floats above.
    iat_ms, exp_ms = parse_rfc3339(issued_at), parse_rfc3339(exp_text)
    if exp_ms <= iat_ms:
        raise SessionError("the capability would expire before it is issued")
    if nbf is not None and nbf >= exp_ms:
        raise SessionError("not_before must be before the expiration time")
    return iat_ms, exp_ms, nbf, issued_at, exp_text


async def _ask(
    auth_method: AuthMethod,
    signer: Signer,
    resources: tuple[str, ...],
    *,
    time_policy: TimePolicy,
    expires_in_secs: float | None,
    expiration_time: str | None,
    statement: str | None,
    nonce: str | None,
    request_id: str | None,
    not_before: str | None,
) -> Cacao:
    iat, exp, nbf, issued_at, exp_text = _request_times(
        time_policy, expires_in_secs, expiration_time, not_before
    )
    request = AuthRequest(
        uri=signer.did,
        resources=resources,
        issued_at=issued_at,
        expiration_time=exp_text,
        statement=statement,
        nonce=nonce,
        request_id=request_id,
        not_before=not_before,
    )
    cacao = await auth_method(request)
    if not isinstance(cacao, Cacao):
        raise SessionError("the auth method did not return a Cacao")
    if cacao.payload.aud != signer.did:
        raise CapabilityMismatchError("the auth method's CACAO is not for the session key")
    # The auth method signs the session's times, no others: a CACAO with its own clock's
    # times (exp before iat, another lifetime) is refused before it is used or stored.
    try:
        got = cacao.time_window()
    except CacaoError as e:
        raise CapabilityMismatchError("the auth method's CACAO has malformed times") from e
    if got != (iat, nbf, exp):
        raise CapabilityMismatchError(
            "the auth method's CACAO does not carry the times the session asked for"
        )
    return cacao
