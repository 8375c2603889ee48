"""The work calendar (力度与节奏): every dated obligation of an organization's subtree from
every module, and the warnings that a quarter or a week is overloaded.

Obligations are read from the records where the modules keep them: planned meetings, the
cadence rules' periods still open (orglife), campaign phases, the commitment deadline and
target deadlines (campaigns), commitment items' deadlines (commitments), and the monthly dues
collection (dues). Each obligation names its system, so a week in which several systems put
deadlines is visible as such.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangxian.campaigns.models import Campaign, Phase, TargetItem
from chuangxian.commitments.models import CommitmentItem, ItemStatus
from chuangxian.orglife.compliance import CellState, compute_compliance
from chuangxian.orglife.models import Meeting, MeetingStatus, MeetingType
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Organization
from chuangxian.orgs.models.organization import BRANCH_KINDS


@dataclass(frozen=True)
class Obligation:
    day: dt.date
    system: str
    title: str
    # How many organizations (or items) of the subtree it concerns.
    count: int = 1
    url: str = ""


def _in_subtree(org: Organization, field: str = "organization") -> Q:
    return Q(**{f"{field}__path__startswith": org.path})


def _meetings(org: Organization, first: dt.date, last: dt.date) -> list[Obligation]:
    rows = (
        Meeting.objects.filter(
            _in_subtree(org),
            status=MeetingStatus.PLANNED,
            planned_start__date__range=(first, last),
        )
        .values_list("planned_start__date", "meeting_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    url = reverse("orglife:meetings")
    return [
        Obligation(
            day, _("组织生活"), _("召开%(type)s") % {"type": MeetingType(kind).label}, n, url
        )
        for day, kind, n in rows
    ]


def _cadence(org: Organization, year: int, today: dt.date) -> list[Obligation]:
    """The rule periods not yet met and not yet over, due on their last day."""
    report = compute_compliance(root=org, period=Period(year, 1, 12), today=today)
    due: Counter[tuple[dt.date, str]] = Counter()
    for row in report.rows:
        for result in row.results:
            for cell in result.cells():
                if cell.state == CellState.PENDING:
                    last_day = cell.period.end - dt.timedelta(days=1)
                    due[(last_day, result.rule.meeting_type_label)] += 1
    url = f"{reverse('orglife:compliance')}?org={org.pk}&period={year}"
    return [
        Obligation(day, _("组织生活"), _("%(type)s按期召开") % {"type": label}, n, url)
        for (day, label), n in due.items()
    ]


def _campaigns(org: Organization, first: dt.date, last: dt.date) -> list[Obligation]:
    ancestors = [org.pk, *org.ancestor_ids]
    campaigns = Campaign.objects.filter(Q(owner_id__in=ancestors) | _in_subtree(org, "owner"))
    found: list[Obligation] = []
    for phase in Phase.objects.filter(campaign__in=campaigns, ends_on__range=(first, last)):
        found.append(
            Obligation(
                phase.ends_on,
                _("创先争优"),
                _("%(campaign)s：%(phase)s阶段结束")
                % {"campaign": phase.campaign.name, "phase": phase.get_kind_display()},
                1,
                phase.campaign.get_absolute_url(),
            )
        )
    for campaign in campaigns.filter(commitment_deadline__range=(first, last)):
        assert campaign.commitment_deadline is not None
        found.append(
            Obligation(
                campaign.commitment_deadline,
                _("公开承诺"),
                _("%(campaign)s：承诺截止") % {"campaign": campaign.name},
                1,
                campaign.get_absolute_url(),
            )
        )
    targets = (
        TargetItem.objects.filter(_in_subtree(org), deadline__range=(first, last), done=False)
        .values_list("deadline")
        .annotate(n=Count("id"))
        .order_by()
    )
    found += [
        Obligation(day, _("创先争优"), _("目标完成时限"), n, reverse("campaigns:list"))
        for day, n in targets
    ]
    return found


def _commitments(org: Organization, first: dt.date, last: dt.date) -> list[Obligation]:
    rows = (
        CommitmentItem.objects.filter(
            _in_subtree(org, "sheet__organization"),
            due_on__range=(first, last),
            status__in=[ItemStatus.APPROVED, ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS],
        )
        .values_list("due_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    url = reverse("commitments:list")
    return [Obligation(day, _("公开承诺"), _("承诺事项完成时限"), n, url) for day, n in rows]


def _dues(org: Organization, first: dt.date, last: dt.date) -> list[Obligation]:
    branches = Organization.objects.filter(path__startswith=org.path, kind__in=BRANCH_KINDS).count()
    if not branches:
        return []
    found = []
    month = dt.date(first.year, first.month, 1)
    while month <= last:
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        day = following - dt.timedelta(days=1)
        if first <= day <= last:
            found.append(
                Obligation(
                    day,
                    _("党费"),
                    _("%(month)d月党费收缴") % {"month": month.month},
                    branches,
                    reverse("dues:home"),
                )
            )
        month = following
    return found


def obligations(org: Organization, year: int, today: dt.date) -> list[Obligation]:
    """Every obligation of `org`'s subtree falling in `year`, by date."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found = [
        *_meetings(org, first, last),
        *_cadence(org, year, today),
        *_campaigns(org, first, last),
        *_commitments(org, first, last),
        *_dues(org, first, last),
    ]
    return sorted(found, key=lambda o: (o.day, o.system, o.title))


@dataclass(frozen=True)
class Balance:
    quarter_counts: list[int]
    crowded_quarters: list[int]  # 1-4
    crowded_weeks: list[tuple[dt.date, list[str]]]  # the week's Monday, its systems
    quarter_share: float
    week_systems: int


def balance(found: list[Obligation]) -> Balance:
    """Quarters holding more than the configured share of the year's obligations, and weeks
    in which at least the configured number of systems have deadlines."""
    share: float = getattr(settings, "REPORTS_CALENDAR_QUARTER_SHARE", 0.4)
    systems_per_week: int = getattr(settings, "REPORTS_CALENDAR_WEEK_SYSTEMS", 3)
    quarters = [0, 0, 0, 0]
    weeks: dict[dt.date, set[str]] = defaultdict(set)
    for obligation in found:
        quarters[(obligation.day.month - 1) // 3] += 1
        monday = obligation.day - dt.timedelta(days=obligation.day.weekday())
        weeks[monday].add(obligation.system)
    total = sum(quarters)
    crowded = [i + 1 for i, n in enumerate(quarters) if total >= 8 and n > share * total]
    busy = sorted(
        (monday, sorted(systems))
        for monday, systems in weeks.items()
        if len(systems) >= systems_per_week
    )
    return Balance(quarters, crowded, busy, share, systems_per_week)
