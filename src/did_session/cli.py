"""Command line: ``did-session inspect`` a serialized session, ``did-session verify`` a JWS.

``did-session verify JWS --request "METHOD /path" --audience ORIGIN [--body FILE]`` checks
the JWS as a signed request (``session.sign_request``) for that request.

Exit codes (for shell scripts): 0 valid; 1 invalid (bad signature, capability that does
not match); 2 malformed input or usage error; 3 expired or not yet valid; 4 unsupported.
The session seed is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ._time import parse_rfc3339, system_clock
from .errors import (
    CapabilityExpiredError,
    CapabilityNotYetValidError,
    DIDSessionError,
    MalformedError,
    RequestExpiredError,
    RequestNotYetValidError,
    UnsupportedError,
    UsageError,
    VerificationError,
)

EXIT_OK, EXIT_INVALID, EXIT_MALFORMED, EXIT_EXPIRED, EXIT_UNSUPPORTED = 0, 1, 2, 3, 4


def exit_code_for(error: DIDSessionError) -> int:
    expired = (
        CapabilityExpiredError,
        CapabilityNotYetValidError,
        RequestExpiredError,
        RequestNotYetValidError,
    )
    if isinstance(error, expired):
        return EXIT_EXPIRED
    if isinstance(error, (MalformedError, UsageError)):
        return EXIT_MALFORMED
    if isinstance(error, UnsupportedError):
        return EXIT_UNSUPPORTED
    if isinstance(error, VerificationError):
        return EXIT_INVALID
    return EXIT_INVALID


def _read(arg: str) -> str:
    """The text of a file argument (``-`` = stdin, a literal if it is not a file)."""
    if arg == "-":
        return sys.stdin.read().strip()
    if len(arg) > 4096 or not os.path.isfile(arg):
        return arg.strip()  # the value itself (a session string or compact JWS)
    try:
        with open(arg, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise MalformedError(f"cannot read {arg[:80]!r}: {e.strerror}") from None


def _at(args: argparse.Namespace) -> float:
    return parse_rfc3339(args.at) if args.at else system_clock()


def _inspect(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    from ._sync import run_sync
    from ._time import TimePolicy
    from .session import DIDSession

    now = _at(args)
    session = run_sync(
        DIDSession.from_session(
            _read(args.session), verify_signature=False, time_policy=TimePolicy(clock=lambda: now)
        )
    )
    cacao = session.cacao
    info: dict[str, Any] = {
        "did": session.did.id,
        "id": session.id,
        "domain": cacao.payload.domain,
        "signature_type": cacao.signature_type,
        "resources": session.authorizations,
        "issued_at": cacao.payload.iat,
        "expires_at": cacao.payload.exp,
        "expired": session.is_expired,
        "cacao_cid": cacao.cid,
    }
    code = EXIT_OK
    try:
        cacao.verify_signature()
        info["signature"] = "valid"
    except DIDSessionError as e:
        info["signature"] = f"invalid: {e}"
        code = exit_code_for(e)
    if code == EXIT_OK:
        try:
            cacao.check_time(at_time=now)
        except DIDSessionError as e:
            info["time"] = str(e)
            code = exit_code_for(e)
    return code, info


def _read_cacao(arg: str) -> Any:
    """CACAO JSON, or its DAG-CBOR block (a passkey CACAO holds bytes: no JSON form)."""
    if arg != "-" and len(arg) <= 4096 and os.path.isfile(arg):
        try:
            with open(arg, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise MalformedError(f"cannot read {arg[:80]!r}: {e.strerror}") from None
        if not raw.lstrip().startswith(b"{"):
            return raw
        text = raw.decode("utf-8", "replace")
    else:
        text = _read(arg)
    try:
        return json.loads(text)
    except ValueError:
        raise MalformedError("the CACAO file is neither JSON nor a DAG-CBOR block") from None


def _verify(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    from .verifier import Verifier

    text = _read(args.jws)
    jws: Any = text
    if text.startswith("{"):
        try:
            jws = json.loads(text)
        except ValueError:
            raise MalformedError("the JWS file is neither compact JWS nor JSON") from None
    capability: Any = None
    if args.cacao:
        capability = _read_cacao(args.cacao)
    passkey: dict[str, Any] = {}
    if args.rp_id:
        passkey["rp_id"] = args.rp_id
    if args.origin:
        passkey["expected_origins"] = args.origin
    verifier = Verifier(
        domains=args.domain or None,
        required_resources=args.resource or (),
        required_models=args.model or (),
        require_capability=not args.allow_no_capability,
        audience=args.audience,
        signature_options={"webauthn:p256": passkey} if passkey else {},
    )
    if args.request:
        return _verify_request(args, verifier, jws, capability)
    result = verifier.verify(jws, capability, issuer=args.issuer, at_time=_at(args))
    info: dict[str, Any] = {
        "valid": True,
        "kid": result.kid,
        "signer": result.signer_did,
        "issuer": result.issuer,
        "header": result.header,
    }
    try:
        info["payload"] = result.payload_json()
    except DIDSessionError:
        info["payload_hex"] = result.payload.hex()
    return EXIT_OK, info


def _verify_request(
    args: argparse.Namespace, verifier: Any, jws: Any, capability: Any
) -> tuple[int, dict[str, Any]]:
    """``--request "METHOD /path?query"``: the JWS as a signed request (no replay check:
    one run sees one request)."""
    from .cacao import as_cacao
    from .codecs.bases import b64url_encode
    from .jws import to_compact
    from .request import AUTH_SCHEME, CAPABILITY_HEADER

    method, _, path = args.request.strip().partition(" ")
    if not path.startswith("/"):
        raise MalformedError("--request is 'METHOD /path?query'")
    if not args.audience:
        raise MalformedError("--request needs --audience (the server's origin)")
    body = b""
    if args.body:
        try:
            with open(args.body, "rb") as f:
                body = f.read()
        except OSError as e:
            raise MalformedError(f"cannot read {args.body[:80]!r}: {e.strerror}") from None
    headers = {"Authorization": f"{AUTH_SCHEME} {jws if isinstance(jws, str) else to_compact(jws)}"}
    if capability is not None:
        headers[CAPABILITY_HEADER] = b64url_encode(as_cacao(capability).block)
    result = verifier.verify_request(
        method=method,
        path=path.strip(),
        body=body,
        headers=headers,
        issuer=args.issuer,
        at_time=_at(args),
    )
    return EXIT_OK, {
        "valid": True,
        "signer": result.signer_did,
        "issuer": result.issuer,
        "request": dict(result.claims),
    }


def _print(info: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(info, indent=2, sort_keys=True))
        return
    for key, value in info.items():
        if isinstance(value, (dict, list)):
            value = json.dumps(value, sort_keys=True)
        print(f"{key:>12}: {value}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="did-session", description="Inspect did-session sessions and verify their JWS."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inspect", help="show a serialized session (never its seed)")
    p.add_argument("session", help="serialized session, a file holding it, or - for stdin")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--at", help="check expiry at this RFC 3339 time instead of now")
    v = sub.add_parser("verify", help="verify a JWS signed by a session")
    v.add_argument("jws", help="compact or General JWS (JSON), a file, or - for stdin")
    v.add_argument("--cacao", help="the capability (CACAO JSON or DAG-CBOR block file)")
    v.add_argument("--issuer", help="expected issuer (did:pkh, or a passkey's did:key)")
    v.add_argument("--domain", action="append", help="accepted CACAO domain (repeatable)")
    v.add_argument("--resource", action="append", help="required resource (repeatable)")
    v.add_argument(
        "--model",
        action="append",
        help="Ceramic model id the capability must cover (ceramic://* or ceramic://*?model=ID)",
    )
    v.add_argument("--rp-id", action="append", help="passkey CACAOs: accepted WebAuthn RP id")
    v.add_argument("--origin", action="append", help="passkey CACAOs: accepted client origin")
    v.add_argument("--allow-no-capability", action="store_true", help="accept bare did:key JWS")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.add_argument("--at", help="verify at this RFC 3339 time instead of now")
    v.add_argument(
        "--request",
        metavar="'METHOD /PATH'",
        help="check the JWS as a signed request for this method and path (with its query)",
    )
    v.add_argument("--body", help="with --request: the file holding the request's body")
    v.add_argument("--audience", action="append", help="with --request: this server's origin")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code, info = _inspect(args) if args.command == "inspect" else _verify(args)
    except DIDSessionError as e:
        code = exit_code_for(e)
        info = {"valid": False, "error": type(e).__name__, "message": str(e)}
    _print(info, as_json=args.json)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = ["exit_code_for", "main"]
