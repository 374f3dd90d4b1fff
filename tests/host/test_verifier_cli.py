"""Relying-party verification: the sync Verifier facade and the CLI (the server example:
test_example_server.py; signed requests: test_signed_request.py)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from did_session import (
    CapabilityExpiredError,
    CapabilityMismatchError,
    DIDSession,
    InvalidSignatureError,
    TimePolicy,
    UsageError,
    Verifier,
)
from did_session.cli import main
from tests.relying_party import make_session


@pytest.fixture(scope="module")
def signed() -> tuple[DIDSession, dict[str, Any]]:
    session = make_session()
    return session, asyncio.run(session.did.create_jws({"note": "hi"}))


def test_verify_sync_without_event_loop(signed: tuple[DIDSession, dict[str, Any]]) -> None:
    session, jws = signed
    result = Verifier().verify(jws, session.cacao, issuer=session.id)
    assert result.issuer == session.id and result.payload_json() == {"note": "hi"}


async def test_sync_facade_works_inside_a_running_loop(
    signed: tuple[DIDSession, dict[str, Any]],
) -> None:
    session, jws = signed  # e.g. a sync view called from an async framework
    assert Verifier().verify(jws, session.cacao).signer_did == session.did.id


def test_verifier_expectations(signed: tuple[DIDSession, dict[str, Any]]) -> None:
    session, jws = signed
    cacao = session.cacao.to_json()
    ok = Verifier(
        domains=["127.0.0.1"], required_resources=["ceramic://*"], max_capability_age_secs=60
    )
    assert ok.verify(jws, cacao).issuer == session.id
    assert ok.verify(jws, session.cacao.block).issuer == session.id  # a DagJWS cacaoBlock
    refusals = [
        Verifier(domains=["evil.example"]),
        Verifier(required_resources=["ceramic://other"]),
        Verifier(nonce_check=lambda nonce: False),
        Verifier(
            max_capability_age_secs=60,
            time_policy=TimePolicy(clock=lambda: session.cacao.expires_at() - 1),  # type: ignore[operator]
        ),
    ]
    for verifier in refusals:
        with pytest.raises(CapabilityMismatchError):
            verifier.verify(jws, cacao)
    with pytest.raises(CapabilityMismatchError, match="required"):
        Verifier().verify(jws)
    assert Verifier(require_capability=False).verify(jws).issuer == session.did.id
    seen: list[str] = []
    Verifier(nonce_check=lambda n: seen.append(n) is None).verify(jws, cacao)
    assert seen == [session.cacao.payload.nonce]
    with pytest.raises(CapabilityExpiredError):
        Verifier(
            time_policy=TimePolicy(clock=lambda: session.cacao.expires_at() + 3600)  # type: ignore[operator]
        ).verify(jws, cacao)
    with pytest.raises(UsageError):
        Verifier(domains="127.0.0.1")


def run_cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "did_session", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode, proc.stdout


def test_cli_inspect(signed: tuple[DIDSession, dict[str, Any]], tmp_path: Path) -> None:
    session, _ = signed
    code, out = run_cli("inspect", "-", "--json", stdin=session.serialize())
    info = json.loads(out)
    assert code == 0
    assert info["did"] == session.did.id and info["id"] == session.id
    assert info["cacao_cid"] == session.cacao.cid and info["signature"] == "valid"
    assert info["resources"] == ["ceramic://*"] and info["expired"] is False
    from did_session.codecs.bases import b64_encode, b64url_decode

    seed = json.loads(b64url_decode(session.serialize()))["sessionKeySeed"]
    assert seed not in out and b64_encode(b"x") not in out
    code, out = run_cli("inspect", session.serialize(), "--at", "2999-01-01T00:00:00Z")
    assert code == 3 and "expired" in out
    assert run_cli("inspect", "garbage")[0] == 2
    assert main(["inspect", session.serialize()]) == 0


def test_cli_verify(signed: tuple[DIDSession, dict[str, Any]], tmp_path: Path) -> None:
    session, jws = signed
    cacao_file = tmp_path / "cacao.json"
    cacao_file.write_text(json.dumps(session.cacao.to_json()))
    jws_file = tmp_path / "jws.json"
    jws_file.write_text(json.dumps(jws))
    code, out = run_cli(
        "verify",
        str(jws_file),
        "--cacao",
        str(cacao_file),
        "--json",
        "--domain",
        "127.0.0.1",
        "--resource",
        "ceramic://*",
    )
    assert code == 0, out
    info = json.loads(out)
    assert (
        info["valid"] is True and info["issuer"] == session.id and info["payload"] == {"note": "hi"}
    )
    assert run_cli("verify", str(jws_file), "--cacao", str(cacao_file), "--domain", "x.org")[0] == 1
    from did_session.codecs.bases import b64url_encode

    tampered = dict(jws, payload=b64url_encode(b'{"note":"ho"}'))
    assert tampered["payload"] != jws["payload"]
    jws_file.write_text(json.dumps(tampered))
    code, out = run_cli("verify", str(jws_file), "--cacao", str(cacao_file), "--json")
    assert code == 1 and json.loads(out)["error"] == InvalidSignatureError.__name__
    assert run_cli("verify", "a.b", "--cacao", str(cacao_file))[0] == 2
    assert run_cli("verify", str(jws_file))[0] == 1  # a capability is required by default
