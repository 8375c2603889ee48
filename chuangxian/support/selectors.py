"""Reads for the support pages. Each starts from the access layer (orgs.access or
support.access), so nothing here returns what the viewer may not see."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from chuangxian.dues.figures import organization_dues
from chuangxian.orgs.access import members_for, organizations_for
from chuangxian.orgs.models import MemberStatus, Organization, User
from chuangxian.orgs.selectors import subtree
from chuangxian.support.access import allocations_for, hardships_for, plans_for
from chuangxian.support.checklists import checklists_for
from chuangxian.support.lagging import Lagging, lagging_among
from chuangxian.support.models import Allocation, ChecklistEntry, Hardship, Spending, SupportPlan
from chuangxian.support.services.plans import OPEN_STATUSES


@dataclass
class LaggingRow:
    lagging: Lagging
    plan: SupportPlan | None


def lagging_overview(user: User, root: Organization, today: dt.date) -> list[LaggingRow]:
    """The lagging organizations of `root`'s subtree as the viewer sees it, each with its
    reasons and its current (or last) plan."""
    found = lagging_among(subtree(user, root), today)
    plans: dict[int, SupportPlan] = {}
    for plan in (
        plans_for(user)
        .filter(organization_id__in=[row.organization.pk for row in found])
        .order_by("organization_id", "-id")
    ):
        plans.setdefault(plan.organization_id, plan)
    return [LaggingRow(row, plans.get(row.organization.pk)) for row in found]


def open_plans(user: User, root: Organization) -> QuerySet[SupportPlan]:
    return (
        plans_for(user)
        .filter(organization__in=subtree(user, root), status__in=OPEN_STATUSES)
        .select_related("organization")
        .annotate(
            measure_count=Count("measures", distinct=True),
            done_count=Count("measures", filter=Q(measures__done_on__isnull=False), distinct=True),
        )
        .order_by("organization__path")
    )


@dataclass
class CoverageRow:
    organization: Organization
    in_hardship: int
    visited: int

    @property
    def percent(self) -> int | None:
        return round(self.visited * 100 / self.in_hardship) if self.in_hardship else None


def care_coverage(user: User, root: Organization, year: int) -> list[CoverageRow]:
    """Per organization of the subtree with members in hardship during `year`: how many,
    and how many of them were visited (慰问) that year. One grouped query."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        hardships_for(user)
        .filter(member__organization__in=subtree(user, root), recorded_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values("member__organization_id")
        .annotate(
            n=Count("id", distinct=True),
            visited=Count(
                "id",
                filter=Q(visits__visited_on__gte=start, visits__visited_on__lte=end),
                distinct=True,
            ),
        )
    )
    counts = {row["member__organization_id"]: row for row in rows}
    orgs = organizations_for(user).filter(pk__in=list(counts)).order_by("path")
    return [CoverageRow(org, counts[org.pk]["n"], counts[org.pk]["visited"]) for org in orgs]


def hardship_list(user: User, root: Organization) -> QuerySet[Hardship]:
    return (
        hardships_for(user)
        .filter(member__organization__in=subtree(user, root))
        .select_related("member__organization")
        .annotate(visit_count=Count("visits"))
        .order_by("ended_on", "member__organization__path", "member__name")
    )


def hardship_candidates(user: User, root: Organization) -> QuerySet:  # type: ignore[type-arg]
    return (
        members_for(user)
        .filter(organization__in=subtree(user, root), status=MemberStatus.ACTIVE)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


@dataclass
class FundStatement:
    organization: Organization
    year: int
    allocations: list[Allocation]
    spendings: list[Spending]
    received: Decimal
    passed_down: Decimal
    spent: Decimal
    balance: Decimal
    dues_paid: Decimal
    dues_retained: Decimal
    dues_retained_percent: Decimal
    passed: list[Allocation] = field(default_factory=list)


def fund_statement(
    user: User, org: Organization, year: int, today: dt.date, retained_percent: Decimal
) -> FundStatement:
    """The organization's year: what it received, passed down, spent, and what remains; and
    the 党费 its subtree paid that year (dues module's figures) with the part retained."""
    allocations = list(
        allocations_for(user).filter(organization=org, year=year).order_by("kind", "id")
    )
    spendings = list(
        Spending.objects.filter(allocation__in=allocations)
        .select_related("allocation")
        .order_by("spent_on", "id")
    )
    passed = list(
        Allocation.objects.filter(source__in=allocations)
        .select_related("organization")
        .order_by("organization__path", "id")
    )
    received = sum((a.amount for a in allocations), Decimal("0"))
    passed_down = sum((a.amount for a in passed), Decimal("0"))
    spent = sum((s.amount for s in spendings), Decimal("0"))
    dues_paid = Decimal("0")
    last_month = 12 if year < today.year else today.month
    if year <= today.year:
        for month in range(1, last_month + 1):
            totals = organization_dues(org, dt.date(year, month, 1), today=today).get(org.pk)
            if totals is not None:
                dues_paid += totals.paid
    retained = (dues_paid * retained_percent / 100).quantize(Decimal("0.01"))
    return FundStatement(
        organization=org,
        year=year,
        allocations=allocations,
        spendings=spendings,
        received=received,
        passed_down=passed_down,
        spent=spent,
        balance=received - passed_down - spent,
        dues_paid=dues_paid,
        dues_retained=retained,
        dues_retained_percent=retained_percent,
        passed=passed,
    )


@dataclass
class MissingRow:
    organization: Organization
    checklist: str
    missing: list[str]
    unrecorded: list[str]


def checklist_overview(user: User, root: Organization) -> list[MissingRow]:
    """For every organization of the subtree a checklist applies to: the items recorded as
    not met, and those not recorded at all."""
    orgs = [o for o in subtree(user, root).order_by("path") if checklists_for(o)]
    entries: dict[tuple[int, str], ChecklistEntry] = {
        (e.organization_id, e.item): e
        for e in ChecklistEntry.objects.filter(organization__in=[o.pk for o in orgs])
    }
    rows: list[MissingRow] = []
    for org in orgs:
        for checklist in checklists_for(org):
            missing, unrecorded = [], []
            for code, label in checklist.items:
                entry = entries.get((org.pk, code))
                if entry is None:
                    unrecorded.append(label)
                elif not entry.met:
                    missing.append(label)
            if missing or unrecorded:
                rows.append(MissingRow(org, checklist.name, missing, unrecorded))
    return rows


def fund_totals(user: User, root: Organization, year: int) -> list[dict[str, object]]:
    return list(
        allocations_for(user)
        .filter(organization__in=subtree(user, root), year=year)
        .values("kind")
        .annotate(amount=Sum("amount"), committed=Sum("committed"))
        .order_by("kind")
    )
