"""The library's exceptions: one root, one subclass per failure reason.

Every error the library raises on bad input, a bad signature, a wallet or a storage
failure is a :class:`DIDSessionError`. Messages never contain private keys or seeds.
"""

from __future__ import annotations


class DIDSessionError(Exception):
    """Root of every error raised by did_session.

    No class of the tree is also a builtin ``ValueError`` / ``TypeError``: an application's
    own ``except ValueError`` (around its JSON parsing, say) must never swallow a bad
    signature or a malformed JWS, and ``except DIDSessionError`` sees every failure.
    """


class UsageError(DIDSessionError):
    """The library was called wrongly: an argument of the wrong type or shape, or a
    function used where it cannot work (``EthereumWebAuth`` outside a page)."""


# --- malformed input -------------------------------------------------------------------


class MalformedError(DIDSessionError):
    """Input that does not parse: bad encoding, wrong structure, wrong length."""


class EncodingError(MalformedError):
    """Bad base58 / base32 / base64url / hex / varint text or bytes."""


class TimeFormatError(MalformedError):
    """A timestamp that is not a valid RFC 3339 date-time."""


class CBORError(MalformedError):
    """Bytes that are not strict, canonical DAG-CBOR (or a value that cannot be encoded)."""


class CIDError(MalformedError):
    """A CID that does not parse or is not a supported CIDv1."""


class DIDKeyError(MalformedError):
    """A did:key that does not decode: wrong multibase, codec, key length or curve point."""


class SiweError(MalformedError):
    """Text or fields that are not a valid EIP-4361 message."""


class CacaoError(MalformedError):
    """A CACAO whose structure or fields are invalid."""


class JWSError(MalformedError):
    """A JWS whose structure, header or encoding is invalid."""


class SerializedSessionError(MalformedError):
    """A serialized session string that cannot be loaded."""


class AccountIdError(MalformedError):
    """A CAIP-10 account id or an Ethereum address that is malformed."""


# --- unsupported -----------------------------------------------------------------------


class UnsupportedError(DIDSessionError):
    """Something well-formed that this library does not support."""


class UnsupportedKeyTypeError(UnsupportedError):
    """A multicodec key type (or DID method) that is not supported."""


class UnsupportedAlgorithmError(UnsupportedError):
    """A JWS ``alg`` that is unknown, or does not match the key type."""


class UnsupportedSignatureTypeError(UnsupportedError):
    """A CACAO signature type (``s.t``) that has no registered verifier."""


# --- verification ----------------------------------------------------------------------


class VerificationError(DIDSessionError):
    """A check on a signature or a capability failed."""


class InvalidSignatureError(VerificationError):
    """A signature does not verify for the key it claims."""


class CapabilityExpiredError(VerificationError):
    """The capability (CACAO) has expired at the time of the check."""


class CapabilityNotYetValidError(VerificationError):
    """The capability's issued-at or not-before time is still in the future."""


class CapabilityMismatchError(VerificationError):
    """The capability does not belong to this signature: wrong ``cap`` CID, wrong
    audience, wrong issuer, wrong domain, missing resources, ..."""


# --- signed requests (relying parties) ---------------------------------------------------


class RequestFormatError(MalformedError):
    """A JWS that is not a signed request in the did-session request format: no or wrong
    ``typ`` header, a missing claim, a claim of the wrong type, ``exp`` not after ``iat``."""


class RequestError(VerificationError):
    """A signed request that is well-formed but must be refused (a subclass says why)."""


class RequestMismatchError(RequestError):
    """The request signed is not the request received: another audience (origin), method,
    path or body, or a lifetime longer than the verifier accepts. ``claim`` names the
    claim that differs (``aud``, ``method``, ``path``, ``body_sha256``, ``exp``)."""

    def __init__(self, message: str, *, claim: str) -> None:
        super().__init__(message)
        self.claim = claim


class RequestExpiredError(RequestError):
    """The request's ``exp`` (plus the clock skew) is in the past."""


class RequestNotYetValidError(RequestError):
    """The request's ``iat`` is later than now plus the clock skew."""


class RequestReplayedError(RequestError):
    """The request's id (``jti``) was already accepted from this session key while it was
    valid: a replay (or a client that reused an id)."""


class ReplayStoreError(DIDSessionError):
    """The replay store failed (database locked past its timeout, Redis unreachable): the
    request cannot be checked for replay, so it is refused."""


# --- platform back ends ------------------------------------------------------------------


class WebCryptoError(DIDSessionError):
    """The browser's WebCrypto refused an operation (or is missing where it is needed)."""


# --- sessions ------------------------------------------------------------------------


class SessionError(DIDSessionError):
    """A session cannot do what was asked."""


class SessionNotSerializableError(SessionError):
    """A session whose key is a non-extractable WebCrypto key cannot be serialized."""


class SessionExpiredError(SessionError):
    """The session's capability has expired; it cannot sign."""


# --- wallet (EIP-1193) -----------------------------------------------------------------


class WalletError(DIDSessionError):
    """The wallet (EIP-1193 provider) failed or answered badly.

    ``code`` is the EIP-1193 / JSON-RPC error code when the wallet gave one.
    """

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class WalletUnavailableError(WalletError):
    """There is no wallet (no ``window.ethereum``, or no provider given)."""


class UserRejectedError(WalletError):
    """EIP-1193 4001: the user rejected the request."""


class WalletUnauthorizedError(WalletError):
    """EIP-1193 4100: the account or method is not authorized by the user."""


class WalletUnsupportedMethodError(WalletError):
    """EIP-1193 4200: the wallet does not support the method."""


class WalletDisconnectedError(WalletError):
    """EIP-1193 4900 / 4901: the wallet is disconnected from all chains / this chain."""


class WalletResponseError(WalletError):
    """The wallet answered with something that is not what was asked for (a malformed
    signature, a signature of another account, no account ...)."""


# EIP-1193 / JSON-RPC error codes a wallet answers with, and our exception for each.
_WALLET_ERROR_BY_CODE: dict[int, type[WalletError]] = {
    4001: UserRejectedError,
    4100: WalletUnauthorizedError,
    4200: WalletUnsupportedMethodError,
    4900: WalletDisconnectedError,
    4901: WalletDisconnectedError,
}


def wallet_error(code: object, message: object) -> WalletError:
    """The exception for an EIP-1193 / JSON-RPC error ``code`` (unknown codes: WalletError)."""
    code_int = code if isinstance(code, int) and not isinstance(code, bool) else None
    text = str(message)[:200] if message else "the wallet refused the request"
    cls = _WALLET_ERROR_BY_CODE.get(code_int, WalletError) if code_int is not None else WalletError
    return cls(text, code=code_int)


# --- storage -----------------------------------------------------------------------------


class StorageError(DIDSessionError):
    """The session store (IndexedDB in the browser) failed."""


class StorageUnavailableError(StorageError):
    """The store cannot be opened (no IndexedDB, opening failed)."""


class StorageBlockedError(StorageError):
    """The database is blocked or was closed by another connection (another tab)."""


class StorageQuotaError(StorageError):
    """The store refused a write for lack of space."""


# --- WebAuthn (passkeys, ``webauthn:p256`` CACAOs) -------------------------------------


class WebAuthnError(DIDSessionError):
    """A passkey (WebAuthn) CACAO or ceremony failed; each subclass also sits under the
    general class of its reason (malformed, invalid signature, mismatch ...)."""


class WebAuthnFormatError(WebAuthnError, MalformedError):
    """Authenticator data, client data JSON, an attestation object, a COSE key or the
    ``s.m.aad`` field that does not parse (strictly)."""


class WebAuthnSignatureError(WebAuthnError, InvalidSignatureError):
    """The passkey signature is not strict DER, or does not verify for the issuer's key."""


class WebAuthnChallengeError(WebAuthnError, CapabilityMismatchError):
    """The signed challenge is not the CID of this CACAO (without ``iss`` and ``s``)."""


class WebAuthnClientDataError(WebAuthnError, CapabilityMismatchError):
    """The client data's ``type``, ``origin`` or ``crossOrigin`` is not what the relying
    party accepts."""


class WebAuthnRelyingPartyError(WebAuthnError, CapabilityMismatchError):
    """The authenticator data's ``rpIdHash`` is not SHA-256 of an accepted RP id."""


class WebAuthnFlagsError(WebAuthnError, VerificationError):
    """The authenticator did not assert user presence (or verification, when required),
    or its backup flags are inconsistent."""


class PasskeyError(WebAuthnError):
    """A passkey ceremony in the browser (``navigator.credentials``) failed."""


class PasskeyUnavailableError(PasskeyError):
    """No WebAuthn here (no ``navigator.credentials``, insecure context, bad RP id) or
    the authenticator does not support what was asked (P-256, resident keys)."""


class PasskeyRefusedError(PasskeyError):
    """The person refused or cancelled the ceremony, or it timed out (``NotAllowedError``)."""


class PasskeyResponseError(PasskeyError):
    """The authenticator answered with something unusable (not P-256, wrong challenge,
    a credential of another relying party ...)."""


class PasskeySelectionError(PasskeyError):
    """The passkey's public key could not be decided among the two keys recovered from
    its signature (``candidates`` holds their did:keys)."""

    def __init__(self, message: str, *, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


__all__ = [name for name in dir() if name.endswith("Error") and not name.startswith("_")]
