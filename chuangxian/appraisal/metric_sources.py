"""Adapters from other modules' figures.py to the metric registry.

The engine never imports those modules directly: each adapter is registered only when its
module imports (try/except ImportError per module), so the engine works with any subset of
modules installed. Each adapter turns a per-object figure into `fn(subject_ids, period)`.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from chuangxian.appraisal.metrics import MetricFn, Period, register_metric
from chuangxian.orgs.models import Member, Organization


def _per_member(figure: Callable[[Member, Period], float | None]) -> MetricFn:
    def fn(ids: Sequence[int], period: Period) -> dict[int, float | None]:
        return {m.pk: figure(m, period) for m in Member.objects.filter(pk__in=list(ids))}

    return fn


def _per_org(figure: Callable[[Organization, Period], float | None]) -> MetricFn:
    def fn(ids: Sequence[int], period: Period) -> dict[int, float | None]:
        return {o.pk: figure(o, period) for o in Organization.objects.filter(pk__in=list(ids))}

    return fn


def _campaign_of(org: Organization, year: int) -> Any:
    """The campaign of `year` owned by the organization or its nearest ancestor."""
    from chuangxian.campaigns.models import Campaign

    ancestors = [*org.ancestor_ids, org.pk]
    campaigns = {c.owner_id: c for c in Campaign.objects.filter(year=year, owner_id__in=ancestors)}
    for ancestor in reversed(ancestors):
        if ancestor in campaigns:
            return campaigns[ancestor]
    return None


def register_orglife() -> bool:
    try:
        from chuangxian.orglife import figures
        from chuangxian.orglife.periods import Period as OrglifePeriod
    except ImportError:
        return False

    def meetings(org: Organization, period: Period) -> float | None:
        counts = figures.meetings_held_vs_required(
            org, OrglifePeriod(period.year, 1, 12), today=min(period.end, timezone.localdate())
        )
        required = sum(c.required for c in counts.values())
        held = sum(min(c.held, c.required) for c in counts.values() if c.required)
        return held / required if required else None

    def attendance(member: Member, period: Period) -> float | None:
        return figures.attendance_rate(member, OrglifePeriod(period.year, 1, 12))

    register_metric(
        "orglife.meetings_held_vs_required",
        "三会一课按期召开率",
        "organization",
        "higher",
        _per_org(meetings),
    )
    register_metric(
        "orglife.attendance_rate", "组织生活出席率", "member", "higher", _per_member(attendance)
    )
    return True


def register_learning() -> bool:
    try:
        from chuangxian.learning import figures
    except ImportError:
        return False
    register_metric(
        "learning.study_progress",
        "学时完成率",
        "member",
        "higher",
        _per_member(lambda m, p: figures.study_progress(m, p.year)),
    )
    return True


def register_dues() -> bool:
    try:
        from chuangxian.dues import figures
    except ImportError:
        return False

    def compliance(member: Member, period: Period) -> float | None:
        today = min(period.end, timezone.localdate())
        return figures.dues_compliance(member, (period.start, period.end), today=today)

    register_metric(
        "dues.dues_compliance", "按时交纳党费比例", "member", "higher", _per_member(compliance)
    )
    return True


def register_campaigns() -> bool:
    try:
        from chuangxian.campaigns import figures
    except ImportError:
        return False

    def org_progress(org: Organization, period: Period) -> float | None:
        campaign = _campaign_of(org, period.year)
        return None if campaign is None else figures.target_progress(org, campaign)

    def member_progress(member: Member, period: Period) -> float | None:
        campaign = _campaign_of(member.organization, period.year)
        return None if campaign is None else figures.member_target_progress(member, campaign)

    register_metric(
        "campaigns.target_progress",
        "目标任务完成进度",
        "organization",
        "higher",
        _per_org(org_progress),
    )
    register_metric(
        "campaigns.member_target_progress",
        "个人目标完成进度",
        "member",
        "higher",
        _per_member(member_progress),
    )
    return True


def register_commitments() -> bool:
    try:
        from chuangxian.commitments import figures
    except ImportError:
        return False

    def org_rate(org: Organization, period: Period) -> float | None:
        campaign = _campaign_of(org, period.year)
        return None if campaign is None else figures.fulfilment_rate(org, campaign)

    def member_rate(member: Member, period: Period) -> float | None:
        campaign = _campaign_of(member.organization, period.year)
        return None if campaign is None else figures.fulfilment_rate(member, campaign)

    register_metric(
        "commitments.fulfilment_rate",
        "承诺兑现率（组织）",
        "organization",
        "higher",
        _per_org(org_rate),
    )
    register_metric(
        "commitments.member_fulfilment_rate",
        "承诺兑现率（党员）",
        "member",
        "higher",
        _per_member(member_rate),
    )
    return True


def register_all() -> dict[str, bool]:
    """Register every available source; returns which modules were found."""
    return {
        "orglife": register_orglife(),
        "learning": register_learning(),
        "dues": register_dues(),
        "campaigns": register_campaigns(),
        "commitments": register_commitments(),
    }
