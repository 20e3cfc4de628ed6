"""``yilian audit verify`` and ``yilian audit checkpoint``.

``verify`` only reads: it can run with a read-only database role and, with
``--public-key``, on a machine that holds no private key at all. It exits 0 when every
checkpoint and every stream verifies, 1 naming each break."""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    """The ``audit`` subcommands, for :mod:`yilian.cli`."""
    p = sub.add_parser("audit", help="audit trail: verify | checkpoint")
    actions = p.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="check every stream, checkpoint and the "
                                "stream set (exit 0 when all verify, 1 naming each break)")
    verify.add_argument("--public-key", default=None,
                        help="trust only this Ed25519 public key (PEM file)")
    actions.add_parser("checkpoint", help="sign a checkpoint of the stream heads now")
    return p


def run(args: argparse.Namespace) -> int:
    if args.audit_command == "checkpoint":
        return checkpoint()
    from yilian.licenses import signing

    keys = None
    if args.public_key:
        try:
            with open(args.public_key, "rb") as handle:
                keys = signing.keyring([signing.load_public_key(handle.read())])
        except (OSError, ValueError) as exc:
            print(f"公钥无法使用 / the public key cannot be used: {exc}")
            return 2
    return verify(keys)


def verify(keys: dict | None = None) -> int:
    from yilian.audit.verification import verify_all

    report = verify_all(keys)
    for broken in report.breaks:
        print(f"BROKEN {broken}")
    summary = (f"{report.entries} entries in {report.streams} streams, "
               f"{report.checkpoints} checkpoints; {report.unsealed_streams} streams "
               "written since the last checkpoint")
    if report.ok:
        print(f"OK: {summary} / 审计日志完整")
        return 0
    print(f"FAILED: {len(report.breaks)} breaks; {summary} / 审计日志有{len(report.breaks)}处异常")
    return 1


def checkpoint() -> int:
    from yilian.audit.checkpoints import make_checkpoint

    cp = make_checkpoint()
    if cp is None:
        print("nothing new since the last checkpoint / 自上一检查点以来无新记录")
    else:
        print(f"checkpoint {cp.seq}: {cp.hash} (key {cp.key_id})")
    return 0
