"""Reads of openness: what the public sees, and the lists staff work from."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from chuangxian.openness.access import disclosures_for, opinions_for
from chuangxian.openness.figures import OpinionFigures, average_answer_days, opinion_figures
from chuangxian.openness.models import (
    Audience,
    Consultation,
    Disclosure,
    DisclosureScope,
    DisclosureStatus,
    Opinion,
    OpinionStatus,
    Visibility,
)
from chuangxian.orgs.models import Organization

WALL_LIMIT = 50


def public_opinions(org: Organization) -> list[Opinion]:
    """The 回音壁: opinions a moderator published, newest first (never a phone number)."""
    return list(
        Opinion.objects.filter(organization=org, visibility=Visibility.PUBLISHED)
        .exclude(status=OpinionStatus.REJECTED)
        .defer("phone", "device_hash", "address_hash", "follow_hash")[:WALL_LIMIT]
    )


def current_public(today: dt.date) -> Q:
    return Q(status=DisclosureStatus.PUBLISHED, scope=DisclosureScope.PUBLIC) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def public_disclosures(org: Organization, today: dt.date) -> list[Disclosure]:
    return list(Disclosure.objects.filter(current_public(today), organization=org)[:WALL_LIMIT])


def public_disclosure(org: Organization, disclosure_id: int, today: dt.date) -> Disclosure | None:
    return Disclosure.objects.filter(
        current_public(today), organization=org, pk=disclosure_id
    ).first()


def moderation_queue(user: Any) -> QuerySet[Opinion]:
    """Opinions no moderator has looked at yet, and those hidden by reports."""
    return (
        opinions_for(user)
        .filter(visibility__in=[Visibility.PENDING, Visibility.REPORTED])
        .exclude(status=OpinionStatus.REJECTED)
        .select_related("organization")
        .order_by("submitted_at")
    )


def handled_opinions(user: Any, status: str = "") -> QuerySet[Opinion]:
    rows = opinions_for(user).select_related("organization").order_by("due_on", "id")
    if status == "waiting":
        return rows.filter(status__in=[OpinionStatus.OPEN, OpinionStatus.REOPENED])
    if status in OpinionStatus.values:
        return rows.filter(status=status)
    return rows


def handled_disclosures(user: Any) -> QuerySet[Disclosure]:
    return disclosures_for(user).select_related("organization").order_by("-updated_at", "-id")


def public_consultations(org: Organization) -> list[Consultation]:
    """Consultations open to the public, newest first (decided ones too: their trail stays)."""
    return list(
        Consultation.objects.filter(organization=org, audience=Audience.PUBLIC).order_by(
            "-created_at"
        )[:10]
    )


@dataclass(frozen=True)
class ResponseLine:
    organization: Organization
    figures: OpinionFigures
    average_days: float | None


STATS_LIMIT = 50


def response_statistics(user: Any, today: dt.date) -> list[ResponseLine]:
    """This year's response figures for the organizations in the user's scope that received
    opinions (at most STATS_LIMIT of them, in tree order)."""
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    ids = list(
        opinions_for(user)
        .filter(submitted_on__gte=start, submitted_on__lte=end)
        .values_list("organization_id", flat=True)
        .distinct()
        .order_by("organization_id")[: STATS_LIMIT * 2]
    )
    orgs = list(Organization.objects.filter(pk__in=ids).order_by("path")[:STATS_LIMIT])
    found = opinion_figures([o.pk for o in orgs], start, end, today=today)
    return [
        ResponseLine(org, found[org.pk], average_answer_days(org.pk, start, end)) for org in orgs
    ]
