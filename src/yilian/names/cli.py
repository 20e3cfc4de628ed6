"""``yilian check name NAME [--division CODE] [--org-form KIND] [--parent-uscc CODE]``:
exit 0 when the name can be used, 1 with every problem and conflict (each naming its
rule, and the existing enterprise). ``--org-form`` applies the kind's name rules (a
branch's with its parent, ``--parent-uscc``)."""

from __future__ import annotations

from yilian.names import services


def check_name(name: str, division_code: str, org_form: str | None = None,
               parent_uscc: str = "") -> int:
    verdict = services.check_name(name, division_code, org_form, parent_uscc=parent_uscc)
    if verdict.acceptable:
        print(f"{name}: acceptable / 可以使用")
        return 0
    print(f"{name}: not acceptable / 不可使用")
    for error in verdict.errors():
        print(f"  [{error['code']}] {error['message_zh']} / {error['message_en']}")
    return 1
