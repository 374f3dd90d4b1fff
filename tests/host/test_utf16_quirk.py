"""The UTF-16 length quirk of the JS EIP-191 prefix, and how we avoid it.

@didtools/pkh-ethereum 0.6.0 hashes ``"\\x19Ethereum Signed Message:\\n" + message.length +
message`` where ``length`` is the JS string length in UTF-16 code units. Wallets (MetaMask,
ethers, eth-account) sign the UTF-8 bytes with the UTF-8 byte count, so for non-ASCII text the
two prefixes differ and JS never verifies such a CACAO. Ours counts UTF-8 bytes (as wallets
do), and refuses to CREATE a SIWE message with non-ASCII text at all (EIP-4361 messages are
ASCII), before the wallet is asked: no session exists that JS could not verify.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct

from did_session import AccountId, DIDSession, EthereumNodeAuth, SiweError, SiweMessage
from did_session.crypto import keccak256
from did_session.eth import personal_message_hash, recover_personal_signer
from tests.wallet import TestWallet

PREFIX = b"\x19Ethereum Signed Message:\n"
TEXTS = [
    "caf\u00e9",  # 1 UTF-16 unit, 2 UTF-8 bytes
    "Gr\u00fc\u00dfe aus K\u00f6ln",
    "\u65e5\u672c\u8a9e",  # 3 units, 9 bytes
    "sign in \U0001f600",  # an astral character: 2 units (a surrogate pair), 4 bytes
    "line one\nline two \u2713",
]


def utf16_length(text: str) -> int:
    """JS ``string.length``."""
    return len(text.encode("utf-16-le")) // 2


def js_quirk_hash(text: str) -> bytes:
    """What the JS verifier hashes: the UTF-16 length in the prefix, then the UTF-8 bytes."""
    data = text.encode("utf-8")
    return keccak256(PREFIX + str(utf16_length(text)).encode("ascii") + data)


@pytest.mark.parametrize("text", TEXTS)
def test_our_hash_counts_utf8_bytes_as_eth_account_does(text: str) -> None:
    data = text.encode("utf-8")
    assert utf16_length(text) != len(data)  # the quirk matters for every one of these
    ours = personal_message_hash(text)
    assert ours == keccak256(PREFIX + str(len(data)).encode("ascii") + data)
    assert ours == personal_message_hash(data)  # str and its UTF-8 bytes hash alike
    assert ours == bytes(_hash_eip191_message(encode_defunct(text=text)))
    assert ours == bytes(_hash_eip191_message(encode_defunct(primitive=data)))
    assert ours != js_quirk_hash(text)


def test_ascii_text_hashes_the_same_both_ways() -> None:
    text = "127.0.0.1 wants you to sign in with your Ethereum account:"
    assert personal_message_hash(text) == js_quirk_hash(text)


@pytest.mark.parametrize("text", TEXTS)
async def test_wallet_signature_over_non_ascii_recovers_with_utf8_hash(text: str) -> None:
    wallet = TestWallet()
    signature = await wallet.request(
        {"method": "personal_sign", "params": ["0x" + text.encode("utf-8").hex(), wallet.address]}
    )
    assert wallet.signed == [text]
    assert recover_personal_signer(text, signature) == wallet.address
    assert recover_personal_signer(text.encode("utf-8"), signature) == wallet.address
    assert Account.recover_message(encode_defunct(text=text), signature=signature) == wallet.address
    # The JS prefix recovers some other key: JS would call this signature invalid.
    quirk = Account._recover_hash(js_quirk_hash(text), signature=signature)
    assert quirk != wallet.address


def _message(**changes: object) -> SiweMessage:
    fields: dict[str, object] = {
        "domain": "127.0.0.1",
        "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "statement": "Give this application access to some of your data on Ceramic",
        "uri": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "version": "1",
        "chain_id": 1,
        "nonce": "abcdefgh12",
        "issued_at": "2025-01-01T00:00:00.000Z",
        "resources": ("ceramic://*",),
    }
    fields.update(changes)
    return SiweMessage(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statement", "Gr\u00fc\u00dfe: access to your data"),
        ("statement", "sign in \U0001f600"),
        ("domain", "b\u00fccher.example"),
        ("resources", ("ceramic://\u65e5\u672c",)),
        ("request_id", "r\u00e9q"),
    ],
)
def test_siwe_message_refuses_non_ascii(field: str, value: object) -> None:
    assert _message().to_message()  # the ASCII base message is fine
    with pytest.raises(SiweError, match="ASCII"):
        _message(**{field: value})


def test_parsing_non_ascii_message_is_refused() -> None:
    text = _message().to_message().replace("some of your data", "s\u00f6me of your data")
    with pytest.raises(SiweError, match="non-ASCII"):
        SiweMessage.from_message(text)


@pytest.mark.parametrize(
    ("app_name", "options"),
    [
        ("127.0.0.1", {"statement": "Gr\u00fc\u00dfe, \u65e5\u672c"}),
        ("127.0.0.1", {"resources": ["ceramic://*", "ceramic://caf\u00e9"]}),
        ("b\u00fccher.example", {}),
        ("127.0.0.1", {"request_id": "\u00e9"}),
    ],
)
async def test_auth_method_refuses_non_ascii_before_asking_the_wallet(
    app_name: str, options: dict[str, object]
) -> None:
    wallet = TestWallet()
    account = AccountId.parse(f"eip155:1:{wallet.address}")
    auth = EthereumNodeAuth.get_auth_method(wallet, account, app_name)
    kwargs: dict[str, object] = {"resources": ["ceramic://*"], **options}
    with pytest.raises(SiweError, match="ASCII"):
        await DIDSession.authorize(auth, **kwargs)  # type: ignore[arg-type]
    assert wallet.calls["personal_sign"] == 0
    assert wallet.signed == []


async def test_ascii_session_still_works_with_the_same_wallet() -> None:
    wallet = TestWallet()
    account = AccountId.parse(f"eip155:1:{wallet.address}")
    auth = EthereumNodeAuth.get_auth_method(wallet, account, "127.0.0.1")
    session = await DIDSession.authorize(auth, resources=["ceramic://*"])
    assert wallet.calls["personal_sign"] == 1
    assert wallet.signed[0].isascii()
    text = wallet.signed[0]
    assert personal_message_hash(text) == js_quirk_hash(text)  # JS verifies it too
    await session.did.create_jws({"caf\u00e9": "\u65e5\u672c"})  # payloads may be Unicode
