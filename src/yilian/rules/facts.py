"""What the rules look at: the parts of an application that admission depends on, and the
catalogue items its business scope matched. Plain data, so the engine stays pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ScopeItem:
    """One normalized business-scope entry (经营范围规范表述) as the catalogue says it."""

    id: str
    text: str
    industry_class: str
    kind: str  # "general" 一般项目 | "licensed" 许可项目
    timing: str = ""  # "pre" 前置 | "post" 后置 (licensed only)
    department: str = ""
    permit: str = ""
    commitment: bool = False  # 告知承诺 allowed
    negative_list_id: str = ""  # the 市场准入负面清单 item it falls under, if any


@dataclass(frozen=True)
class NegativeItem:
    """One item of the market-access negative list (市场准入负面清单) in force."""

    id: str
    text: str
    kind: str  # "prohibited" 禁止准入类 | "licensed" 许可准入类
    #: 告知承诺 for the scope entries under it: None = as each entry says.
    commitment: bool | None = None


@dataclass(frozen=True)
class Catalogues:
    """The catalogues in force for one decision, each with the edition it came from."""

    scope: dict[str, ScopeItem]  # by normalized text
    negative_list: dict[str, NegativeItem]
    pre_registration: frozenset[str]  # ids of scope items on the 前置审批 catalogue
    editions: dict[str, str]
    #: Words that put any wording under a prohibited negative-list item (term -> item id).
    prohibited_terms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    scope: tuple[str, ...]
    registered_capital: Decimal | None
    org_form: str
    corporate_investors: int
    permits: dict[str, str] = field(default_factory=dict)  # scope item id -> permit number
    pledges: frozenset[str] = frozenset()  # scope item ids the applicant pledged for
    #: Scope item ids whose permit the issuing department confirmed (许可核验): only
    #: these are relied on; a number the applicant typed is never taken on its word.
    verified_permits: frozenset[str] = frozenset()
    #: For the other typed permits: what the department answered, for the examiner.
    permit_answers: dict[str, str] = field(default_factory=dict)
