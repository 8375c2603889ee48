"""Figures disclosed without retyping: generated from the modules that keep them.

Each function returns one table (title, columns, rows of plain strings) that a disclosure
freezes when proposed, so what the reviewer checked is exactly what is published, and nobody
copies a number by hand. Only counts and sums are disclosed, never a member's name."""

import datetime as dt
from typing import Any

from django.db.models import Count

from chuangxian.orgs.models import Organization

Table = dict[str, Any]

DUES = "dues_quarter"
MEETINGS = "meetings_year"
APPRAISAL = "appraisal_distribution"
TABLE_CHOICES = (
    (DUES, "本季度党费收缴情况"),
    (MEETINGS, "本年度三会一课召开情况"),
    (APPRAISAL, "最近一次考评结果分布"),
)


def _quarter_months(today: dt.date) -> list[dt.date]:
    first = (today.month - 1) // 3 * 3 + 1
    return [dt.date(today.year, m, 1) for m in range(first, first + 3) if m <= today.month]


def dues_quarter(org: Organization, today: dt.date) -> Table:
    from chuangxian.dues.figures import organization_dues

    rows = []
    for month in _quarter_months(today):
        totals = organization_dues(org, month, today=today).get(org.pk)
        if totals is None:
            continue
        rows.append(
            [
                f"{month:%Y-%m}",
                str(totals.owing),
                str(totals.paid_members),
                f"{totals.due:.2f}",
                f"{totals.paid:.2f}",
            ]
        )
    quarter = (today.month - 1) // 3 + 1
    return {
        "source": DUES,
        "title": f"{today.year}年第{quarter}季度党费收缴情况",
        "columns": ["月份", "应交人数", "已交人数", "应交金额（元）", "实交金额（元）"],
        "rows": rows,
    }


def meetings_year(org: Organization, today: dt.date) -> Table:
    from chuangxian.orglife.figures import meetings_held_vs_required
    from chuangxian.orglife.models import MeetingType
    from chuangxian.orglife.periods import Period

    counts = meetings_held_vs_required(org, Period(today.year, 1, 12), today=today)
    rows = [
        [str(MeetingType(kind).label), str(c.held), str(c.required) if c.required else "—"]
        for kind, c in counts.items()
        if c.held or c.required
    ]
    return {
        "source": MEETINGS,
        "title": f"{today.year}年三会一课召开情况（截至{today:%m月%d日}）",
        "columns": ["会议类型", "已召开", "应召开"],
        "rows": rows,
    }


def appraisal_distribution(org: Organization, today: dt.date) -> Table:
    from chuangxian.appraisal.models import Round, RoundStatus, SubjectResult

    round_ = (
        Round.objects.filter(status=RoundStatus.PUBLISHED, subjects__organization=org)
        .distinct()
        .order_by("-year", "-id")
        .first()
    )
    rows: list[list[str]] = []
    title = "考评结果分布（尚无已公布的考评）"
    if round_ is not None and round_.published_version is not None:
        title = f"{round_.name}结果分布"
        grades = (
            SubjectResult.objects.filter(
                round=round_, version=round_.published_version, subject__organization=org
            )
            .values("grade")
            .annotate(n=Count("subject"))
            .order_by("grade")
        )
        total = sum(g["n"] for g in grades)
        rows = [[g["grade"], str(g["n"]), f"{g['n'] / total:.0%}"] for g in grades if total]
    return {"source": APPRAISAL, "title": title, "columns": ["等次", "人数", "占比"], "rows": rows}


GENERATORS = {DUES: dues_quarter, MEETINGS: meetings_year, APPRAISAL: appraisal_distribution}


def generate(sources: list[str], org: Organization, today: dt.date) -> list[Table]:
    return [GENERATORS[source](org, today) for source in sources if source in GENERATORS]
