"""Signing and verifying the electronic business license (电子营业执照).

A signed license is one JSON object::

    {"license": {...}, "signature": {"alg": "Ed25519", "key_id": "…", "value": "<base64>"}}

The signature covers the canonical JSON of ``license`` (sorted keys, no ASCII escaping,
compact separators, UTF-8), so a license re-indented by a text editor still verifies while
any change of content does not. Verification trusts only keys we hold — our own signing
key and any retired public keys in ``<data dir>/keys/trusted/`` — never a key carried in
the document, because whoever forges a license can carry a key along with it.

This module must work without a database (``yilian verify-license`` runs offline), so the
key location comes from Django settings when they are configured and from
:mod:`yilian.conf` otherwise.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALG = "Ed25519"
KEY_FILE = "license-signing.pem"

_lock = threading.Lock()
_private_cache: dict[Path, tuple[float, Ed25519PrivateKey]] = {}


def canonical(obj: Any) -> bytes:
    """The one byte form that is signed, and the form in which licenses are handed out."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _configured() -> tuple[str, Path]:
    """(explicit key path or "", data dir), from settings if Django is set up."""
    from django.conf import settings

    if settings.configured:
        return settings.LICENSE_SIGNING_KEY, Path(settings.DATA_DIR)
    from yilian import conf

    # Not conf.data_dir(): checking a file must not create directories as a side effect.
    return conf.get("YILIAN_SIGNING_KEY"), Path(conf.get("YILIAN_DATA_DIR")).expanduser()


def key_path() -> Path:
    """Where our private signing key lives (it may not exist yet)."""
    explicit, data_dir = _configured()
    return Path(explicit).expanduser() if explicit else data_dir / "keys" / KEY_FILE


def trusted_dir() -> Path:
    """Public keys (PEM) of retired signing keys whose licenses must still verify."""
    return _configured()[1] / "keys" / "trusted"


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _create_key(path: Path) -> None:
    """Write a new key so that two processes starting at once end up with one key: the
    key is written to a private temp file, then hard-linked into place, which fails
    (instead of overwriting) if another process got there first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def private_key(create: bool = True) -> Ed25519PrivateKey:
    """Our signing key, made on first use when none is configured."""
    path = key_path()
    with _lock:
        if not path.exists():
            if not create or _configured()[0]:  # a configured key must exist
                raise FileNotFoundError(f"license signing key not found: {path}")
            _create_key(path)
        mtime = path.stat().st_mtime
        cached = _private_cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        _private_cache[path] = (mtime, key)
        return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (a private key PEM is accepted too)."""
    try:
        key: Any = serialization.load_pem_public_key(pem)
    except ValueError:
        key = serialization.load_pem_private_key(pem, password=None).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key


def keyring(keys: list[Ed25519PublicKey]) -> dict[str, Ed25519PublicKey]:
    """Public keys by key id, the form :func:`check` takes."""
    return {key_id(public): public for public in keys}


def public_key_pem() -> bytes:
    """Our public key as PEM, to hand to whoever verifies licenses without our data dir."""
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def trusted_keys(extra: list[Ed25519PublicKey] | None = None) -> dict[str, Ed25519PublicKey]:
    """Every key a license may be signed by: ours (if it exists), retired ones, ``extra``.
    Verification never creates a key: an empty data dir trusts nothing."""
    keys: dict[str, Ed25519PublicKey] = {}
    if key_path().exists():
        public = private_key(create=False).public_key()
        keys[key_id(public)] = public
    folder = trusted_dir()
    if folder.is_dir():
        for pem in sorted(folder.glob("*.pem")):
            with contextlib.suppress(ValueError):
                public = load_public_key(pem.read_bytes())
                keys[key_id(public)] = public
    keys.update(keyring(extra or []))
    return keys


def sign(license_obj: dict[str, Any]) -> dict[str, Any]:
    """The signed document for ``license_obj``, with our key."""
    key = private_key()
    value = key.sign(canonical(license_obj))
    return {
        "license": license_obj,
        "signature": {"alg": ALG, "key_id": key_id(key.public_key()),
                      "value": base64.b64encode(value).decode("ascii")},
    }


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one document; ``license`` is set only when valid."""

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
    "missing": ("缺少执照内容或签名", "the license or its signature is missing"),
    "bad_alg": ("不支持的签名算法", "unsupported signature algorithm"),
    "malformed": ("签名值格式不正确", "the signature value is malformed"),
    "unknown_key": ("签名密钥不受信任（未知的密钥编号）",
                    "signed by an unknown key (not a trusted key id)"),
    "mismatch": ("签名不符：执照内容已被改动", "signature mismatch: the content was altered"),
}


def _fail(code: str, kid: str = "") -> Verification:
    zh, en = REASONS[code]
    return Verification(False, code, zh, en, kid)


def _parse(document: bytes | str | dict) -> Any:
    if isinstance(document, bytes | bytearray):
        document = bytes(document).decode("utf-8")  # UnicodeDecodeError is a ValueError
    if isinstance(document, str):
        return json.loads(document)
    return document


def check(document: bytes | str | dict,
          keys: dict[str, Ed25519PublicKey] | None = None) -> Verification:
    """Verify a signed license (bytes, text or parsed) against trusted ``keys``."""
    try:
        doc = _parse(document)
    except (ValueError, RecursionError):
        return _fail("not_json")
    if not isinstance(doc, dict):
        return _fail("not_object")
    lic, sig = doc.get("license"), doc.get("signature")
    if not isinstance(lic, dict) or not isinstance(sig, dict):
        return _fail("missing")
    alg, kid, value = sig.get("alg"), sig.get("key_id"), sig.get("value")
    if not isinstance(kid, str) or not isinstance(value, str):
        return _fail("missing")
    if alg != ALG:
        return _fail("bad_alg", kid)
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return _fail("malformed", kid)
    # b64decode ignores the unused low bits of the last character; insist on the one
    # canonical spelling so that no edit of the file, however small, goes unnoticed.
    if len(raw) != 64 or base64.b64encode(raw).decode("ascii") != value:
        return _fail("malformed", kid)
    public = (trusted_keys() if keys is None else keys).get(kid)
    if public is None:
        return _fail("unknown_key", kid)
    try:
        public.verify(raw, canonical(lic))
    except (InvalidSignature, ValueError):
        return _fail("mismatch", kid)
    zh, en = REASONS["valid"]
    return Verification(True, "valid", zh, en, kid, lic)


def verify(document: bytes | str | dict,
           keys: dict[str, Ed25519PublicKey] | None = None) -> tuple[bool, str]:
    """``(valid, reason)`` with the reason in Chinese and English ("中文 / English")."""
    result = check(document, keys)
    return result.valid, result.reason
