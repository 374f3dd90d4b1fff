"""``session.sign_request`` in a real page (Pyodide in Chromium): a ``DIDSession.get``
session (non-extractable WebCrypto P-256 key) and a portable Ed25519 one sign requests;
what ``fetch`` would send (a real ``Request`` built from the signed parts) is verified on
CPython by ``Verifier.verify_request``, once; the replay and a changed body are refused.
The page verifies its own request too (``verify_request_async``, WebCrypto)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_kit import SiteServer, run_py
from playwright.sync_api import Page
from session_kit import ACCOUNT, DID_PKH, PRELUDE

from did_session import RequestMismatchError, RequestReplayedError, Verifier

SIGN = """
from pyodide.ffi import to_js
from did_session import MemoryReplayStore, Verifier

async def as_sent(session, method, url, body):
    req = await session.sign_request(method, url, body=body)
    # What fetch sends: a Request made of the signed parts, read back.
    init = to_js({"method": req.method, "headers": req.headers, "body": req.body},
                 dict_converter=js.Object.fromEntries)
    sent = js.Request.new(req.url, init)
    data = bytes((await sent.arrayBuffer()).to_py())
    return {"url": sent.url, "method": sent.method, "body": list(data),
            "authorization": sent.headers.get("authorization"),
            "capability": sent.headers.get("did-session-capability"),
            "claims": dict(req.claims), "did": session.did.id,
            "extractable": session.signer.extractable}

secure = await DIDSession.get(account, auth, resources=RES)
portable = await DIDSession.authorize(auth, resources=RES)
out = [await as_sent(secure, "POST", "/api/notes?draft=1", '{"note":"hi"}'),
       await as_sent(portable, "PUT", js.location.origin + "/api/notes/7", b"\\x00\\xffraw")]

# The page verifies a request of its own session (WebCrypto verifies the P-256 signature).
mine = await secure.sign_request("DELETE", "/api/notes/7")
v = Verifier(audience=[js.location.origin], replay_store=MemoryReplayStore())
ok = await v.verify_request_async(method="DELETE", path="/api/notes/7", body=b"",
                                  headers=mine.headers)
again = await error_of(v.verify_request_async(method="DELETE", path="/api/notes/7", body=b"",
                                              headers=mine.headers))
out.append({"issuer": ok.issuer, "again": again})
out
"""


@pytest.mark.wallet()
def test_requests_signed_in_the_page_verify_on_cpython(
    harness_page: Page, server: SiteServer
) -> None:
    page = harness_page
    assert run_py(page, PRELUDE) == ACCOUNT
    secure, portable, in_page = run_py(page, SIGN)
    assert in_page == {"issuer": DID_PKH, "again": "RequestReplayedError"}
    assert secure["extractable"] is False and secure["did"].startswith("did:key:zDn")
    assert portable["did"].startswith("did:key:z6Mk")
    verifier = Verifier(audience=[server.origin], domains=["127.0.0.1"])
    for sent, method in ((secure, "POST"), (portable, "PUT")):
        url = urlsplit(sent["url"])
        assert f"{url.scheme}://{url.netloc}" == server.origin
        assert sent["method"] == method and sent["claims"]["aud"] == server.origin
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {
            "Authorization": sent["authorization"],
            "DID-Session-Capability": sent["capability"],
        }

        def check(body: bytes, sent: Any = sent, path: str = path, headers: Any = headers) -> Any:
            return verifier.verify_request(
                method=sent["method"], path=path, body=body, headers=headers
            )

        body = bytes(sent["body"])
        with pytest.raises(RequestMismatchError):
            check(body + b"!")
        result = check(body)
        assert result.issuer == DID_PKH and result.signer_did == sent["did"]
        with pytest.raises(RequestReplayedError):
            check(body)
    assert bytes(portable["body"]) == b"\x00\xffraw"
    assert secure["claims"]["path"] == "/api/notes?draft=1"
