"""``yilian signing-key show | new FILE | rotate``: the license signing key (签名密钥).

``show`` and ``new`` read no database and set up no Django (like ``verify-license``), so
an operator can run them on a machine of their own. ``rotate`` rotates the embedded
default's key in its data dir; a key given by configuration is rotated by the procedure
in docs/DEPLOY.md (make the new key with ``new``, trust its public half
everywhere, switch, keep the old public half), which ``rotate`` prints instead.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from yilian.licenses import keys

PROCEDURE = """\
The signing key comes from YILIAN_SIGNING_KEY / YILIAN_SIGNING_KEY_FILE: rotate it on
every host together, so that no host ever meets a signature it does not trust.
签名密钥由配置提供，须在所有主机上按以下步骤轮换：
  1. yilian signing-key new new-key.pem       (prints the new key id and public key)
  2. add that public key to YILIAN_SIGNING_PUBLIC_KEYS(_FILE) on every host; restart
  3. yilian signing-key show --public > old.pem   (with the old key still configured)
  4. point YILIAN_SIGNING_KEY(_FILE) at new-key.pem and keep old.pem in
     YILIAN_SIGNING_PUBLIC_KEYS(_FILE) on every host; restart
Licenses and audit checkpoints signed with the old key keep verifying."""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("signing-key", help="license signing key: show | new FILE | rotate")
    actions = p.add_subparsers(dest="key_command", required=True)
    show = actions.add_parser("show", help="the current key id and every trusted key id")
    show.add_argument("--public", action="store_true",
                      help="print only the current key's public key (PEM)")
    new = actions.add_parser("new", help="write a new private key (PEM, mode 0600) to FILE")
    new.add_argument("file")
    actions.add_parser("rotate", help="embedded data dir: retire the key, make a new one")
    return p


def run(args: argparse.Namespace) -> int:
    return {"show": _show, "new": _new, "rotate": _rotate}[args.key_command](args)


def _show(args: argparse.Namespace) -> int:
    if not keys.has_private_key():
        print("no signing key yet / 尚无签名密钥 (made on first use in the data dir)")
        return 1
    current = keys.private_key(create=False)
    if args.public:
        print(keys.public_pem(current).decode(), end="")
        return 0
    current_id = keys.key_id(current.public_key())
    path = keys.key_path()
    print(f"signing key {current_id} ({path or 'YILIAN_SIGNING_KEY'}) / 当前签名密钥")
    for kid in sorted(keys.trusted_keys()):
        if kid != current_id:
            print(f"trusted     {kid} / 仍受信任的公钥")
    return 0


def _new(args: argparse.Namespace) -> int:
    path = Path(args.file)
    pem = keys.new_key_pem()
    try:  # 0600 from the start, never over an existing file (it may be the live key)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        print(f"cannot write {path}: {exc}")
        return 2
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    key = keys.parse_private(pem)
    print(f"new signing key {keys.key_id(key.public_key())} written to {path}")
    print(keys.public_pem(key).decode(), end="")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    try:
        old, new = keys.rotate()
    except keys.ConfiguredKey:
        print(PROCEDURE)
        return 1
    print(f"retired {old} (its public key stays trusted); now signing with {new}")
    print(f"已轮换签名密钥：{old} → {new}")
    return 0
