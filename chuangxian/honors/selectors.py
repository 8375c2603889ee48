"""Reads for the honors pages. Callers scope first through chuangxian.honors.access (or
chuangxian.orgs.access); these functions take objects the caller may already see."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from chuangxian.appraisal.models import RoundStatus, SubjectResult, SubjectType
from chuangxian.honors import ledger
from chuangxian.honors.models import (
    ZERO,
    AwardBatch,
    AwardRecord,
    BatchStatus,
    ClaimStatus,
    Nomination,
    NominationStatus,
    PointClaim,
    PointEntry,
    PointsSetting,
)
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.models import Member, MemberStatus, Organization


def review_queue(user: Any) -> list[Nomination]:
    """Nominations waiting for the user: at a level they work in, or at the organizer's steps
    (纪检 opinion, shortlist) of batches they run."""
    scope = scope_for(user)
    waiting = (
        Nomination.objects.filter(
            Q(status=NominationStatus.REVIEWING, reviewer__in=organizations_for(user))
            | Q(
                status__in=[NominationStatus.DISCIPLINE, NominationStatus.REVIEWED],
                batch__status=BatchStatus.REVIEWING,
                batch__organization__in=organizations_for(user),
            )
        )
        .select_related("batch__organization", "category", "reviewer", "organization")
        .order_by("created_at")[:200]
    )
    return [
        n
        for n in waiting
        if (n.reviewer is not None and scope.works_in(n.reviewer))
        or (n.reviewer is None and scope.administers(n.batch.organization))
    ]


def notice_batches() -> QuerySet[AwardBatch]:
    return AwardBatch.objects.filter(status=BatchStatus.NOTICE).select_related("organization")


def public_nominees(batch: AwardBatch) -> QuerySet[Nomination]:
    return (
        batch.nominations.filter(status=NominationStatus.SHORTLISTED)
        .select_related("category", "organization")
        .order_by("category__position", "category_id", "label")
    )


def honor_roll(org: Organization) -> list[tuple[int, list[AwardRecord]]]:
    """Awards to members and organizations of `org`'s subtree, by year, newest first."""
    awards = (
        AwardRecord.objects.filter(organization__path__startswith=org.path)
        .select_related("batch__organization", "category", "organization")
        .order_by("-batch__year", "category__position", "label")
    )
    years: dict[int, list[AwardRecord]] = defaultdict(list)
    for award in awards:
        years[award.batch.year].append(award)
    return sorted(years.items(), reverse=True)


@dataclass
class OrgRow:
    organization: Organization
    tiers: dict[int, str] = field(default_factory=dict)
    grades: dict[int, str] = field(default_factory=dict)
    awards: dict[int, list[str]] = field(default_factory=dict)
    member_awards: dict[int, int] = field(default_factory=dict)

    def band(self, year: int) -> str:
        """先进 / 中间 / 后进 from the year's tier (五星、四星 / 三星 / 二星) or awards."""
        tier = self.tiers.get(year, "")
        if tier in ("五星", "四星") or self.awards.get(year):
            return "advanced"
        if tier in ("二星", "一星") or self.grades.get(year) == "差":
            return "lagging"
        return "middle" if tier or self.grades.get(year) else ""


BAND_LABELS = {"advanced": "先进", "middle": "中间", "lagging": "后进"}


def tiers_and_awards(orgs: list[Organization], years: list[int]) -> list[OrgRow]:
    """For each organization, per year: its published tier and grade, its own awards, and
    the awards to members of its subtree (three queries)."""
    rows = {org.pk: OrgRow(org) for org in orgs}
    results = SubjectResult.objects.filter(
        round__status=RoundStatus.PUBLISHED,
        version=F("round__published_version"),
        subject__kind=SubjectType.ORGANIZATION,
        subject__organization_id__in=list(rows),
        round__year__in=years,
    ).values_list("subject__organization_id", "round__year", "tier", "grade")
    for org_id, year, tier, grade in results:
        if tier:
            rows[org_id].tiers.setdefault(year, tier)
        rows[org_id].grades.setdefault(year, grade)
    for org_id, year, name in AwardRecord.objects.filter(
        member__isnull=True, organization_id__in=list(rows), batch__year__in=years
    ).values_list("organization_id", "batch__year", "category__name"):
        rows[org_id].awards.setdefault(year, []).append(name)
    for org in orgs:
        counts = (
            AwardRecord.objects.filter(
                member__isnull=False,
                organization__path__startswith=org.path,
                batch__year__in=years,
            )
            .values_list("batch__year")
            .annotate(n=Count("id"))
            .order_by()
        )
        rows[org.pk].member_awards = dict(counts)
    return list(rows.values())


# ---------------------------------------------------------------- points


def member_entries(member: Member, year: int) -> QuerySet[PointEntry]:
    return (
        PointEntry.objects.filter(member=member, year=year)
        .select_related("rule")
        .order_by("-created_at", "-id")
    )


def setting_of(org: Organization) -> PointsSetting:
    """The nearest setting up the tree (rankings are off where none was saved)."""
    ancestry = [*org.ancestor_ids, org.pk]
    settings = {s.organization_id: s for s in PointsSetting.objects.filter(
        organization_id__in=ancestry
    )}  # fmt: skip
    for org_id in reversed(ancestry):
        if org_id in settings:
            return settings[org_id]
    return PointsSetting(organization=org)


@dataclass(frozen=True)
class Standing:
    rank: int
    size: int


def standing(member: Member, year: int) -> Standing | None:
    """The member's place among the active members of their organization, or None while
    rankings are off there."""
    if not setting_of(member.organization).rankings_enabled:
        return None
    totals = ranking(member.organization, year)
    for position, (member_id, _name, _total) in enumerate(totals, start=1):
        if member_id == member.pk:
            return Standing(position, len(totals))
    return None


def ranking(org: Organization, year: int) -> list[tuple[int, str, Decimal]]:
    """(member id, name, total) for the organization's active members, highest first."""
    members = list(
        Member.objects.filter(organization=org, status=MemberStatus.ACTIVE).values_list(
            "id", "name"
        )
    )
    totals = ledger.member_totals([m for m, _ in members], year)
    rows = [(m, name, totals.get(m, ZERO)) for m, name in members]
    return sorted(rows, key=lambda r: (-r[2], r[1], r[0]))


@dataclass
class MemberTotalRow:
    member_id: int
    name: str
    organization: str
    total: Decimal
    buckets: dict[str, Decimal]


def subtree_totals(org: Organization, year: int) -> list[MemberTotalRow]:
    """Every active member of the subtree with their year total and bucket sums (two
    queries)."""
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, organization__path__startswith=org.path)
        .order_by("organization__path", "name", "id")
        .values_list("id", "name", "organization__name")
    )
    totals = ledger.subtree_member_totals(org, year)
    buckets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for member_id, bucket, points in (
        PointEntry.objects.filter(member__organization__path__startswith=org.path, year=year)
        .values_list("member_id", "bucket")
        .annotate(total=Sum("points"))
        .order_by()
    ):
        buckets[member_id][bucket] = Decimal(points)
    return [
        MemberTotalRow(m, name, org_name, totals.get(m, ZERO), buckets.get(m, {}))
        for m, name, org_name in members
    ]


def pending_claims(user: Any) -> list[PointClaim]:
    from chuangxian.honors.access import can_decide_claim, claims_for

    claims = claims_for(user).filter(
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.BRANCH_APPROVED]
    )[:200]
    return [c for c in claims if can_decide_claim(user, c)]


@dataclass
class OrgTotalRow:
    organization: Organization
    members: int = 0
    total: Decimal = ZERO

    @property
    def average(self) -> Decimal:
        return (self.total / self.members).quantize(Decimal("0.1")) if self.members else ZERO


def child_totals(org: Organization, children: list[Organization], year: int) -> list[OrgTotalRow]:
    """Each child organization's year total over the active members of its subtree (two
    queries for all of them)."""
    rows = {child.pk: OrgTotalRow(child) for child in children}
    prefixes = [(child.path, rows[child.pk]) for child in children]
    totals = ledger.subtree_member_totals(org, year)
    for member_id, path in Member.objects.filter(
        status=MemberStatus.ACTIVE, organization__path__startswith=org.path
    ).values_list("id", "organization__path"):
        for prefix, row in prefixes:
            if path.startswith(prefix):
                row.members += 1
                row.total += totals.get(member_id, ZERO)
                break
    return list(rows.values())
