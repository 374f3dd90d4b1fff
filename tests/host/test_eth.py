"""did_session.eth: EIP-55 and EIP-191 personal_sign, with the facade and with the pure
crypto forced in, against eth-account's published values and on random inputs."""

from __future__ import annotations

import random
from typing import Any

import pytest

import did_session.eth as eth
from did_session.crypto import keccak, secp256k1
from did_session.errors import AccountIdError, InvalidSignatureError, MalformedError
from tests.conftest import load_vector

EIP191 = "ethereum/eip191_personal_sign_eth-account.json"


@pytest.fixture(params=["facade", "pure"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run eth.py on the facade (native here) and on the pure modules."""
    if request.param == "pure":
        monkeypatch.setattr(eth, "keccak256", keccak.keccak256)
        monkeypatch.setattr(eth, "secp256k1_recover", secp256k1.recover)
        monkeypatch.setattr(eth, "secp256k1_sign_recoverable", secp256k1.sign_recoverable)
    return str(request.param)


# --- EIP-55 ------------------------------------------------------------------------


def test_eip55_vectors(backend: str) -> None:
    data = load_vector("ethereum/eip55_checksum.json")
    for kind, addresses in data["valid_checksummed"].items():
        for address in addresses:
            assert eth.to_checksum_address(address.lower()) == address
            assert eth.to_checksum_address("0x" + address[2:].upper()) == address
            assert eth.to_checksum_address(address) == address
            # All-caps / all-lower carry no checksum: not accepted as checksum addresses.
            assert eth.is_checksum_address(address) is (kind == "normal")
    example = data["js_example"]
    assert eth.to_checksum_address(example["input"]) == example["toChecksumAddress"]


def test_eip55_one_flipped_letter_is_rejected() -> None:
    for address in load_vector("ethereum/eip55_checksum.json")["valid_checksummed"]["normal"]:
        for i, c in enumerate(address):
            if i >= 2 and c.isalpha():
                flipped = address[:i] + c.swapcase() + address[i + 1 :]
                assert not eth.is_checksum_address(flipped), flipped


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "0x",
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        " 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA\u0661d",
        None,
        b"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    ],
)
def test_malformed_addresses(bad: Any) -> None:
    with pytest.raises(AccountIdError):
        eth.to_checksum_address(bad)
    assert eth.is_checksum_address(bad) is False


# --- EIP-191 ------------------------------------------------------------------------


def test_personal_sign_known_answer(backend: str) -> None:
    for case in load_vector(EIP191)["personal_sign_known_answer"]:
        key = bytes.fromhex(case["private_key"][2:])
        message = case["message_utf8"]
        assert message.encode() == bytes.fromhex(case["message_hex"])
        assert eth.personal_message_hash(message).hex() == case["message_hash"][2:]
        assert eth.personal_message_hash(message.encode()) == eth.personal_message_hash(message)
        # RFC 6979 everywhere: the same bytes as eth-account.
        assert eth.sign_personal_message(key, message) == case["signature"]
        assert eth.recover_personal_signer(message, case["signature"]) == case["address"]
        sig = bytes.fromhex(case["signature"][2:])
        assert sig[64] == case["v"]
        assert eth.recover_personal_signer(message, sig) == case["address"]
        pub = secp256k1.public_key(key)
        assert eth.address_from_public_key(pub) == case["address"]


def test_recover_leading_zero_signatures(backend: str) -> None:
    for case in load_vector(EIP191)["recover_with_leading_zero_bytes"]:
        signature = case["signature"]
        assert (
            eth.recover_personal_signer(case["message_utf8"], signature) == case["expected_address"]
        )
        assert (
            eth.recover_personal_signer(case["message_utf8"], bytes.fromhex(signature[2:]))
            == case["expected_address"]
        )


def test_defunct_hashes(backend: str) -> None:
    data = load_vector(EIP191)
    for case in data["defunct_hash_message_text"]:
        assert eth.personal_message_hash(case["text"]).hex() == case["hash"][2:]
    for case in data["defunct_hash_message_hexstr"]:
        raw = bytes.fromhex(case["hexstr"][2:])
        assert eth.personal_message_hash(raw).hex() == case["hash"][2:]


def test_utf8_byte_length_in_prefix() -> None:
    text = "I\u2665SF"  # 4 characters, 6 UTF-8 bytes
    expected = keccak.keccak256(b"\x19Ethereum Signed Message:\n6" + text.encode())
    assert eth.personal_message_hash(text) == expected


def test_v_values(backend: str) -> None:
    case = load_vector(EIP191)["personal_sign_known_answer"][0]
    sig = bytes.fromhex(case["signature"][2:])
    recid = sig[64] - 27
    for v in (recid, recid + 27):
        assert (
            eth.recover_personal_signer(case["message_utf8"], sig[:64] + bytes([v]))
            == case["address"]
        )
    # The other parity recovers some other key, never the signer.
    other = eth.recover_personal_signer(case["message_utf8"], sig[:64] + bytes([recid ^ 1]))
    assert other != case["address"]
    for v in (2, 3, 4, 26, 29, 30, 35, 36, 37, 38, 255):
        with pytest.raises(InvalidSignatureError):
            eth.recover_personal_signer(case["message_utf8"], sig[:64] + bytes([v]))


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        bytes(64),
        bytes(66),
        "",
        "0x",
        "0x" + "00" * 64,
        "0x" + "00" * 66,
        "e6" * 65,
        "0X" + "11" * 65,
        "0x" + "zz" * 65,
        "0x" + "11" * 64 + "1",
        None,
        12345,
        "0x" + "00" * 64 + "1b",  # r = s = 0
        "0x" + "ff" * 64 + "1b",  # r, s >= n
    ],
)
def test_malformed_signatures(bad: Any, backend: str) -> None:
    with pytest.raises(InvalidSignatureError):
        eth.recover_personal_signer("hello", bad)


def test_address_from_public_key_validation() -> None:
    pub = secp256k1.public_key(bytes(31) + b"\x01")
    assert eth.address_from_public_key(pub) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
    for bad in (pub[:-1], secp256k1.compress(pub), b"\x05" + pub[1:]):
        with pytest.raises(MalformedError):
            eth.address_from_public_key(bad)


def test_sign_personal_message_bad_key() -> None:
    with pytest.raises(MalformedError):
        eth.sign_personal_message(bytes(32), "x")


def test_random_against_eth_account(backend: str) -> None:
    account = pytest.importorskip("eth_account")
    messages = pytest.importorskip("eth_account.messages")
    rnd = random.Random(31)
    alphabet = "abc XYZ 019 \u00e9\u2665\U0001f600\n"
    for _ in range(15):
        key = rnd.randbytes(32)
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 80)))
        acct = account.Account.from_key(key)
        signed = acct.sign_message(messages.encode_defunct(text=text))
        expected = "0x" + bytes(signed.signature).hex()
        assert eth.sign_personal_message(key, text) == expected
        assert eth.recover_personal_signer(text, expected) == acct.address
        assert eth.to_checksum_address(acct.address.lower()) == acct.address
        raw = rnd.randbytes(rnd.randrange(0, 300))
        signed = acct.sign_message(messages.encode_defunct(primitive=raw))
        assert eth.recover_personal_signer(raw, bytes(signed.signature)) == acct.address
