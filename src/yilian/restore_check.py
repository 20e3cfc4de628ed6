"""``yilian restore-check``: what an operator runs after restoring a backup (恢复检查).

A restored database is only half a restore: the licenses in it were signed by keys that
live outside it (``YILIAN_SIGNING_KEY`` and the retired public keys of
``YILIAN_SIGNING_PUBLIC_KEYS``), and so were the audit trail's checkpoints. A service
started on the restored database with a freshly made key runs, serves and signs — and
every genuine license it is asked about reads as forged ("unknown key"), measured. This
check says so before the service is opened to the public:

- migrations: every migration of this release is applied (a dump from an older release is
  migrated first; an empty or half-restored database shows here);
- signing keys: every key that signed a stored license, or an audit checkpoint, is one
  the configuration trusts (one grouped query covers every license), and a sample of
  licenses of each key verifies in full;
- the audit trail verifies (:func:`yilian.audit.verification.verify_all`);
- the generated-files store answers (a bucket with its credentials); its content is only
  a cache, rendered again when missing;
- and, for information, the chains that were running when the backup was made: the
  workers and the sweeper finish them (claims of workers that are gone expire).

Exit 0 when all is well, 1 naming each problem, 2 when the database cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.utils import timezone

OK, FAILED, INFO = "OK", "FAILED", "info"


@dataclass(frozen=True)
class Finding:
    """One line of the check: its outcome (OK, FAILED or info), what it is about, and
    what it found in English and Chinese."""

    outcome: str
    topic: str
    en: str
    zh: str

    def __str__(self) -> str:
        return f"{self.outcome:<7} {self.topic}: {self.en} / {self.zh}"


def migrations() -> Finding:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        applied = len(executor.loader.applied_migrations)
        return Finding(OK, "migrations", f"all {applied} applied", "迁移已全部应用")
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
    more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
    return Finding(
        FAILED, "migrations",
        f"{_count(len(plan), 'migration')} not applied ({names}{more}): run `yilian "
        "manage migrate` (none applied: the restore did not load)",
        f"{len(plan)}个迁移未应用：请运行 yilian manage migrate（全部未应用说明数据库未恢复）")


# Said once, under the findings, when a key is missing: what it means and what to do.
MISSING_KEY_ADVICE = (
    "Started like this, every genuine license signed by an untrusted key reads as forged "
    "(\"unknown key\") on the API, the page its QR code opens and `yilian verify-license`, "
    "and the audit checkpoints it signed fail `yilian audit verify`. A new key cannot make "
    "them verify: restore YILIAN_SIGNING_KEY and YILIAN_SIGNING_PUBLIC_KEYS from the backup "
    "of the keys (docs/DEPLOY.md, Backup and restore).\n"
    "照此启动，由不受信任的密钥签名的真实执照在核验接口、二维码核验页和 yilian verify-license "
    "中都将被判定为伪造（未知密钥），其签名的审计检查点也无法通过 yilian audit verify。"
    "新生成的密钥无法使其通过核验：请从密钥备份中恢复 YILIAN_SIGNING_KEY 和 "
    "YILIAN_SIGNING_PUBLIC_KEYS。")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def license_keys(sample: int = 20) -> list[Finding]:
    """Every signing key of a stored license or checkpoint trusted; ``sample`` licenses of
    each key (the newest) verified in full."""
    from yilian.audit.models import Checkpoint
    from yilian.licenses import signing
    from yilian.licenses.models import License

    trusted = signing.trusted_keys()
    found: list[Finding] = []
    by_key = dict(License.objects.values_list("key_id").annotate(n=Count("id"))
                  .order_by("key_id"))
    checkpoints = dict(Checkpoint.objects.values_list("key_id").annotate(n=Count("id"))
                       .order_by("key_id"))
    for kid in sorted(set(by_key) | set(checkpoints)):
        if kid in trusted:
            continue
        licenses, signed = by_key.get(kid, 0), checkpoints.get(kid, 0)
        found.append(Finding(
            FAILED, "signing keys",
            f"key {kid} signed {_count(licenses, 'license')} and "
            f"{_count(signed, 'audit checkpoint')}, and is not trusted: neither the "
            "configured YILIAN_SIGNING_KEY nor one of YILIAN_SIGNING_PUBLIC_KEYS",
            f"密钥{kid}签名了{licenses}份执照和{signed}个审计检查点，但不是受信任的密钥"
            "（既不是所配置的签名密钥，也不在 YILIAN_SIGNING_PUBLIC_KEYS 中）"))
    checked = verified = 0
    for kid in sorted(set(by_key) & set(trusted)):
        for lic in License.objects.filter(key_id=kid).order_by("-issued_at")[:max(sample, 0)]:
            checked += 1
            result = signing.check(lic.signed)
            if result.valid:
                verified += 1
            else:
                found.append(Finding(FAILED, "signing keys",
                                     f"the license of {lic.uscc} does not verify: "
                                     f"{result.reason_en}",
                                     f"{lic.uscc}的执照未通过核验：{result.reason_zh}"))
    if not found:
        total = sum(by_key.values())
        found.append(Finding(
            OK, "signing keys",
            f"{_count(total, 'license')} signed by {_count(len(by_key), 'key')}, every key "
            f"trusted; {verified} of {checked} sampled verify",
            f"{total}份执照由{len(by_key)}个密钥签名，均为受信任密钥；"
            f"抽查{checked}份，{verified}份核验通过"))
    return found


def audit_trail() -> Finding:
    from yilian.audit import checkpoints
    from yilian.audit.models import Checkpoint
    from yilian.audit.verification import verify_all

    report = verify_all()
    if report.ok:
        return Finding(OK, "audit trail",
                       f"{report.entries} entries in {report.streams} streams, "
                       f"{report.checkpoints} checkpoints verify",
                       f"{report.streams}个记录流共{report.entries}条记录、"
                       f"{report.checkpoints}个检查点核验通过")
    shown = "; ".join(f"{b.where}: {b.en}" for b in report.breaks[:3])
    more = f" (and {len(report.breaks) - 3} more: yilian audit verify)" \
        if len(report.breaks) > 3 else ""
    hint_en = hint_zh = ""
    anchor = checkpoints.read_anchor()
    last = Checkpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if anchor is not None and anchor["seq"] > last:
        # The data dir saw checkpoints this database does not have: a restore of an older
        # backup onto the same host, or checkpoints deleted since. Only the operator knows.
        hint_en = (f". The data dir's anchor ({checkpoints.anchor_path()}) names checkpoint "
                   f"{anchor['seq']} and the database ends at {last}: if this backup is "
                   "older than this data dir, what was written since it is lost; once that "
                   "is understood, move the anchor aside and check again")
        hint_zh = (f"。数据目录的锚点记录了检查点{anchor['seq']}，数据库只到{last}：若备份早于"
                   "该数据目录，备份之后写入的内容已丢失；确认后将锚点文件移走再检查")
    return Finding(FAILED, "audit trail",
                   f"{_count(len(report.breaks), 'break')}: {shown}{more}{hint_en}",
                   f"审计日志有{len(report.breaks)}处异常{hint_zh}")


def stored_files() -> Finding:
    """The generated-files store answers (a bucket: reachable with these credentials). Its
    content needs no restoring: a missing PDF is rendered again, the same bytes."""
    from yilian.licenses.models import License
    from yilian.licenses.pdf import cache_name
    from yilian.storage import generated

    newest = License.objects.order_by("-issued_at").first()
    if newest is None:
        return Finding(INFO, "stored files", "no license yet", "尚无执照")
    try:
        there = generated().exists(cache_name(newest))
    except Exception as exc:  # whatever the store's library raises (boto3 has its own)
        return Finding(FAILED, "stored files",
                       f"the generated-files store cannot be read: {exc}",
                       f"生成文件存储无法读取：{exc}")
    if there:
        return Finding(OK, "stored files", "the newest license's PDF is in the store",
                       "最新执照的PDF文件在存储中")
    return Finding(INFO, "stored files",
                   "the newest license's PDF is not stored: it is rendered again on its first "
                   "download, the same bytes",
                   "最新执照的PDF文件不在存储中：首次下载时重新生成，内容相同")


def chains() -> Finding:
    from yilian.chain.models import Chain, Step, StepStatus

    running = Chain.objects.filter(finished_at__isnull=True).count()
    abandoned = Step.objects.filter(status=StepStatus.RUNNING).count()
    failed = Step.objects.filter(status=StepStatus.FAILED).count()
    return Finding(
        INFO, "chains",
        f"{running} unfinished; {_count(abandoned, 'step')} claimed (a claim of a worker "
        f"that is gone is taken back when its lease runs out), {failed} waiting for a person: "
        "the workers finish the rest",
        f"{running}条链未办结；{abandoned}个环节已被认领（已不存在的工作进程的认领在租约"
        f"到期后收回），{failed}个环节待人工处理：其余由工作进程继续办理")


def run(sample: int = 20) -> tuple[int, list[Finding]]:
    """``(exit status, findings)``; status 2 (and one finding) when the database cannot
    be read at all."""
    try:
        first = migrations()
        if first.outcome == FAILED:  # nothing else can be read reliably
            return 1, [first]
        found = [first, *license_keys(sample), audit_trail(), stored_files(), chains()]
    except DatabaseError as exc:
        return 2, [Finding(FAILED, "database", f"cannot be read: {exc}".strip(),
                           "无法读取数据库")]
    return (1 if any(f.outcome == FAILED for f in found) else 0), found


def main(sample: int = 20) -> int:
    """Print the findings and a verdict; the exit status of ``yilian restore-check``."""
    status, found = run(sample)
    print(f"restore check / 恢复检查 ({timezone.now():%Y-%m-%d %H:%M:%S %Z})")
    for finding in found:
        print(f"  {finding}")
    if status == 0:
        print("RESTORE CHECK PASSED: the keys verify the stored licenses and the audit trail "
              "/ 恢复检查通过")
    else:
        if any(f.outcome == FAILED and f.topic == "signing keys" and f.en.startswith("key ")
               for f in found):
            print(MISSING_KEY_ADVICE)
        problems = sum(f.outcome == FAILED for f in found)
        print(f"RESTORE CHECK FAILED: {problems} problems; do not open the service until "
              f"they are fixed / 恢复检查未通过：{problems}个问题，修复前请勿对外提供服务")
    return status
