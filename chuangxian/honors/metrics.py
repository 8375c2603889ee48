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


def register() -> None:
    register_metric(MEMBER_METRIC, "年度积分", "member", "higher", member_points)
    register_metric(
        ORGANIZATION_METRIC, "党员年度平均积分", "organization", "higher", organization_points
    )
