"""What a shared deployment (生产部署) must be given, checked before anything starts.

On the embedded default one machine makes its own secret key and signing key in its
data dir. With ``YILIAN_DATABASE_URL`` any number of hosts share one database, and a key
a host made for itself breaks the others: a sign-in code texted by one host fails on
another (the code's hash uses the secret key), a license signed by one is "unknown key"
on another. So there every process — web, worker, management command — refuses to start
without both keys, naming the variables; ``yilian config``, ``yilian check uscc|id`` and
``yilian verify-license`` do not read the settings and still run.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from yilian.licenses import keys

HOWTO = (
    "How to make them / 生成方法:\n"
    "  YILIAN_SECRET_KEY / YILIAN_SECRET_KEY_FILE: python3 -c "
    "'import secrets; print(secrets.token_urlsafe(50))'\n"
    "  YILIAN_SIGNING_KEY / YILIAN_SIGNING_KEY_FILE: yilian signing-key new FILE "
    "(an Ed25519 private key, PEM PKCS#8)\n"
    "The same values on every host; see docs/DEPLOY.md.")


def problems(secret_key: str, signing_key: str, public: str, public_file: str) -> list[str]:
    """Each thing wrong with the shared keys, one line each (empty when all is well)."""
    found = []
    if not secret_key:
        found.append("YILIAN_SECRET_KEY (or YILIAN_SECRET_KEY_FILE) is not set / "
                     "未设置 Django 密钥")
    elif len(secret_key) < 32:
        found.append("YILIAN_SECRET_KEY is shorter than 32 characters / 密钥太短")
    if not signing_key:
        found.append("YILIAN_SIGNING_KEY (or YILIAN_SIGNING_KEY_FILE) is not set / "
                     "未设置执照签名密钥")
    else:
        try:
            pem = signing_key.encode() if keys.is_pem(signing_key) \
                else Path(signing_key).expanduser().read_bytes()
            keys.parse_private(pem, "YILIAN_SIGNING_KEY")
        except (OSError, ValueError) as exc:
            found.append(f"the signing key cannot be used / 签名密钥不可用: {exc}")
    try:
        keys.configured_public_keys(public, public_file)
    except (OSError, ValueError) as exc:
        found.append(f"YILIAN_SIGNING_PUBLIC_KEYS: {exc}")
    return found


def require_shared_keys(secret_key: str, signing_key: str, public: str,
                        public_file: str) -> None:
    """Raise ImproperlyConfigured listing every problem, with how to make the keys."""
    found = problems(secret_key, signing_key, public, public_file)
    if found:
        raise ImproperlyConfigured(
            "Yilian runs on a shared database (YILIAN_DATABASE_URL is set), so every host "
            "needs the same keys; it will not start without them.\n"
            "共享数据库（生产）部署须在每台主机上配置相同的密钥，否则拒绝启动。\n"
            + "".join(f"- {line}\n" for line in found) + HOWTO)
