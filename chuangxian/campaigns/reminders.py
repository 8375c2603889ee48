"""Target deadlines as reminders: 7 days ahead to the person responsible (the member's account,
or the organization), and once past, overdue to them and escalated to the organization that
set the target. The sweep resolves them when the target is complete."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.urls import reverse

from chuangxian.campaigns.models import CampaignStatus, LetterStatus, TargetItem
from chuangxian.campaigns.rollup import Node, progress_by_id
from chuangxian.orgs.models import User
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register

SOURCE = "campaigns.target"
AHEAD_DAYS = 7


@register(SOURCE)
def target_reminders(today: dt.date) -> Iterator[Due]:
    horizon = today + dt.timedelta(days=AHEAD_DAYS)
    live = TargetItem.objects.filter(campaign__status=CampaignStatus.ACTIVE).exclude(
        letter__status=LetterStatus.REVIEWED
    )
    due = list(
        live.filter(deadline__lte=horizon).select_related("organization", "set_by", "member")
    )
    if not due:
        return
    # Progress needs every item of those campaigns (a decomposed item rolls up its parts).
    by_campaign: dict[int, list[Node]] = defaultdict(list)
    rows = TargetItem.objects.filter(campaign_id__in={i.campaign_id for i in due}).values_list(
        "id", "campaign_id", "parent_id", "weight", "measure", "baseline", "target_value",
        "current_value", "done",
    )  # fmt: skip
    for pk, campaign_id, parent_id, weight, measure, baseline, target, value, done in rows:
        by_campaign[campaign_id].append(
            Node(pk, parent_id, weight, measure, baseline, target, value, done)
        )
    progress: dict[int, float] = {}
    for nodes in by_campaign.values():
        progress.update(progress_by_id(nodes))
    accounts = dict(
        User.objects.filter(member_id__in={i.member_id for i in due if i.member_id}).values_list(
            "member_id", "pk"
        )
    )
    users = User.objects.in_bulk(list(accounts.values()))
    for item in due:
        if progress.get(item.pk, 0.0) >= 1:
            continue
        yield from _dues(item, today, users.get(accounts.get(item.member_id or 0, 0)))


def _dues(item: TargetItem, today: dt.date, account: User | None) -> Iterator[Due]:
    link = reverse("campaigns:target", args=[item.pk])
    key = f"{SOURCE}:{item.pk}:{item.deadline}"
    holder = item.holder_label
    recipient = {"user": account} if account else {"organization": item.organization}
    if item.deadline >= today:
        yield Due(
            key=f"{key}:ahead",
            source=SOURCE,
            severity=Severity.AHEAD,
            text=f"目标“{item.title}”（{holder}）将于{item.deadline:%Y-%m-%d}到期，请抓紧推进并报告进展",
            link=link,
            due_on=item.deadline,
            **recipient,
        )
        return
    yield Due(
        key=f"{key}:overdue",
        source=SOURCE,
        severity=Severity.OVERDUE,
        text=f"目标“{item.title}”已于{item.deadline:%Y-%m-%d}到期，尚未完成",
        link=link,
        due_on=item.deadline,
        **recipient,
    )
    yield Due(
        key=f"{key}:escalated",
        source=SOURCE,
        severity=Severity.ESCALATED,
        text=f"{holder}的目标“{item.title}”已于{item.deadline:%Y-%m-%d}到期，尚未完成",
        link=link,
        due_on=item.deadline,
        # The organization that set the target: the superior of an organization's item,
        # the member's own organization for an item assigned by name.
        organization=item.set_by,
    )
