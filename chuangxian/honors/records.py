"""What the records say about a nominee: eligibility with an explanation per rule, and the
snapshot kept with a nomination. Reads the lower modules only (appraisal results, orglife
attendance, learning hours, dues' 党章第九条 ladder, commitments), never writes."""

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import F

from chuangxian.appraisal.models import RoundStatus, SubjectResult, SubjectType
from chuangxian.honors.models import EligibilityRule, SubjectKind
from chuangxian.orgs.models import Member, MemberStatus, Organization

GRADE_YEARS = 3  # 民主评议 优秀 within the last three years
ADVANCED_TIERS = ("五星", "四星")
EXCELLENT = "优秀"
UNQUALIFIED = "不合格"


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    label: str
    ok: bool
    detail: str


def published_grades(
    *, member: Member | None = None, organization: Organization | None = None
) -> list[dict[str, Any]]:
    """The subject's grades and tiers in published appraisal rounds, newest year first:
    [{"year", "round", "grade", "tier"}]."""
    results = SubjectResult.objects.filter(
        round__status=RoundStatus.PUBLISHED, version=F("round__published_version")
    )
    if member is not None:
        results = results.filter(subject__kind=SubjectType.MEMBER, subject__member=member)
    else:
        results = results.filter(
            subject__kind=SubjectType.ORGANIZATION, subject__organization=organization
        )
    rows = results.values_list("round__year", "round__name", "grade", "tier").order_by(
        "-round__year", "-round_id"
    )
    return [{"year": y, "round": name, "grade": g, "tier": t} for y, name, g, t in rows]


def _grade_checks(grades: list[dict[str, Any]], year: int) -> list[RuleCheck]:
    recent = [g for g in grades if year - GRADE_YEARS <= g["year"] <= year]
    excellent = [g for g in recent if g["grade"] == EXCELLENT]
    unqualified = [g for g in recent if g["grade"] == UNQUALIFIED]
    window = f"{year - GRADE_YEARS}—{year}年"
    return [
        RuleCheck(
            EligibilityRule.GRADE_EXCELLENT,
            str(EligibilityRule.GRADE_EXCELLENT.label),
            bool(excellent),
            f"{window}评为优秀：{excellent[0]['year']}年（{excellent[0]['round']}）"
            if excellent
            else f"{window}没有评为优秀的记录",
        ),
        RuleCheck(
            EligibilityRule.NO_UNQUALIFIED,
            str(EligibilityRule.NO_UNQUALIFIED.label),
            not unqualified,
            f"{unqualified[0]['year']}年（{unqualified[0]['round']}）评为不合格"
            if unqualified
            else f"{window}无不合格",
        ),
    ]


def _article9_check(member: Member, today: dt.date) -> RuleCheck:
    from chuangxian.dues import figures as dues_figures
    from chuangxian.dues.checks import Level

    levels = dues_figures.article9_levels(member, today)
    flagged = [(rule, level) for rule, level in levels.items() if level != Level.NONE]
    names = {"dues": "党费", "orglife": "组织生活"}
    return RuleCheck(
        EligibilityRule.NO_ARTICLE9,
        str(EligibilityRule.NO_ARTICLE9.label),
        not flagged,
        "；".join(f"{names.get(rule, rule)}：{level.label}" for rule, level in flagged)
        if flagged
        else "党费与组织生活均无第九条提示",
    )


def _study_check(member: Member, year: int) -> RuleCheck:
    from chuangxian.learning import figures as learning_figures

    hours = learning_figures.study_hours(member, year - 1)
    requirement = learning_figures.study_requirement(member, year - 1)
    return RuleCheck(
        EligibilityRule.STUDY_MET,
        str(EligibilityRule.STUDY_MET.label),
        hours >= requirement,
        f"{year - 1}年学时 {hours} / 应修 {requirement}",
    )


def _tier_check(grades: list[dict[str, Any]]) -> RuleCheck:
    tiered = [g for g in grades if g["tier"]]
    label = str(EligibilityRule.TIER_FOUR_STARS.label)
    if not tiered:
        return RuleCheck(EligibilityRule.TIER_FOUR_STARS, label, False, "没有已公布的星级评定")
    latest = tiered[0]
    return RuleCheck(
        EligibilityRule.TIER_FOUR_STARS,
        label,
        latest["tier"] in ADVANCED_TIERS,
        f"{latest['year']}年（{latest['round']}）：{latest['tier']}",
    )


def eligibility(
    *,
    rules: list[str],
    year: int,
    today: dt.date,
    member: Member | None = None,
    organization: Organization | None = None,
) -> list[RuleCheck]:
    """Each of `rules` checked against the records, with the figure that decided it."""
    grades = published_grades(member=member, organization=organization)
    checks: dict[str, RuleCheck] = {}
    if member is not None:
        for check in _grade_checks(grades, year):
            checks[check.rule] = check
        if EligibilityRule.NO_ARTICLE9 in rules:
            checks[EligibilityRule.NO_ARTICLE9] = _article9_check(member, today)
        if EligibilityRule.STUDY_MET in rules:
            checks[EligibilityRule.STUDY_MET] = _study_check(member, year)
    else:
        checks[EligibilityRule.TIER_FOUR_STARS] = _tier_check(grades)
    return [checks[rule] for rule in rules if rule in checks]


def _campaign_year_rate(member: Member, year: int) -> float | None:
    from chuangxian.campaigns.models import Campaign
    from chuangxian.commitments import figures as commitment_figures

    ancestors = [*member.organization.ancestor_ids, member.organization_id]
    campaign = Campaign.objects.filter(year=year, owner_id__in=ancestors).order_by("-id").first()
    return None if campaign is None else commitment_figures.fulfilment_rate(member, campaign)


def snapshot(
    *,
    kind: str,
    year: int,
    today: dt.date,
    member: Member | None = None,
    organization: Organization | None = None,
) -> dict[str, Any]:
    """The nominee's record as reviewers will see it, frozen at nomination."""
    from chuangxian.honors.ledger import member_year_total, organization_year_total

    grades = published_grades(member=member, organization=organization)
    data: dict[str, Any] = {"taken_on": today.isoformat(), "grades": grades[:6]}
    if kind == SubjectKind.MEMBER and member is not None:
        from chuangxian.learning import figures as learning_figures
        from chuangxian.orglife import figures as orglife_figures
        from chuangxian.orglife.periods import Period

        rate = orglife_figures.attendance_rate(member, Period(year - 1, 1, 12))
        fulfilment = _campaign_year_rate(member, year - 1)
        data.update(
            points={str(y): str(member_year_total(member.pk, y)) for y in (year - 1, year)},
            attendance_rate=None if rate is None else round(rate * 100),
            study_hours=str(learning_figures.study_hours(member, year - 1)),
            study_requirement=learning_figures.study_requirement(member, year - 1),
            commitment_rate=None if fulfilment is None else round(fulfilment * 100),
            post=member.party_post,
        )
    elif organization is not None:
        data.update(
            points={
                str(y): str(organization_year_total(organization, y)) for y in (year - 1, year)
            },
            members=Member.objects.filter(
                organization__path__startswith=organization.path, status=MemberStatus.ACTIVE
            ).count(),
        )
    return data


def checks_as_data(checks: list[RuleCheck]) -> list[dict[str, Any]]:
    return [asdict(c) for c in checks]
