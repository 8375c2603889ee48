import datetime as dt

import pytest

from chuangxian.appraisal.models import (
    Round,
    RoundStatus,
    RoundSubject,
    Scheme,
    SubjectResult,
    SubjectType,
)
from chuangxian.audit.services import SYSTEM
from chuangxian.honors.models import EligibilityRule, SubjectKind
from chuangxian.honors.services import awards
from chuangxian.orgs.models import Member, Organization

TODAY = dt.date(2026, 6, 1)  # a Monday


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _scheme(kind: str) -> Scheme:
    scheme, _ = Scheme.objects.get_or_create(
        code=f"test_{kind}", defaults={"name": f"测试{kind}", "subject_type": kind}
    )
    return scheme


def published_result(
    year: int,
    grade: str,
    *,
    member: Member | None = None,
    organization: Organization | None = None,
    tier: str = "",
) -> SubjectResult:
    """A published appraisal result, written directly (the appraisal engine has its own
    tests; here only its published rows matter)."""
    kind = SubjectType.MEMBER if member is not None else SubjectType.ORGANIZATION
    org = member.organization if member is not None else organization
    assert org is not None
    round_ = Round.objects.create(
        scheme=_scheme(kind),
        organization=org,
        name=f"{year}年考评",
        year=year,
        status=RoundStatus.PUBLISHED,
        published_version=1,
    )
    ref = member.pk if member is not None else org.pk
    subject = RoundSubject.objects.create(
        round=round_,
        kind=kind,
        member=member,
        organization=org,
        stable_ref=ref,
        peer_key=0,
        peer_label="",
        label=str(member or org),
    )
    return SubjectResult.objects.create(
        round=round_,
        version=1,
        subject=subject,
        peer_key=0,
        composite=90.0,
        rank=1,
        peer_size=1,
        quota=1,
        proposed_grade=grade,
        grade=grade,
        tier=tier,
    )


@pytest.fixture
def batch(tree):  # type: ignore[no-untyped-def]
    """A county batch open for nominations around TODAY, one member category (grade rules)
    with one place for 甲镇, one organization category (tier rule)."""
    found = awards.batch_create(
        actor=SYSTEM,
        organization=tree.county,
        values=awards.BatchValues(
            name="七一表彰",
            year=2026,
            nomination_opens=dt.date(2026, 5, 20),
            nomination_closes=dt.date(2026, 6, 10),
        ),
    )
    members = awards.category_add(
        actor=SYSTEM,
        batch=found,
        name="优秀共产党员",
        subject_kind=SubjectKind.MEMBER,
        rules=[
            EligibilityRule.GRADE_EXCELLENT,
            EligibilityRule.NO_UNQUALIFIED,
            EligibilityRule.NO_ARTICLE9,
        ],
        material_reward="奖金500元",
    )
    orgs = awards.category_add(
        actor=SYSTEM,
        batch=found,
        name="先进基层党组织",
        subject_kind=SubjectKind.ORGANIZATION,
        rules=[EligibilityRule.TIER_FOUR_STARS],
    )
    awards.quota_set(actor=SYSTEM, category=members, organization=tree.town_a, count=1)
    awards.quota_set(actor=SYSTEM, category=orgs, organization=tree.county, count=2)
    found.members_category = members  # type: ignore[attr-defined]
    found.orgs_category = orgs  # type: ignore[attr-defined]
    return found
