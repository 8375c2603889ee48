"""Adapters from other modules' figures.py to the metric registry.

The engine never imports those modules directly: each adapter is registered only when its
module imports (try/except ImportError per module), so the engine works with any subset of
modules installed. Each adapter turns a figure into `fn(subject_ids, period)` — one grouped
query for all subjects where the module offers one (attendance, study hours), otherwise one
figure per subject — and names the records it reads (`source`) and, for one subject, the
records behind its value (`explain`), which the result's explanation prints.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from chuangxian.appraisal.metrics import MetricFn, Period, register_metric
from chuangxian.orgs.models import Member, Organization


def _per_member(figure: Callable[[Member, Period], float | None]) -> MetricFn:
    def fn(ids: Sequence[int], period: Period) -> dict[int, float | None]:
        members = Member.objects.filter(pk__in=list(ids)).select_related("organization")
        return {m.pk: figure(m, period) for m in members}

    return fn


def _per_org(figure: Callable[[Organization, Period], float | None]) -> MetricFn:
    def fn(ids: Sequence[int], period: Period) -> dict[int, float | None]:
        return {o.pk: figure(o, period) for o in Organization.objects.filter(pk__in=list(ids))}

    return fn


def _member(pk: int) -> Member | None:
    return Member.objects.select_related("organization").filter(pk=pk).first()


def _org(pk: int) -> Organization | None:
    return Organization.objects.filter(pk=pk).first()


def _campaign_of(org: Organization, year: int) -> Any:
    """The campaign of `year` owned by the organization or its nearest ancestor."""
    from chuangxian.campaigns.models import Campaign

    ancestors = [*org.ancestor_ids, org.pk]
    campaigns = {c.owner_id: c for c in Campaign.objects.filter(year=year, owner_id__in=ancestors)}
    for ancestor in reversed(ancestors):
        if ancestor in campaigns:
            return campaigns[ancestor]
    return None


def _percent(value: float | None) -> str:
    return "无记录" if value is None else f"{value * 100:.1f}%"


def register_orglife() -> bool:
    try:
        from chuangxian.orglife import figures
        from chuangxian.orglife.models import MeetingType
        from chuangxian.orglife.periods import Period as OrglifePeriod
    except ImportError:
        return False

    def year_of(period: Period) -> OrglifePeriod:
        return OrglifePeriod(period.year, 1, 12)

    def held_required(org: Organization, period: Period) -> dict[str, figures.HeldRequired]:
        today = min(period.end, timezone.localdate())
        return figures.meetings_held_vs_required(org, year_of(period), today=today)

    def meetings(org: Organization, period: Period) -> float | None:
        counts = held_required(org, period)
        required = sum(c.required for c in counts.values())
        held = sum(min(c.held, c.required) for c in counts.values() if c.required)
        return held / required if required else None

    def meetings_explain(pk: int, period: Period) -> str:
        org = _org(pk)
        if org is None:
            return ""
        counts = held_required(org, period)
        parts = [
            f"{MeetingType(t).label}{min(c.held, c.required)}/{c.required}"
            for t, c in counts.items()
            if c.required
        ]
        if not parts:
            return "本组织没有按期召开会议的要求"
        return "按期召开/应召开：" + "，".join(parts)

    def attendance(ids: Sequence[int], period: Period) -> dict[int, float | None]:
        counts = figures.attendance_counts(list(ids), year_of(period))
        return {pk: (c.present / c.expected if c.expected else None) for pk, c in counts.items()}

    def attendance_explain(pk: int, period: Period) -> str:
        c = figures.attendance_counts([pk], year_of(period)).get(pk)
        if c is None:
            return "本年度没有应参加的已召开会议"
        return f"已召开会议中应到{c.expected}次，出席{c.present}次，请假{c.leave}次"

    def coverage(org: Organization, period: Period) -> float | None:
        c = figures.organization_attendance_counts(org, year_of(period))
        return c.present / c.expected if c.expected else None

    def coverage_explain(pk: int, period: Period) -> str:
        org = _org(pk)
        if org is None:
            return ""
        c = figures.organization_attendance_counts(org, year_of(period))
        return f"已召开会议共应到{c.expected}人次，出席{c.present}人次，请假{c.leave}人次"

    register_metric(
        "orglife.meetings_held_vs_required",
        "三会一课按期召开率",
        "organization",
        "higher",
        _per_org(meetings),
        source="组织生活：本年度已召开的会议与《支部工作条例》规定的召开次数",
        explain=meetings_explain,
    )
    register_metric(
        "orglife.attendance_rate",
        "组织生活出席率",
        "member",
        "higher",
        attendance,
        source="组织生活：本年度已召开会议的出席记录（请假按未出席计）",
        explain=attendance_explain,
    )
    register_metric(
        "orglife.organization_attendance_rate",
        "党员参加组织生活覆盖率",
        "organization",
        "higher",
        _per_org(coverage),
        source="组织生活：本组织及下级本年度已召开会议的全部出席记录",
        explain=coverage_explain,
    )
    return True


def register_learning() -> bool:
    try:
        from chuangxian.learning import figures
        from chuangxian.learning.rules import requirement_for_post
    except ImportError:
        return False

    def progress(ids: Sequence[int], period: Period) -> dict[int, float | None]:
        hours = figures.study_hours_many(list(ids), period.year)
        posts = dict(Member.objects.filter(pk__in=list(ids)).values_list("pk", "party_post"))
        return {
            pk: figures.progress_of(hours.get(pk, figures.ZERO), requirement_for_post(post))
            for pk, post in posts.items()
        }

    def progress_explain(pk: int, period: Period) -> str:
        member = _member(pk)
        if member is None:
            return ""
        hours = figures.study_hours(member, period.year)
        required = figures.study_requirement(member, period.year)
        return f"学习台账本年度{hours}学时，应完成{required}学时"

    register_metric(
        "learning.study_progress",
        "学时完成率",
        "member",
        "higher",
        progress,
        source="学习教育：本年度学时台账（自然年，不结转），对照每年32学时（支委56学时）",
        explain=progress_explain,
    )
    return True


def register_dues() -> bool:
    try:
        from chuangxian.dues import figures, ledger
        from chuangxian.dues.months import last_complete_month, month_of
    except ImportError:
        return False

    def today_of(period: Period) -> Any:
        return min(period.end, timezone.localdate())

    def compliance(member: Member, period: Period) -> float | None:
        return figures.dues_compliance(member, (period.start, period.end), today=today_of(period))

    def compliance_explain(pk: int, period: Period) -> str:
        member = _member(pk)
        if member is None:
            return ""
        today = today_of(period)
        first = month_of(period.start)
        last = min(month_of(period.end), last_complete_month(today))
        if last < first:
            return "本年度尚无已到期的月份"
        lines = [
            line
            for line in ledger.member_months(member, first=first, last=last, today=today)
            if line.state not in (ledger.MonthState.NOT_DUE, ledger.MonthState.OPEN)
        ]
        if not lines:
            return "本年度没有应交党费的月份"
        paid = sum(1 for line in lines if line.state != ledger.MonthState.UNPAID)
        return f"党费台账本年度应交{len(lines)}个月，已交{paid}个月"

    register_metric(
        "dues.dues_compliance",
        "按时交纳党费比例",
        "member",
        "higher",
        _per_member(compliance),
        source="党费：本年度已到期月份的交纳记录",
        explain=compliance_explain,
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

    def org_explain(pk: int, period: Period) -> str:
        org = _org(pk)
        campaign = None if org is None else _campaign_of(org, period.year)
        if org is None or campaign is None:
            return "本年度没有创先争优活动"
        value = figures.target_progress(org, campaign)
        return f"“{campaign.name}”责任书目标加权完成进度{_percent(value)}"

    def member_explain(pk: int, period: Period) -> str:
        member = _member(pk)
        campaign = None if member is None else _campaign_of(member.organization, period.year)
        if member is None or campaign is None:
            return "本年度没有创先争优活动"
        value = figures.member_target_progress(member, campaign)
        return f"“{campaign.name}”中分解到本人的目标加权完成进度{_percent(value)}"

    register_metric(
        "campaigns.target_progress",
        "目标任务完成进度",
        "organization",
        "higher",
        _per_org(org_progress),
        source="创先争优：目标管理责任书的目标及其分解的完成进度",
        explain=org_explain,
    )
    register_metric(
        "campaigns.member_target_progress",
        "个人目标完成进度",
        "member",
        "higher",
        _per_member(member_progress),
        source="创先争优：分解到本人的目标的完成进度",
        explain=member_explain,
    )
    return True


def register_commitments() -> bool:
    try:
        from chuangxian.commitments import figures
    except ImportError:
        return False

    def rate_of(subject: Member | Organization, period: Period) -> float | None:
        org = subject.organization if isinstance(subject, Member) else subject
        campaign = _campaign_of(org, period.year)
        return None if campaign is None else figures.fulfilment_rate(subject, campaign)

    def explain_of(subject: Member | Organization | None, period: Period) -> str:
        if subject is None:
            return ""
        org = subject.organization if isinstance(subject, Member) else subject
        campaign = _campaign_of(org, period.year)
        if campaign is None:
            return "本年度没有创先争优活动"
        from chuangxian.commitments.models import CommitmentItem, Outcome

        if isinstance(subject, Member):
            items = CommitmentItem.objects.filter(sheet__campaign=campaign, sheet__member=subject)
        else:
            items = CommitmentItem.objects.filter(
                sheet__campaign=campaign, sheet__organization__path__startswith=subject.path
            )
        fulfilled = items.filter(outcome=Outcome.FULFILLED).count()
        unmet = items.filter(outcome=Outcome.UNMET).count()
        text = f"“{campaign.name}”承诺{items.count()}项，已兑现{fulfilled}项，未兑现{unmet}项"
        ratings = figures.rating_averages(subject, campaign)
        if ratings:
            from chuangxian.commitments.models import RaterGroup as CommitmentRaters

            text += "；评诺：" + "，".join(
                f"{CommitmentRaters(g).label}{mean:.0f}分（{n}份）"
                for g, (mean, n) in sorted(ratings.items())
            )
        return text

    register_metric(
        "commitments.fulfilment_rate",
        "承诺兑现率（组织）",
        "organization",
        "higher",
        _per_org(rate_of),
        source="公开承诺：本组织及下级的承诺事项中已兑现的比例（只计已有结果的事项）",
        explain=lambda pk, period: explain_of(_org(pk), period),
    )
    register_metric(
        "commitments.member_fulfilment_rate",
        "承诺兑现率（党员）",
        "member",
        "higher",
        _per_member(rate_of),
        source="公开承诺：本人承诺事项中已兑现的比例（只计已有结果的事项）",
        explain=lambda pk, period: explain_of(_member(pk), period),
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
