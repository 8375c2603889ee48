"""Reads for the case pages; each starts from cases.access."""

import datetime as dt

from django.db.models import Count, QuerySet

from chuangxian.cases.access import cases_for, is_superior_of, public_cases
from chuangxian.cases.models import Adoption, Case, CaseStatus, DemoPoint
from chuangxian.cases.search import search
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import User


def published_cases(
    cases: QuerySet[Case], *, query: str = "", sector: str = "", mechanism: str = ""
) -> QuerySet[Case]:
    found = cases.filter(status=CaseStatus.PUBLISHED)
    if sector:
        found = found.filter(sector=sector)
    if mechanism:
        found = found.filter(mechanism=mechanism)
    found = search(found, query)
    return (
        found.select_related("organization")
        .annotate(adoption_count=Count("adoptions"))
        .order_by("-published_at", "-id")
    )


def visible_published(user: User, **filters: str) -> QuerySet[Case]:
    return published_cases(cases_for(user), **filters)


def public_published(**filters: str) -> QuerySet[Case]:
    return published_cases(public_cases(), **filters)


def own_cases(user: User) -> QuerySet[Case]:
    """Cases of the organizations the viewer works in or administers, any status."""
    return (
        Case.objects.filter(scope_for(user).organization_q(prefix="organization__"))
        .exclude(status=CaseStatus.PUBLISHED)
        .select_related("organization")
        .order_by("-id")
    )


def review_queue(user: User) -> list[Case]:
    submitted = own_cases(user).filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.APPROVED])
    return [case for case in submitted[:500] if is_superior_of(user, case.organization)]


def spread_of(case: Case) -> QuerySet[Adoption]:
    """Where the case spread: every adoption with its organization."""
    return case.adoptions.select_related("organization").order_by("-adopted_on", "-id")


def current_public_points(today: dt.date) -> QuerySet[DemoPoint]:
    return (
        DemoPoint.objects.filter(public=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("organization", "designated_by")
        .order_by("organization__path")
    )
