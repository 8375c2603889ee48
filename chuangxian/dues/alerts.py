"""Reminders from the 党章第九条 checks, for the daily sweep (`chuangxian send_reminders`).

For each rule and member: at 3 months without good reason the branch is warned (its secretary
and workers see it); at 5 the superior organization is told; at 6 the superior gets the
党章第九条 flag. Keys carry the first month of the run, so a paid month or an attended meeting
resolves the reminders and a new run later opens new ones."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse

from chuangxian.dues.checks import RULE_LABELS, Level, MemberCheck, Rule, check_members
from chuangxian.orgs.models import Organization
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register

SOURCE = "dues.article9"


@register(SOURCE)
def article9_reminders(today: dt.date) -> Iterator[Due]:
    flagged = [
        check
        for check in check_members(Q(), today=today)
        if check.dues.level or check.orglife.level
    ]
    if not flagged:
        return
    branch_ids = {check.branch_id for check in flagged}
    branches = Organization.objects.in_bulk(list(branch_ids))
    superiors = Organization.objects.in_bulk(
        [b.parent_id for b in branches.values() if b.parent_id is not None]
    )
    for check in flagged:
        branch = branches[check.branch_id]
        superior = superiors.get(branch.parent_id) if branch.parent_id else None
        yield from _dues_for(check, Rule.DUES, branch, superior or branch, today)
        yield from _dues_for(check, Rule.ORGLIFE, branch, superior or branch, today)


def _dues_for(
    check: MemberCheck, rule: Rule, branch: Organization, superior: Organization, today: dt.date
) -> Iterator[Due]:
    run = check.run(rule)
    if not run.level or run.started is None:
        return
    link = reverse("dues:member", args=[check.member_id])
    key = f"{SOURCE}:{rule}:{check.member_id}:{run.started:%Y%m}"
    what = RULE_LABELS[rule]
    yield Due(
        key=f"{key}:warn",
        source=SOURCE,
        severity=Severity.OVERDUE,
        text=f"{branch.name}党员{check.name}已连续{run.unexcused}个月{what}，请及时谈话提醒",
        link=link,
        due_on=today,
        organization=branch,
    )
    if run.level >= Level.ESCALATED:
        yield Due(
            key=f"{key}:escalate",
            source=SOURCE,
            severity=Severity.ESCALATED,
            text=f"{branch.name}党员{check.name}已连续{run.unexcused}个月{what}（无正当理由），"
            "请督促支部处理",
            link=link,
            due_on=today,
            organization=superior,
        )
    if run.level >= Level.ARTICLE9:
        yield Due(
            key=f"{key}:article9",
            source=SOURCE,
            severity=Severity.ESCALATED,
            text=f"党章第九条：{branch.name}党员{check.name}无正当理由连续{run.unexcused}个月{what}",
            link=link,
            due_on=today,
            organization=superior,
        )
