"""The guarantees checklists (保障): what each item means and whom it applies to.

一定三有 (村党组织书记的待遇保障) applies to village branches, 四有一化 (社区党组织阵地建设) to
community ones; the items follow common local practice and are kept here, in one place, so a
province with its own wording edits this table only."""

from dataclasses import dataclass

from chuangxian.orgs.models import Organization, Sector


@dataclass(frozen=True)
class Checklist:
    code: str
    name: str
    sectors: frozenset[str]
    items: tuple[tuple[str, str], ...]  # (item code, label)


CHECKLISTS = (
    Checklist(
        "yiding_sanyou",
        "一定三有",
        frozenset({Sector.RURAL}),
        (
            ("fixed_pay", "定报酬：村党组织书记报酬按标准定额发放"),
            ("pension", "有养老保险"),
            ("medical", "有医疗保险"),
            ("leaving_allowance", "有离任生活补贴"),
        ),
    ),
    Checklist(
        "siyou_yihua",
        "四有一化",
        frozenset({Sector.COMMUNITY}),
        (
            ("venue", "有活动场所"),
            ("sign", "有标识牌子"),
            ("rules", "有制度上墙"),
            ("funds", "有工作经费"),
            ("standardized", "规范化：阵地建设达到规范化标准"),
        ),
    ),
)
ITEM_LABELS = {code: label for checklist in CHECKLISTS for code, label in checklist.items}


def checklists_for(org: Organization) -> list[Checklist]:
    return [c for c in CHECKLISTS if org.sector in c.sectors and org.is_branch]
