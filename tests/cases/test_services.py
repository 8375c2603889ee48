"""The case state machine, adoptions and demonstration points."""

import datetime as dt

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.cases.models import CaseEvent, CaseStatus
from chuangxian.cases.services import (
    CaseError,
    adoption_record,
    case_approve,
    case_create,
    case_publish,
    case_return,
    case_submit,
    case_update,
    demo_point_designate,
)
from tests.cases.conftest import ACTOR, published, values
from tests.support.conftest import clean_photo

pytestmark = pytest.mark.django_db


def test_submit_return_resubmit_approve_publish(tree):
    case = case_create(
        actor=ACTOR, organization=tree.branch_a1, values=values(), files=[clean_photo()]
    )
    assert case.files.count() == 1
    case_submit(actor=ACTOR, case=case)
    with pytest.raises(CaseError) as refused:
        case_return(actor=ACTOR, case=case, comment=" ")
    assert refused.value.message_dict == {"comment": ["退回时请写明修改意见"]}
    case_return(actor=ACTOR, case=case, comment="请补充成效数据")
    assert case.review_comment == "请补充成效数据"
    case_update(
        actor=ACTOR, case=case, values=values(title="党员积分超市：一年参与率提高三成"), files=[]
    )
    case_submit(actor=ACTOR, case=case)
    case_approve(actor=ACTOR, case=case, comment="可推广")
    with pytest.raises(CaseError, match="不能审核通过"):
        case_approve(actor=ACTOR, case=case)
    case_publish(actor=ACTOR, case=case, visibility="public")
    assert case.status == CaseStatus.PUBLISHED and case.is_public
    assert list(CaseEvent.objects.filter(case=case).values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
        "published",
    ]
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).count() == 7


def test_bad_case_is_refused_whole(tree):
    with pytest.raises(CaseError) as refused:
        case_create(
            actor=ACTOR,
            organization=tree.branch_a1,
            values=values(title="", body="太短", sector="火星", mechanism="x"),
            files=[],
        )
    assert set(refused.value.message_dict) == {"title", "body", "sector", "mechanism"}
    assert not AuditEvent.objects.filter(object_type="case").exists()


def test_published_case_cannot_be_edited(tree):
    case = published(tree.branch_a1)
    with pytest.raises(CaseError, match="只有草稿或被退回"):
        case_update(actor=ACTOR, case=case, values=values(), files=[])


def test_adoption_once_per_organization_and_not_by_the_author(tree, today):
    case = published(tree.branch_a1)
    adoption_record(
        actor=ACTOR,
        case=case,
        organization=tree.branch_b1,
        adopted_on=today,
        action="照搬积分超市做法",
        result="参与率提高",
        today=today,
    )
    with pytest.raises(CaseError, match="已登记借鉴过"):
        adoption_record(
            actor=ACTOR,
            case=case,
            organization=tree.branch_b1,
            adopted_on=today,
            action="再次",
            result="再次",
            today=today,
        )
    with pytest.raises(CaseError) as refused:
        adoption_record(
            actor=ACTOR,
            case=case,
            organization=tree.branch_a1,
            adopted_on=today,
            action="甲",
            result="乙",
            today=today,
        )
    assert "organization" in refused.value.message_dict


def test_adoption_needs_a_published_case(tree, today):
    case = case_create(actor=ACTOR, organization=tree.branch_a1, values=values(), files=[])
    with pytest.raises(CaseError, match="只有已发布"):
        adoption_record(
            actor=ACTOR,
            case=case,
            organization=tree.branch_b1,
            adopted_on=today,
            action="甲",
            result="乙",
            today=today,
        )


def test_demo_point_only_below_and_period_checked(tree, today):
    point = demo_point_designate(
        actor=ACTOR,
        organization=tree.branch_a1,
        designated_by=tree.town_a,
        theme="党建引领乡村振兴",
        leader="李书记",
        starts_on=today,
        ends_on=today + dt.timedelta(days=365),
        public=True,
    )
    assert point.pk
    with pytest.raises(CaseError) as refused:
        demo_point_designate(
            actor=ACTOR,
            organization=tree.branch_b1,
            designated_by=tree.town_a,
            theme="",
            leader="",
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
            public=True,
        )
    assert set(refused.value.message_dict) == {"organization", "theme", "ends_on"}
