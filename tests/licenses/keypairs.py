"""Signing keys for tests as configuration holds them: PEM text, its public half, its id."""

from __future__ import annotations

from yilian.licenses import keys


def pem() -> str:
    """A fresh Ed25519 private key, as YILIAN_SIGNING_KEY holds it."""
    return keys.new_key_pem().decode()


def public(private_pem: str) -> str:
    """Its public half, as YILIAN_SIGNING_PUBLIC_KEYS holds it."""
    return keys.public_pem(keys.parse_private(private_pem.encode())).decode()


def key_id(private_pem: str) -> str:
    return keys.key_id(keys.parse_private(private_pem.encode()).public_key())
