"""待办: what is due or overdue for the organizations a 书记, 党务干部 or 管理员 runs, each line
one tap from the page that resolves it.

Counts over a whole subtree come from a fixed number of grouped queries, whatever its size:
meetings by status (indexed), commitment items waiting for review, and the open reminders by
source — which the daily sweep (`chuangxian send_reminders`) derives from each module's own
per-organization tallies (cadence from MeetingTally, 第九条 from the dues checks, targets from
the roll-up). Only a branch's own cadence for the current period is computed live, for the
branches the user runs themselves (one small compliance pass each)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangxian.commitments.selectors import review_queue
from chuangxian.orglife.access import meetings_for
from chuangxian.orglife.compliance import CellState, compute_compliance
from chuangxian.orglife.models import Meeting, MeetingStatus
from chuangxian.orglife.periods import Period
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.models import Organization
from chuangxian.orgs.models.organization import TermStatus
from chuangxian.reminders.models import Severity
from chuangxian.reminders.selectors import reminders_for

# Open reminders by the module that raised them: what the line says. The 换届 reminders are
# left out: the term alerts are computed live below.
REMINDER_LINES = {
    "orglife.cadence": gettext_lazy("组织生活未按规定频次召开"),
    "dues.article9": gettext_lazy("党员连续未交党费或未参加组织生活（党章第九条）"),
    "campaigns.target": gettext_lazy("目标任务临近截止或已逾期"),
    "learning.hours": gettext_lazy("学时未达要求"),
    "orglife.duties": gettext_lazy("谈心谈话、书记讲党课尚未完成"),
    "commitments.progress": gettext_lazy("承诺进展待报告"),
}
SKIPPED_SOURCES = frozenset({"orgs.term"})
URGENT = frozenset({Severity.OVERDUE, Severity.ESCALATED})


@dataclass(frozen=True)
class TodoLine:
    key: str
    text: str
    count: int
    url: str
    urgent: bool = False


def _meeting_list(status: str) -> str:
    return f"{reverse('orglife:meetings')}?status={status}"


def _meeting_lines(user: Any, now: dt.datetime) -> list[TodoLine]:
    scope = scope_for(user)
    meetings = meetings_for(user)
    submitted = Q(status=MeetingStatus.SUBMITTED)
    counts = meetings.aggregate(
        to_hold=Count("pk", filter=Q(status=MeetingStatus.PLANNED, planned_start__lt=now)),
        attendance=Count(
            "pk",
            filter=Q(
                status__in=[MeetingStatus.HELD, MeetingStatus.RETURNED],
                attendance_recorded_at=None,
            ),
        ),
        no_minutes=Count("pk", filter=Q(status=MeetingStatus.HELD, minutes="")),
        to_submit=Count("pk", filter=Q(status=MeetingStatus.HELD, minutes__gt="")),
        returned=Count("pk", filter=Q(status=MeetingStatus.RETURNED)),
        # Minutes go to the superior: submitted meetings under the organizations the user
        # administers, less those of these organizations themselves.
        submitted_below=Count("pk", filter=submitted & scope.admin_q("organization__path")),
        submitted_own=Count(
            "pk", filter=submitted & Q(organization__path__in=list(scope.admin_paths))
        ),
    )
    counts["to_approve"] = counts["submitted_below"] - counts["submitted_own"]
    held = _meeting_list(MeetingStatus.HELD)
    specs = [
        ("to_hold", _("会议时间已过，待标记为已召开"), _meeting_list(MeetingStatus.PLANNED), True),
        ("attendance", _("已召开的会议待登记出席"), held, False),
        ("no_minutes", _("已召开的会议待填写会议记录"), held, False),
        ("to_submit", _("会议记录待提交上级审批"), held, False),
        ("returned", _("上级退回的会议记录待修改"), _meeting_list(MeetingStatus.RETURNED), True),
        ("to_approve", _("下级的会议记录待我审批"), _meeting_list(MeetingStatus.SUBMITTED), False),
    ]
    return [
        TodoLine(key, text, counts[key], url, urgent)
        for key, text, url, urgent in specs
        if counts[key]
    ]


def _cadence_lines(user: Any, today: dt.date, now: dt.datetime) -> list[TodoLine]:
    """This period's meetings the cadence asks of the branches (and their 党小组) the user runs
    as 书记 or 党务干部, not yet held: a line each, linking to the meeting already planned for
    it, or else to planning one."""
    scope = scope_for(user)
    if not scope.branch_paths:
        return []
    lines = []
    branches = organizations_for(user).filter(path__in=list(scope.branch_paths))
    planned: dict[tuple[int, str], list[Meeting]] = {}
    for meeting in meetings_for(user).filter(
        status=MeetingStatus.PLANNED, planned_start__gte=now - dt.timedelta(days=366)
    ):
        planned.setdefault((meeting.organization_id, meeting.meeting_type), []).append(meeting)
    for branch in branches.order_by("path")[:5]:
        report = compute_compliance(root=branch, period=Period.year_of(today), today=today)
        for row in report.rows:
            for result in row.results:
                for cell in result.cells():
                    current = cell.period.start <= today < cell.period.end
                    if not current or cell.state != CellState.PENDING:
                        continue
                    key = f"cadence-{row.org_id}-{result.rule.meeting_type}"
                    values = {
                        "org": row.name,
                        "period": cell.period.label,
                        "type": result.rule.meeting_type_label,
                    }
                    start, end = cell.period.aware_bounds()
                    ahead = [
                        m
                        for m in planned.get((row.org_id, result.rule.meeting_type), [])
                        if start <= m.planned_start < end
                    ]
                    if ahead:
                        # Already planned: the line leads to that meeting (to hold it).
                        meeting = min(ahead, key=lambda m: m.planned_start)
                        values["day"] = f"{timezone.localtime(meeting.planned_start):%m-%d}"
                        text = _("%(org)s%(period)s的%(type)s已安排在%(day)s") % values
                        lines.append(TodoLine(key, text, 1, meeting.get_absolute_url()))
                        continue
                    values["day"] = f"{cell.period.end - dt.timedelta(days=1):%m-%d}"
                    text = _("%(org)s%(period)s尚未召开%(type)s，%(day)s前完成") % values
                    url = f"{reverse('orglife:plan')}?org={row.org_id}"
                    lines.append(TodoLine(key, text, 1, url))
    return lines


def _reminder_lines(user: Any) -> list[TodoLine]:
    rows = (
        reminders_for(user)
        .exclude(source__in=SKIPPED_SOURCES)
        .order_by()
        .values("source", "severity")
        .annotate(n=Count("pk"))
    )
    by_source: dict[str, tuple[int, bool]] = {}
    for row in rows:
        count, urgent = by_source.get(row["source"], (0, False))
        by_source[row["source"]] = (count + row["n"], urgent or row["severity"] in URGENT)
    return [
        TodoLine(
            f"reminders-{source}",
            str(REMINDER_LINES.get(source, _("其他提醒"))),
            count,
            f"{reverse('reminders:list')}?source={source}",
            urgent,
        )
        for source, (count, urgent) in sorted(by_source.items())
    ]


def _term_line(user: Any, today: dt.date) -> list[TodoLine]:
    alerts: list[Organization] = org_selectors.term_alerts(user, today)
    if not alerts:
        return []
    overdue = sum(1 for org in alerts if org.term_status(today) == TermStatus.OVERDUE)
    url = alerts[0].get_absolute_url() if len(alerts) == 1 else reverse("orgs:tree")
    return [TodoLine("term", _("党组织换届已超期或将在90天内到期"), len(alerts), url, overdue > 0)]


def todo_lines(user: Any, *, today: dt.date, now: dt.datetime) -> list[TodoLine]:
    """Everything due for the user, urgent lines first."""
    lines = [*_cadence_lines(user, today, now), *_meeting_lines(user, now)]
    queue = review_queue(user)
    if queue:
        lines.append(
            TodoLine(
                "commitments",
                _("党员承诺待审核"),
                len(queue),
                reverse("commitments:review"),
            )
        )
    lines += _term_line(user, today) + _reminder_lines(user)
    return sorted(lines, key=lambda line: not line.urgent)
