"""Signing and verifying the electronic business license (电子营业执照).

A signed license is one JSON object::

    {"license": {...}, "signature": {"alg": "Ed25519", "key_id": "…", "value": "<base64>"}}

The signature covers the RFC 8785 canonical bytes (JCS, :mod:`yilian.licenses.jcs`) of
``license``, and the whole document is handed out in that same canonical form; a document
given as bytes must be exactly that form to verify (docs/license-format.md). Verification
trusts only keys we hold — our own signing key and the public keys of retired (or
coming) keys that the configuration names (:mod:`yilian.licenses.keys`) — never a key
carried in the document, because whoever forges a license can carry a key along with it.

This module must work without a database (``yilian verify-license`` runs offline).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from yilian.licenses import jcs

# Where keys come from lives in keys.py; these names are part of this module's surface.
from yilian.licenses.keys import (  # noqa: F401
    KEY_FILE,
    create_key,
    key_id,
    key_path,
    keyring,
    load_public_key,
    private_key,
    public_pem,
    trusted_keys,
)

ALG = "Ed25519"
LICENSE_SCHEMA = "yilian.license/1"


def canonical(obj: Any) -> bytes:
    """The one byte form that is signed, and the form in which licenses are handed out:
    RFC 8785 (JCS). Raises :class:`yilian.licenses.jcs.NotCanonicalizable` for a value
    that has none."""
    return jcs.canonical(obj)


def public_key_pem() -> bytes:
    """Our public key as PEM, to hand to whoever verifies licenses without our data dir."""
    return public_pem(private_key())


def sign_message(message: bytes) -> dict[str, str]:
    """A detached signature block (``alg``, ``key_id``, ``value``) over ``message``, with
    our key. Licenses sign their canonical bytes; other documents (audit checkpoints)
    prefix theirs with a context string so that no signature can pass for another's."""
    key = private_key()
    return {"alg": ALG, "key_id": key_id(key.public_key()),
            "value": base64.b64encode(key.sign(message)).decode("ascii")}


def sign(license_obj: dict[str, Any]) -> dict[str, Any]:
    """The signed document for ``license_obj``, with our key."""
    return {"license": license_obj, "signature": sign_message(canonical(license_obj))}


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one document; ``license`` — the content that was verified —
    is set only when valid."""

    valid: bool
    code: str
    reason_zh: str
    reason_en: str
    key_id: str = ""
    license: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def reason(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"


REASONS = {
    "valid": ("签名有效，执照内容未被改动", "signature valid; the content is unaltered"),
    "not_json": ("不是有效的 JSON 文档", "not a valid JSON document"),
    "not_object": ("文档应为 JSON 对象", "the document must be a JSON object"),
    "duplicate_key": ("文档中有重复的键名", "the document repeats a key"),
    "not_canonical": ("文档不是规范格式（RFC 8785）：请使用下载的原始文件，不要重新排版或编辑",
                      "the document is not in canonical form (RFC 8785): use the file as "
                      "downloaded, not reformatted or edited"),
    "missing": ("缺少执照内容或签名", "the license or its signature is missing"),
    "unexpected_field": ("文档含有签名范围之外的字段",
                         "the document has fields that the signature does not cover"),
    "bad_alg": ("不支持的签名算法", "unsupported signature algorithm"),
    "malformed": ("签名值格式不正确", "the signature value is malformed"),
    "unknown_key": ("签名密钥不受信任（未知的密钥编号）",
                    "signed by an unknown key (not a trusted key id)"),
    "mismatch": ("签名不符：执照内容已被改动", "signature mismatch: the content was altered"),
    "bad_schema": ("签名有效，但该文档不是电子营业执照",
                   "the signature is valid but the document is not a business license"),
}

DOCUMENT_FIELDS = frozenset({"license", "signature"})
SIGNATURE_FIELDS = frozenset({"alg", "key_id", "value"})


def _fail(code: str, kid: str = "") -> Verification:
    zh, en = REASONS[code]
    return Verification(False, code, zh, en, kid)


def check_signature(message: bytes, signature: Any,
                    keys: dict[str, Ed25519PublicKey] | None = None) -> tuple[str, str]:
    """``(code, key_id)`` for a detached signature block over ``message``: ``"valid"``
    or one of the failure codes of :data:`REASONS`. Only ``keys`` (default: every key we
    trust) count, never a key that the document names or carries."""
    if not isinstance(signature, dict):
        return "missing", ""
    alg, kid, value = signature.get("alg"), signature.get("key_id"), signature.get("value")
    if not isinstance(kid, str) or not isinstance(value, str):
        return "missing", ""
    if set(signature) != SIGNATURE_FIELDS:
        return "unexpected_field", kid
    if alg != ALG:
        return "bad_alg", kid
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "malformed", kid
    # b64decode ignores the unused low bits of the last character; insist on the one
    # canonical spelling so that no edit of the file, however small, goes unnoticed.
    if len(raw) != 64 or base64.b64encode(raw).decode("ascii") != value:
        return "malformed", kid
    public = (trusted_keys() if keys is None else keys).get(kid)
    if public is None:
        return "unknown_key", kid
    try:
        public.verify(raw, message)
    except (InvalidSignature, ValueError):
        return "mismatch", kid
    return "valid", kid


def _parse(document: bytes | str | dict) -> tuple[Any, bytes | None]:
    """The parsed document and, unless it came parsed, the bytes it came as."""
    if isinstance(document, dict):
        return document, None
    raw = document.encode("utf-8") if isinstance(document, str) else bytes(document)
    return jcs.parse(raw), raw


def check(document: bytes | str | dict,
          keys: dict[str, Ed25519PublicKey] | None = None) -> Verification:
    """Verify a signed license against trusted ``keys``.

    Bytes or text must be exactly the canonical form (RFC 8785) of the document: the
    format (docs/license-format.md) allows one spelling, so a file that differs from it
    in any byte — whitespace, member order, an escape, a repeated key — is refused rather
    than read one way here and another way elsewhere. A dict (the register's own copy)
    has no spelling to check; its content is canonicalized and verified."""
    try:
        doc, raw = _parse(document)
    except jcs.DuplicateKey:
        return _fail("duplicate_key")
    except (ValueError, RecursionError):
        return _fail("not_json")
    if not isinstance(doc, dict):
        return _fail("not_object")
    if raw is not None and not _is_canonical_form(doc, raw):
        return _fail("not_canonical")
    lic, sig = doc.get("license"), doc.get("signature")
    if not isinstance(lic, dict) or not isinstance(sig, dict):
        return _fail("missing")
    if set(doc) != DOCUMENT_FIELDS:
        return _fail("unexpected_field")
    try:
        message = canonical(lic)
    except (jcs.NotCanonicalizable, RecursionError):
        return _fail("not_canonical")
    code, kid = check_signature(message, sig, keys)
    if code != "valid":
        return _fail(code, kid)
    if lic.get("schema") != LICENSE_SCHEMA:
        return _fail("bad_schema", kid)
    zh, en = REASONS["valid"]
    return Verification(True, "valid", zh, en, kid, lic)


def _is_canonical_form(doc: Any, raw: bytes) -> bool:
    try:
        return jcs.canonical(doc) == raw
    except (jcs.NotCanonicalizable, RecursionError):
        return False


def verify(document: bytes | str | dict,
           keys: dict[str, Ed25519PublicKey] | None = None) -> tuple[bool, str]:
    """``(valid, reason)`` with the reason in Chinese and English ("中文 / English")."""
    result = check(document, keys)
    return result.valid, result.reason
