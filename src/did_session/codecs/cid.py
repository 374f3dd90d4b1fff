"""Content identifiers (CIDs): what a CACAO's ``cap`` header and a DagJWS link point at.

did-session only *makes* CIDv1 with a sha2-256 multihash (``bafyrei...`` for DAG-CBOR), but
CIDs found inside DAG-CBOR data (tag 42) can be anything, so decoding is general:

* CIDv1 with any multicodec and any multihash (code and digest are kept as they are, the
  digest length must match the multihash length byte); ``digest`` is 32 bytes only for
  sha2-256. :meth:`CID.from_block` is the only place that hashes.
* CIDv0 (a bare sha2-256 multihash, printed as base58btc ``Qm...``), as IPFS / dag-pb
  links use it. Its codec is dag-pb (0x70).

Text form: multibase ``b`` (base32) for v1, plain base58btc for v0. Other multibases are
rejected (:class:`~did_session.errors.CIDError`).
"""

from __future__ import annotations

from typing import Final

from ..errors import CIDError, EncodingError
from .bases import b32decode, b32encode, b58decode, b58encode, varint_decode, varint_encode

__all__ = ["CID", "DAG_CBOR", "DAG_JSON", "DAG_PB", "IDENTITY", "RAW", "SHA2_256"]

DAG_CBOR: Final = 0x71
RAW: Final = 0x55
DAG_JSON: Final = 0x0129
DAG_PB: Final = 0x70
SHA2_256: Final = 0x12
IDENTITY: Final = 0x00

# Prefix of a CIDv1 dag-cbor sha2-256: the common case, precomputed.
_V1_DAG_CBOR_SHA256 = b"\x01\x71\x12\x20"


class CID:
    """An immutable, hashable CID. Compare with ``==``; ``str()`` gives the text form."""

    __slots__ = ("_bytes", "codec", "digest", "hash_code", "version")

    version: int
    codec: int
    hash_code: int
    digest: bytes
    _bytes: bytes

    def __init__(self, version: int, codec: int, digest: bytes, hash_code: int = SHA2_256) -> None:
        digest = bytes(digest)
        if version == 0:
            if codec != DAG_PB or hash_code != SHA2_256 or len(digest) != 32:
                raise CIDError("a CIDv0 is always dag-pb with a 32-byte sha2-256 digest")
            binary = b"\x12\x20" + digest
        elif version == 1:
            if hash_code == SHA2_256 and len(digest) != 32:
                raise CIDError("a sha2-256 digest must be 32 bytes")
            try:
                binary = (
                    b"\x01"
                    + varint_encode(codec)
                    + varint_encode(hash_code)
                    + varint_encode(len(digest))
                    + digest
                )
            except EncodingError as exc:
                raise CIDError(f"CID field out of range: {exc}") from exc
        else:
            raise CIDError(f"unsupported CID version {version!r}")
        self._init(version, codec, hash_code, digest, binary)

    def _init(self, version: int, codec: int, hash_code: int, digest: bytes, binary: bytes) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "version", version)
        setattr_(self, "codec", codec)
        setattr_(self, "hash_code", hash_code)
        setattr_(self, "digest", digest)
        setattr_(self, "_bytes", binary)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("CID is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("CID is immutable")

    # --- construction ----------------------------------------------------------------------

    @classmethod
    def from_block(cls, data: bytes, codec: int = DAG_CBOR) -> CID:
        """The CIDv1 (sha2-256) of a block of bytes encoded with ``codec``."""
        import hashlib

        digest = hashlib.sha256(data).digest()
        if codec != DAG_CBOR:
            return cls(1, codec, digest)
        # Hot path (every CACAO / DagJWS CID): skip the varint encoding of __init__.
        cid = object.__new__(cls)
        cid._init(1, DAG_CBOR, SHA2_256, digest, _V1_DAG_CBOR_SHA256 + digest)
        return cid

    @classmethod
    def decode(cls, binary: bytes) -> CID:
        """Parse the binary form (as found after the 0x00 in DAG-CBOR tag 42)."""
        binary = bytes(binary)
        # CIDv0 is a bare multihash; 0x12 is not a valid CID version, so no ambiguity.
        if len(binary) == 34 and binary[0] == 0x12 and binary[1] == 0x20:
            return cls(0, DAG_PB, binary[2:])
        try:
            version, pos = varint_decode(binary)
            if version != 1:
                raise CIDError(f"unsupported CID version {version}")
            codec, pos = varint_decode(binary, pos)
            hash_code, pos = varint_decode(binary, pos)
            length, pos = varint_decode(binary, pos)
        except EncodingError as exc:
            raise CIDError(f"malformed CID: {exc}") from exc
        if len(binary) - pos != length:
            raise CIDError("CID multihash length does not match its digest")
        cid = cls(1, codec, binary[pos:], hash_code)
        if cid._bytes != binary:  # pragma: no cover - varints are checked to be minimal
            raise CIDError("non-canonical CID bytes")
        return cid

    @classmethod
    def parse(cls, text: str) -> CID:
        """Parse ``b...`` (CIDv1, base32) or ``Qm...`` (CIDv0, base58btc)."""
        if not isinstance(text, str) or not text:
            raise CIDError("empty CID text")
        try:
            if text[0] == "b":
                cid = cls.decode(b32decode(text[1:]))
                if cid.version != 1:
                    raise CIDError("a CIDv0 must be written in base58btc")
                return cid
            if len(text) == 46 and text.startswith("Qm"):
                return cls.decode(b58decode(text))
        except EncodingError as exc:
            raise CIDError(f"malformed CID text: {exc}") from exc
        raise CIDError("unsupported CID text: expected multibase 'b' (base32) or a 'Qm' CIDv0")

    # --- views -------------------------------------------------------------------------------

    @property
    def multihash(self) -> bytes:
        """The multihash: varint hash code, varint digest length, digest."""
        if self.version == 0:
            return self._bytes
        return self._bytes[1 + len(varint_encode(self.codec)) :]

    def __str__(self) -> str:
        if self.version == 0:
            return b58encode(self._bytes)
        return "b" + b32encode(self._bytes)

    def __repr__(self) -> str:
        return f"CID({self})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CID):
            return self._bytes == other._bytes
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __reduce__(self) -> tuple[object, ...]:
        return (CID.decode, (self._bytes,))

    # Last in the class body: once defined, the name ``bytes`` means this property there.
    @property
    def bytes(self) -> bytes:
        """The binary form: varint version, varint codec, multihash (code, length, digest)."""
        return self._bytes
