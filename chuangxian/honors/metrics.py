"""The yearly points total as an appraisal metric.

honors sits above appraisal, so appraisal never imports it: honors registers its metric into
appraisal's registry when the app is ready (apps.HonorsConfig.ready)."""

from collections.abc import Sequence

from chuangxian.appraisal.metrics import Period, register_metric
from chuangxian.honors import ledger
from chuangxian.orgs.models import Organization

MEMBER_METRIC = "honors.points_total"
ORGANIZATION_METRIC = "honors.organization_points_average"


def member_points(ids: Sequence[int], period: Period) -> dict[int, float | None]:
    """Each member's points total of the year (0.0 for a member without entries)."""
    totals = ledger.member_totals(ids, period.year)
    return {member_id: float(totals.get(member_id, 0)) for member_id in ids}


def organization_points(ids: Sequence[int], period: Period) -> dict[int, float | None]:
    """The average year total over the members with entries in each organization's subtree."""
    result: dict[int, float | None] = {}
    for org in Organization.objects.filter(pk__in=list(ids)):
        totals = ledger.subtree_member_totals(org, period.year)
        result[org.pk] = float(sum(totals.values()) / len(totals)) if totals else None
    return result


def member_points_explain(pk: int, period: Period) -> str:
    total = ledger.member_totals([pk], period.year).get(pk, 0)
    return f"积分台账{period.year}年合计{total}分（每条记录写明依据的规则和记录，可在积分页查看）"


def organization_points_explain(pk: int, period: Period) -> str:
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        return ""
    totals = ledger.subtree_member_totals(org, period.year)
    if not totals:
        return f"{period.year}年本组织及下级党员没有积分记录"
    return f"{period.year}年有积分记录的党员{len(totals)}名，合计{sum(totals.values())}分"


def register() -> None:
    register_metric(
        MEMBER_METRIC,
        "年度积分",
        "member",
        "higher",
        member_points,
        source="评先评优与积分：积分台账本年度合计（由出席、学时、党费、承诺、目标、表彰等记录自动计入）",
        explain=member_points_explain,
        unit="number",
    )
    register_metric(
        ORGANIZATION_METRIC,
        "党员年度平均积分",
        "organization",
        "higher",
        organization_points,
        source="评先评优与积分：本组织及下级有积分记录的党员的本年度平均积分",
        explain=organization_points_explain,
        unit="number",
    )
