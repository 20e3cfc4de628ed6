"""``yilian verify-license FILE``: check a signed license JSON offline.

No database and no Django set-up: the trusted key comes from the data dir (or
``YILIAN_SIGNING_KEY``), or — for someone outside the registration authority — from a
public key given with ``--public-key``, in which case only that key is trusted and the data
dir is not touched. Also runnable as ``python -m yilian.licenses.cli``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yilian.licenses import signing


def _read(path: str) -> bytes:
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()


def _public_keys(public_key: str) -> dict:
    """``public_key`` is a PEM file's path or the PEM text itself."""
    pem = public_key.encode() if public_key.lstrip().startswith("-----BEGIN") \
        else Path(public_key).read_bytes()
    return signing.keyring([signing.load_public_key(pem)])


def verify_license_file(path: str, public_key: str | None = None) -> int:
    """Print VALID with the code and name, or INVALID with the reason; 0 when valid."""
    try:
        data = _read(path)
    except OSError as exc:
        print(f"INVALID: 无法读取文件 / cannot read the file: {exc}")
        return 1
    try:
        keys = _public_keys(public_key) if public_key else None
    except (OSError, ValueError) as exc:
        print(f"INVALID: 公钥无法使用 / the public key cannot be used: {exc}")
        return 1
    result = signing.check(data, keys)
    if not result.valid or result.license is None:
        print(f"INVALID: {result.reason_zh} / {result.reason_en}")
        return 1
    lic = result.license
    print(f"VALID: {lic.get('uscc', '')} {lic.get('name', '')}")
    print(f"  {result.reason_zh} / {result.reason_en} (key id {result.key_id})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yilian verify-license",
                                     description="verify a signed license JSON offline")
    parser.add_argument("file", help="the license JSON, or - for standard input")
    parser.add_argument("--public-key", default=None,
                        help="trust only this Ed25519 public key (PEM file)")
    args = parser.parse_args(argv)
    return verify_license_file(args.file, args.public_key)


if __name__ == "__main__":
    sys.exit(main())
