"""Where the license signing keys (执照签名密钥) come from, and how one is rotated.

One private key signs (licenses, audit checkpoints); every key whose public half we hold
verifies. Its id (:func:`key_id`) is printed on the license and named in the signature.

- The signing key: ``YILIAN_SIGNING_KEY`` (the PEM itself, or — as configured before —
  a path to it) or ``YILIAN_SIGNING_KEY_FILE`` (a mounted secret). On a shared database
  (production) the settings refuse to start without one, so every host signs with the
  same key. On the embedded default it is ``<data dir>/keys/license-signing.pem``, made on
  first use.
- Other trusted keys, public halves only: ``YILIAN_SIGNING_PUBLIC_KEYS`` (PEM blocks one
  after another), ``YILIAN_SIGNING_PUBLIC_KEYS_FILE`` (such a file, or a directory of
  ``*.pem``), and ``<data dir>/keys/trusted/*.pem``. Retired keys stay there so the
  licenses they signed still verify; the next key goes there before it is switched on,
  so hosts not yet switched already trust what it signs.

Trust comes from configuration, never from the database: the signatures are what shows
that the register's copy was not edited, so whoever can write the database must not be
able to add a key (docs/DECISIONS.md). This module works without a database or Django set
up (``yilian verify-license``), reading :mod:`yilian.conf` when settings are not
configured.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

log = logging.getLogger("yilian.licenses")
KEY_FILE = "license-signing.pem"
_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)

_lock = threading.Lock()
_private_cache: dict[Any, Ed25519PrivateKey] = {}


@dataclass(frozen=True)
class Source:
    """What the configuration says: the signing key (PEM text, a path, or "" for the
    data dir's), the other public keys (PEM text, a file or directory), the data dir."""

    key: str
    public: str
    public_file: str
    data_dir: Path


def source() -> Source:
    from django.conf import settings

    if settings.configured:
        return Source(settings.LICENSE_SIGNING_KEY, settings.LICENSE_PUBLIC_KEYS,
                      settings.LICENSE_PUBLIC_KEYS_FILE, Path(settings.DATA_DIR))
    from yilian import conf

    # Not conf.data_dir(): checking a file must not create directories as a side effect.
    return Source(configured_key(), conf.get("YILIAN_SIGNING_PUBLIC_KEYS"),
                  conf.get("YILIAN_SIGNING_PUBLIC_KEYS_FILE"),
                  Path(conf.get("YILIAN_DATA_DIR")).expanduser())


def configured_key() -> str:
    """The signing key as configured: PEM text or a path; "" when none is."""
    from yilian import conf

    return conf.get("YILIAN_SIGNING_KEY").strip() or conf.get("YILIAN_SIGNING_KEY_FILE").strip()


def is_pem(value: str | bytes) -> bool:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    return text.lstrip().startswith("-----BEGIN")


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def key_path() -> Path | None:
    """The file our private signing key is read from (it may not exist yet); None when
    the key is given inline."""
    configured = source()
    if is_pem(configured.key):
        return None
    if configured.key:
        return Path(configured.key).expanduser()
    return configured.data_dir / "keys" / KEY_FILE


def parse_private(pem: bytes, where: str = "the signing key") -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8); ValueError naming ``where`` otherwise."""
    try:
        key = serialization.load_pem_private_key(pem.strip() + b"\n", password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where} is not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{where} is not an Ed25519 private key")
    return key


def new_key_pem() -> bytes:
    """A fresh Ed25519 private key, PEM PKCS#8 unencrypted (kept as a secret)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def create_key(path: Path) -> None:
    """Write a new key so that two processes starting at once end up with one key: the
    key is written to a private temp file, then hard-linked into place, which fails
    (instead of overwriting) if another process got there first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new_key_pem())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def private_key(create: bool = True) -> Ed25519PrivateKey:
    """Our signing key; on the embedded default made on first use (``create``)."""
    configured = source().key
    if is_pem(configured):
        with _lock:
            cached = _private_cache.get(configured)
            if cached is None:
                cached = _private_cache[configured] = parse_private(configured.encode())
            return cached
    path = key_path()
    assert path is not None
    with _lock:
        if not path.exists():
            if not create or configured:  # a configured key must exist
                raise FileNotFoundError(f"license signing key not found: {path}")
            create_key(path)
        stat = path.stat()
        # Keyed by inode too: a rotation replaces the file within the same mtime tick.
        marker = (path, stat.st_mtime_ns, stat.st_ino)
        cached = _private_cache.get(marker)
        if cached is None:
            cached = _private_cache[marker] = parse_private(path.read_bytes(), str(path))
        return cached


def has_private_key() -> bool:
    path = key_path()
    return path is None or path.exists()


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
    """Public keys by key id, the form signature checks take."""
    return {key_id(public): public for public in keys}


def parse_public_bundle(data: bytes, where: str) -> list[Ed25519PublicKey]:
    """Every PEM block of ``data`` as a public key; ValueError naming ``where``."""
    blocks = _PEM_BLOCK.findall(data)
    if data.strip() and not blocks:
        raise ValueError(f"{where}: no PEM block found")
    found = []
    for number, block in enumerate(blocks, 1):
        try:
            found.append(load_public_key(block))
        except ValueError as exc:
            raise ValueError(f"{where}, key {number}: {exc}") from None
    return found


def configured_public_keys(public: str, public_file: str) -> list[Ed25519PublicKey]:
    """The public keys the configuration names (strict: a bad one is a ValueError, so a
    deployment finds out at start, not when a license is checked)."""
    found = parse_public_bundle(public.encode(), "YILIAN_SIGNING_PUBLIC_KEYS")
    if public_file:
        folder = Path(public_file).expanduser()
        files = sorted(folder.glob("*.pem")) if folder.is_dir() else [folder]
        for path in files:
            found += parse_public_bundle(path.read_bytes(), str(path))
    return found


def trusted_keys(extra: list[Ed25519PublicKey] | None = None) -> dict[str, Ed25519PublicKey]:
    """Every key a signature may be made by: ours (if it exists), the configured public
    keys, the data dir's ``keys/trusted/*.pem``, and ``extra``. Verification never
    creates a key: an empty data dir trusts nothing."""
    configured = source()
    found: list[Ed25519PublicKey] = []
    if has_private_key():
        found.append(private_key(create=False).public_key())
    try:
        found += configured_public_keys(configured.public, configured.public_file)
    except (OSError, ValueError) as exc:  # checked at start; a later edit must not 500
        log.error("signing public keys: %s", exc)
    folder = configured.data_dir / "keys" / "trusted"
    if folder.is_dir():
        for pem in sorted(folder.glob("*.pem")):
            with contextlib.suppress(ValueError):
                found.append(load_public_key(pem.read_bytes()))
    return keyring(found + (extra or []))


class ConfiguredKey(Exception):
    """The signing key comes from configuration: rotating it is the operator's procedure
    (docs/DEPLOY.md), not something one host may do to itself."""


def rotate() -> tuple[str, str]:
    """Embedded default: retire the data dir's key (its public half into
    ``keys/trusted/``, so what it signed still verifies) and put a new one in its place;
    ``(old id, new id)``."""
    configured = source()
    if configured.key:
        raise ConfiguredKey
    path = key_path()
    assert path is not None
    old = private_key()
    trusted = configured.data_dir / "keys" / "trusted"
    trusted.mkdir(mode=0o700, parents=True, exist_ok=True)
    old_id = key_id(old.public_key())
    from yilian.files import create_once

    create_once(trusted / f"{old_id}.pem", public_pem(old))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
    with os.fdopen(fd, "wb") as handle:
        handle.write(new_key_pem())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)  # atomic: a reader sees the old key or the new, never half
    return old_id, key_id(private_key().public_key())
