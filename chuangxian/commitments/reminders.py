"""Quarterly 践诺 reminders: a published commitment with no progress reported in the current
quarter is flagged to its member (or, without an account, to the branch) in the last weeks of
the quarter — ahead of the quarter's end, not after it."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.urls import reverse

from chuangxian.campaigns.models import Campaign, CampaignStatus
from chuangxian.commitments.models import OPEN_STATUSES, CommitmentItem, CommitmentSheet
from chuangxian.orgs.models import User
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register

SOURCE = "commitments.progress"
# How long before the quarter's end the reminder appears.
DAYS_BEFORE_QUARTER_END = 21


def quarter_of(day: dt.date) -> tuple[int, dt.date, dt.date]:
    """(quarter number 1–4, first day, last day) of the quarter holding `day`."""
    index = (day.month - 1) // 3
    start = dt.date(day.year, index * 3 + 1, 1)
    following = dt.date(day.year + 1, 1, 1) if index == 3 else dt.date(day.year, index * 3 + 4, 1)
    return index + 1, start, following - dt.timedelta(days=1)


@register(SOURCE)
def progress_reminders(today: dt.date) -> Iterator[Due]:
    quarter, start, end = quarter_of(today)
    if (end - today).days > DAYS_BEFORE_QUARTER_END:
        return
    campaigns = [
        c
        for c in Campaign.objects.filter(status=CampaignStatus.ACTIVE).prefetch_related("phases")
        if c.allows("progress", today)
    ]
    if not campaigns:
        return
    silent = (
        CommitmentItem.objects.filter(status__in=OPEN_STATUSES, sheet__campaign__in=campaigns)
        .exclude(updates__reported_on__gte=start)
        .values_list("sheet_id", flat=True)
    )
    per_sheet: dict[int, int] = defaultdict(int)
    for sheet_id in silent:
        per_sheet[sheet_id] += 1
    sheets = CommitmentSheet.objects.filter(pk__in=list(per_sheet)).select_related(
        "organization", "member"
    )
    accounts = {
        user.member_id: user
        for user in User.objects.filter(
            member_id__in=[s.member_id for s in sheets if s.member_id is not None], is_active=True
        )
    }
    for sheet in sheets:
        account = accounts.get(sheet.member_id) if sheet.member_id is not None else None
        count = per_sheet[sheet.pk]
        subject = "您" if account is not None else sheet.subject_name
        yield Due(
            key=f"{SOURCE}:{sheet.pk}:{today.year}Q{quarter}",
            source=SOURCE,
            severity=Severity.AHEAD,
            text=(f"{subject}有{count}项公开承诺本季度尚未报告践诺进展，请在{end:%Y-%m-%d}前报告"),
            link=reverse("commitments:sheet", args=[sheet.pk]),
            due_on=end,
            user=account,
            organization=None if account is not None else sheet.organization,
        )
