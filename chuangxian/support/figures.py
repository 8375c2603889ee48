"""The figures a support plan is judged by, taken from the records when the plan opens and
again at the closing review (整顿验收), so "before" and "after" are read the same way."""

import datetime as dt

from chuangxian.orglife.models import HELD_STATUSES, Meeting
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.support.lagging import latest_tier, reasons_for

# Label of each figure, in display order.
FIGURE_LABELS = {
    "meetings_year": "近一年召开会议（次）",
    "members": "在册党员（人）",
    "tier": "最近考评档次",
    "term": "届期状态",
    "lagging_reasons": "后进情形（项）",
}


def plan_figures(org: Organization, today: dt.date) -> dict[str, str | int]:
    since = today - dt.timedelta(days=365)
    meetings = Meeting.objects.filter(
        organization=org, status__in=list(HELD_STATUSES), held_start__date__gte=since
    ).count()
    members = Member.objects.filter(organization=org, status=MemberStatus.ACTIVE).count()
    # Manual marks are left out: the figure says what the records show.
    reasons = [r for r in reasons_for(org, today) if r.code != "manual"]
    return {
        "meetings_year": meetings,
        "members": members,
        "tier": latest_tier(org) or "—",
        "term": str(org.term_status(today).label),
        "lagging_reasons": len(reasons),
    }


def figure_rows(
    before: dict[str, object], after: dict[str, object]
) -> list[tuple[str, object, object]]:
    return [
        (label, before.get(code, "—"), after.get(code, "—") if after else "—")
        for code, label in FIGURE_LABELS.items()
    ]
