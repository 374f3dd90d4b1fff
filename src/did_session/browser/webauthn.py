"""Passkeys in the page: the only module that touches ``navigator.credentials``.

* :func:`create_passkey` makes a discoverable P-256 credential (alg -7, resident key, user
  verification preferred) and returns its did:key and credential id, as key-webauthn's
  ``WebauthnAuth.createDID`` does, after checking the attestation (challenge, type,
  rpIdHash, user presence, a P-256 COSE key).
* :class:`PasskeyAuth` is an auth method: the passkey signs the CID of the CACAO without
  ``iss``/``s`` (key-webauthn's format, byte for byte), and the CACAO is verified with
  WebCrypto before it is returned.

The public key of a passkey is only given at creation. Where JS needs the app to pass the
did, probe with an extra gesture or pick one of two recovered keys, this module remembers
``credential id -> did:key`` in IndexedDB (database ``did-session-passkeys``, store
``passkeys``, beside did-session's own database, whose layout is untouched), so that a
returning person is asked once. For a passkey it has not seen (made on another device, or
the site data was cleared) it recovers the two candidate keys from the signature and
decides by, in this order: ``known_dids``, the ``select`` callback, or (``probe=True``) one
more signature by the same credential over a random challenge: the key common to both
recoveries. Otherwise :class:`~did_session.errors.PasskeySelectionError` carries both.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import js
from pyodide.code import run_js

from .. import crypto
from .. import webauthn as wa
from .._time import Clock, format_iso_ms, parse_rfc3339, system_clock
from ..auth import AuthRequest, RandomBytes
from ..cacao import Cacao
from ..codecs.bases import b64url_decode, b64url_encode
from ..errors import (
    DIDSessionError,
    EncodingError,
    PasskeyError,
    PasskeyRefusedError,
    PasskeyResponseError,
    PasskeySelectionError,
    PasskeyUnavailableError,
)
from ._ffi import JsException, helpers, js_error_info, to_js_bytes, to_js_list
from .indexeddb import IndexedDBStore

__all__ = ["Passkey", "PasskeyAuth", "PasskeyStore", "create_passkey", "remembered_passkeys"]

PASSKEY_DB_NAME = "did-session-passkeys"
PASSKEY_STORE_NAME = "passkeys"
DEFAULT_TIMEOUT_MS = 240_000  # key-webauthn's

_JS = r"""
(asError) => {
  const bytes = (b) => new Uint8Array(b);
  const available = () => {
    if (!(globalThis.navigator && navigator.credentials && globalThis.PublicKeyCredential)) {
      const e = new Error("WebAuthn is not available in this page");
      throw Object.assign(e, { name: "NotSupportedError" });
    }
  };
  return {
    async create(rpId, rpName, userId, userName, displayName, challenge, uv, timeout) {
      try {
        available();
        const cred = await navigator.credentials.create({ publicKey: {
          challenge, timeout, attestation: "none",
          rp: { id: rpId, name: rpName },
          user: { id: userId, name: userName, displayName },
          pubKeyCredParams: [{ type: "public-key", alg: -7 }],
          authenticatorSelection: {
            residentKey: "required", requireResidentKey: true, userVerification: uv },
        } });
        if (!cred) throw new DOMException("no credential was created", "NotAllowedError");
        const r = cred.response;
        return { rawId: bytes(cred.rawId), attestationObject: bytes(r.attestationObject),
                 clientDataJSON: bytes(r.clientDataJSON) };
      } catch (e) {
        throw asError(e);
      }
    },
    async get(rpId, challenge, ids, userVerification, timeout) {
      try {
        available();
        const cred = await navigator.credentials.get({ publicKey: {
          challenge, rpId, timeout, userVerification,
          allowCredentials: Array.from(ids, (id) => ({ type: "public-key", id })),
        } });
        if (!cred) throw new DOMException("no assertion was made", "NotAllowedError");
        const r = cred.response;
        return { rawId: bytes(cred.rawId), authenticatorData: bytes(r.authenticatorData),
                 clientDataJSON: bytes(r.clientDataJSON), signature: bytes(r.signature) };
      } catch (e) {
        throw asError(e);
      }
    },
  };
}
"""


@cache
def _js() -> Any:
    return run_js(_JS)(helpers().asError)


def _passkey_error(what: str, error: BaseException) -> PasskeyError:
    name, _, message = js_error_info(error)
    text = f"passkey {what} failed: {name}: {message}"
    if name in ("NotAllowedError", "AbortError"):
        return PasskeyRefusedError(text)
    if name in ("NotSupportedError", "SecurityError", "ConstraintError"):
        return PasskeyUnavailableError(text)
    return PasskeyError(text)


async def _ceremony(what: str, awaitable: Any) -> Any:
    try:
        return await awaitable
    except JsException as e:
        raise _passkey_error(what, e) from None


def _location() -> tuple[str, str]:
    """(hostname, origin) of the page: key-webauthn's RP id and the expected origin."""
    return str(js.location.hostname), str(js.location.origin)


@dataclass(frozen=True)
class Passkey:
    """A passkey of this relying party: its did:key and WebAuthn credential id. It is an
    account for ``DIDSession.get`` / ``has_session_for`` / ``remove``: the session is
    stored under its did:key (``did_session.interfaces.KeyIdentity``)."""

    did: str
    credential_id: bytes
    rp_id: str

    def __repr__(self) -> str:
        return (
            f"<Passkey {self.did} id={b64url_encode(self.credential_id)[:16]}... rp={self.rp_id}>"
        )


class PasskeyStore:
    """``credential id -> did:key`` in IndexedDB (public data only: no key material).

    Entries: key = base64url credential id, value ``{did, credentialId, rpId, createdAt}``.
    """

    def __init__(self, db_name: str = PASSKEY_DB_NAME) -> None:
        self._db = IndexedDBStore(db_name, PASSKEY_STORE_NAME)

    async def remember(self, passkey: Passkey, *, clock: Clock = system_clock) -> None:
        value = js.Object.new()
        value.did = passkey.did
        value.credentialId = b64url_encode(passkey.credential_id)
        value.rpId = passkey.rp_id
        value.createdAt = format_iso_ms(clock())
        await self._db._run("write", "readwrite", "put", value, value.credentialId)

    async def passkeys(self, rp_id: str | None = None) -> list[Passkey]:
        """The remembered passkeys (of ``rp_id`` if given), the most recently remembered
        first; malformed entries are skipped."""
        out = []
        for value in await self._db._run("read", "readonly", "getAll"):
            try:
                passkey = Passkey(
                    str(value.did), b64url_decode(str(value.credentialId)), str(value.rpId)
                )
            except (AttributeError, EncodingError):
                continue
            if passkey.did.startswith("did:key:zDn") and rp_id in (None, passkey.rp_id):
                out.append((str(getattr(value, "createdAt", "")), passkey))
        out.sort(key=lambda pair: pair[0], reverse=True)  # ISO times sort as text
        return [passkey for _, passkey in out]

    async def find(self, credential_id: bytes, rp_id: str) -> Passkey | None:
        for passkey in await self.passkeys(rp_id):
            if passkey.credential_id == credential_id:
                return passkey
        return None

    async def forget(self, passkey: Passkey | str) -> None:
        """Forget one passkey, or every credential of a did:key."""
        if isinstance(passkey, Passkey):
            ids = [passkey.credential_id]
        else:
            ids = [p.credential_id for p in await self.passkeys() if p.did == passkey]
        for cid in ids:
            await self._db._run("delete", "readwrite", "delete", b64url_encode(cid))


async def remembered_passkeys(*, store: PasskeyStore | None = None) -> list[Passkey]:
    """The passkeys remembered for this page's hostname (its RP id), most recent first:
    what a returning person signs in with, e.g.
    ``DIDSession.get(passkey, PasskeyAuth(passkey), ...)``, which reuses the stored
    session with no ceremony, or asks the passkey once."""
    return await _store(store).passkeys(_location()[0])


@cache
def _default_store() -> PasskeyStore:
    return PasskeyStore()


def _store(store: PasskeyStore | None) -> PasskeyStore:
    return store if store is not None else _default_store()


async def create_passkey(
    name: str = "key-webauthn",
    *,
    display_name: str = "Ceramic Auth Provider",
    rp_name: str | None = None,
    user_verification: str = "preferred",
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    store: PasskeyStore | None = None,
    remember: bool = True,
    random_bytes: RandomBytes = os.urandom,
) -> Passkey:
    """Create a discoverable P-256 passkey for this page's hostname (the RP id) and return
    its did:key and credential id (remembered in IndexedDB unless ``remember=False``).

    Raises :class:`PasskeyRefusedError` when the person cancels, :class:`PasskeyUnavailableError`
    without WebAuthn, :class:`PasskeyResponseError` for an unusable answer."""
    rp_id, origin = _location()
    challenge = random_bytes(32)
    made = await _ceremony(
        "creation",
        _js().create(
            rp_id,
            rp_name or rp_id,
            to_js_bytes(random_bytes(32)),
            name,
            display_name,
            to_js_bytes(challenge),
            user_verification,
            timeout_ms,
        ),
    )
    raw_id = bytes(made.rawId.to_bytes())
    try:
        att = wa.parse_attestation_object(bytes(made.attestationObject.to_bytes()))
        client = wa.parse_client_data(bytes(made.clientDataJSON.to_bytes()))
        wa.check_origin(client["origin"], rp_id, [origin])
    except DIDSessionError as e:
        raise PasskeyResponseError(f"the authenticator's attestation is unusable: {e}") from e
    auth_data = att.auth_data
    if (
        client["type"] != "webauthn.create"
        or client["challenge"] != b64url_encode(challenge)
        or auth_data.rp_id_hash != crypto.sha256(rp_id.encode("utf-8"))
        or not auth_data.user_present
        or auth_data.credential_id != raw_id
        or auth_data.public_key is None
    ):
        raise PasskeyResponseError("the attestation is not for this request or relying party")
    passkey = Passkey(wa.did_for_public_key(auth_data.public_key), raw_id, rp_id)
    if remember:
        await _store(store).remember(passkey)
    return passkey


Selector = Callable[[str, str], "Awaitable[str | None] | str | None"]
"""``select(did_a, did_b)``: which of the two recovered did:keys is the passkey's."""


@dataclass(frozen=True)
class _Signed:
    credential_id: bytes
    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes


class PasskeyAuth:
    """An auth method (``await auth(request) -> Cacao``) signing with a passkey.

    ``passkey``: a :class:`Passkey` (only its credential is offered) or a did:key (its
    remembered credentials), or None: any passkey of this site (the browser's picker).
    ``known_dids`` / ``select`` / ``probe``: how to settle the key of a passkey that was
    not remembered (see the module docstring). The statement and request id of a request
    are not signed (key-webauthn writes neither; see did_session.webauthn).
    """

    def __init__(
        self,
        passkey: Passkey | str | None = None,
        *,
        known_dids: Sequence[str] = (),
        select: Selector | None = None,
        probe: bool = True,
        user_verification: str = "preferred",
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        store: PasskeyStore | None = None,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        self._passkey = passkey
        self._known = tuple(known_dids) + ((passkey,) if isinstance(passkey, str) else ())
        self._select = select
        self._probe = probe
        self._uv = user_verification
        self._timeout = timeout_ms
        self._store = _store(store)
        self._random = random_bytes
        self.last_passkey: Passkey | None = None
        """The passkey that signed the last CACAO."""

    def __repr__(self) -> str:
        return f"<PasskeyAuth {self._passkey!r}>"

    async def _allowed(self, rp_id: str) -> list[bytes]:
        if isinstance(self._passkey, Passkey):
            return [self._passkey.credential_id]
        if isinstance(self._passkey, str):
            # None remembered: any passkey, its key then checked against the did.
            return [
                p.credential_id for p in await self._store.passkeys(rp_id) if p.did == self._passkey
            ]
        return []

    async def _sign(self, rp_id: str, challenge: bytes, ids: Sequence[bytes]) -> _Signed:
        got = await _ceremony(
            "signature",
            _js().get(
                rp_id,
                to_js_bytes(challenge),
                to_js_list([to_js_bytes(i) for i in ids]),
                self._uv,
                self._timeout,
            ),
        )
        return _Signed(
            bytes(got.rawId.to_bytes()),
            bytes(got.authenticatorData.to_bytes()),
            bytes(got.clientDataJSON.to_bytes()),
            bytes(got.signature.to_bytes()),
        )

    def _candidates(self, signed: _Signed) -> tuple[str, ...]:
        try:
            return wa.recover_candidate_dids(
                signed.signature, signed.authenticator_data, signed.client_data_json
            )
        except DIDSessionError as e:
            raise PasskeyResponseError(f"the passkey's signature is unusable: {e}") from e

    async def _settle(self, rp_id: str, signed: _Signed) -> str:
        """The did:key of the credential that made ``signed``."""
        if (
            isinstance(self._passkey, Passkey)
            and self._passkey.credential_id == signed.credential_id
        ):
            return self._passkey.did
        remembered = await self._store.find(signed.credential_id, rp_id)
        if remembered is not None:
            return remembered.did
        candidates = self._candidates(signed)
        for did in self._known:
            if did in candidates:
                return did
        if self._select is not None:
            chosen = self._select(*candidates) if len(candidates) == 2 else None
            if inspect.isawaitable(chosen):
                chosen = await chosen
            if chosen in candidates:
                return str(chosen)
            raise PasskeySelectionError(
                "select() returned neither recovered did:key", candidates=candidates
            )
        if self._probe:
            again = await self._sign(rp_id, self._random(32), [signed.credential_id])
            common = set(candidates) & set(self._candidates(again))
            if len(common) == 1:
                return common.pop()
        raise PasskeySelectionError(
            "the passkey is not remembered here: choose its did:key among the candidates",
            candidates=candidates,
        )

    async def __call__(self, request: AuthRequest) -> Cacao:
        rp_id, origin = _location()
        payload = wa.request_payload(
            request, domain=rp_id, nonce=request.nonce or b64url_encode(self._random(8))
        )
        now = parse_rfc3339(request.issued_at)
        challenge = wa.challenge_for(payload)
        signed = await self._sign(rp_id, challenge, await self._allowed(rp_id))
        did = await self._settle(rp_id, signed)
        if isinstance(self._passkey, str) and did != self._passkey:
            raise PasskeyResponseError(f"the passkey used is not {self._passkey}")
        cacao = wa.build_cacao(
            payload, did, signed.signature, signed.authenticator_data, signed.client_data_json
        )
        try:
            await wa.verify_webauthn_cacao_async(
                cacao,
                expected_origins=[origin],
                rp_id=rp_id,
                require_user_verification=self._uv == "required",
                at_time=now,
            )
        except DIDSessionError as e:
            raise PasskeyResponseError(f"the passkey's CACAO does not verify: {e}") from e
        passkey = Passkey(did, signed.credential_id, rp_id)
        if await self._store.find(signed.credential_id, rp_id) is None:
            await self._store.remember(passkey)
        self.last_passkey = passkey
        return cacao
