"""The support plan state machine: open → measures → start → visits → submit → review."""

import datetime as dt

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.support.errors import SupportError
from chuangxian.support.models import LaggingMark, PlanEvent, PlanStatus
from chuangxian.support.services import plans as services
from tests.support.conftest import ACTOR, clean_photo, held_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def lagging_a2(tree, today):  # type: ignore[no-untyped-def]
    held_meeting(tree.branch_a1, today - dt.timedelta(days=20))
    held_meeting(tree.branch_b1, today - dt.timedelta(days=20))
    return tree.branch_a2  # no meeting ever: lagging


def _open(tree, today):  # type: ignore[no-untyped-def]
    return services.plan_open(
        actor=ACTOR,
        organization=tree.branch_a2,
        helpers=[tree.branch_a1],
        leader="王镇长",
        problems="组织生活不正常，党员长期不参加活动",
        today=today,
    )


def test_full_cycle(tree, today, lagging_a2):
    plan = _open(tree, today)
    assert plan.status == PlanStatus.DRAFT
    assert plan.reasons[0]["code"] == "no_meeting"
    assert plan.figures_before["meetings_year"] == 0
    with pytest.raises(SupportError, match="至少一项整改措施"):
        services.plan_start(actor=ACTOR, plan=plan)
    measure = services.measure_add(
        actor=ACTOR,
        plan=plan,
        text="每月固定主题党日",
        owner="支部书记",
        due_on=today + dt.timedelta(days=30),
        today=today,
    )
    services.plan_start(actor=ACTOR, plan=plan)
    assert plan.status == PlanStatus.ACTIVE
    visit = services.visit_record(
        actor=ACTOR,
        plan=plan,
        visited_on=today,
        visitors="镇组织委员",
        findings="已召开支委会",
        photos=[clean_photo()],
        today=today,
    )
    assert visit.photos.count() == 1
    with pytest.raises(SupportError, match="还有1项整改措施未完成"):
        services.plan_submit(actor=ACTOR, plan=plan)
    services.measure_complete(
        actor=ACTOR, measure=measure, done_on=today, note="已连续召开", today=today
    )
    services.plan_submit(actor=ACTOR, plan=plan)
    services.plan_return(actor=ACTOR, plan=plan, reason="会议记录不完整")
    assert plan.status == PlanStatus.ACTIVE
    services.plan_submit(actor=ACTOR, plan=plan)
    held_meeting(tree.branch_a2, today)
    closed = services.plan_accept(actor=ACTOR, plan=plan, conclusion="整顿到位", today=today)
    assert closed.status == PlanStatus.CLOSED
    assert closed.figures_after["meetings_year"] == 1
    assert closed.figures_after["lagging_reasons"] == 0
    steps = list(PlanEvent.objects.filter(plan=plan).values_list("to_status", flat=True))
    assert steps == ["draft", "active", "review", "active", "review", "closed"]
    audited = AuditEvent.objects.filter(object_type="supportplan", object_id=str(plan.pk))
    assert audited.count() == 6


def test_transitions_refuse_the_wrong_state(tree, today, lagging_a2):
    plan = _open(tree, today)
    with pytest.raises(SupportError, match="“制定中”，不能申请验收"):
        services.plan_submit(actor=ACTOR, plan=plan)
    with pytest.raises(SupportError, match="不能验收通过"):
        services.plan_accept(actor=ACTOR, plan=plan, conclusion="好", today=today)
    with pytest.raises(SupportError, match="只有整顿中或待验收"):
        services.visit_record(
            actor=ACTOR,
            plan=plan,
            visited_on=today,
            visitors="甲",
            findings="乙",
            photos=[],
            today=today,
        )


def test_only_lagging_and_one_open_plan(tree, today, lagging_a2):
    with pytest.raises(SupportError, match="不在后进名单上"):
        services.plan_open(
            actor=ACTOR,
            organization=tree.branch_a1,
            helpers=[tree.town_a],
            leader="甲",
            problems="乙",
            today=today,
        )
    _open(tree, today)
    with pytest.raises(SupportError, match="尚未验收"):
        _open(tree, today)


def test_bad_input_writes_nothing(tree, today, lagging_a2):
    with pytest.raises(SupportError) as refused:
        services.plan_open(
            actor=ACTOR,
            organization=tree.branch_a2,
            helpers=[tree.branch_a2],
            leader="",
            problems="",
            today=today,
        )
    assert set(refused.value.message_dict) == {"leader", "problems", "helpers"}
    assert not AuditEvent.objects.filter(object_type="supportplan").exists()


def test_accept_withdraws_a_manual_mark(tree, today, lagging_a2):
    held_meeting(tree.branch_a2, today - dt.timedelta(days=3))
    services.lagging_mark(actor=ACTOR, organization=tree.branch_a2, reason="软弱涣散")
    plan = _open(tree, today)
    services.measure_add(
        actor=ACTOR, plan=plan, text="调整班子", owner="镇党委", due_on=today, today=today
    )
    services.plan_start(actor=ACTOR, plan=plan)
    services.measure_complete(
        actor=ACTOR, measure=plan.measures.get(), done_on=today, note="已调整", today=today
    )
    services.plan_submit(actor=ACTOR, plan=plan)
    services.plan_accept(actor=ACTOR, plan=plan, conclusion="验收合格", today=today)
    assert not LaggingMark.objects.filter(cleared_at__isnull=True).exists()


def test_measure_deadline_not_in_the_past(tree, today, lagging_a2):
    plan = _open(tree, today)
    with pytest.raises(SupportError) as refused:
        services.measure_add(
            actor=ACTOR,
            plan=plan,
            text="甲",
            owner="乙",
            due_on=today - dt.timedelta(days=1),
            today=today,
        )
    assert refused.value.message_dict == {"due_on": ["完成时限不能早于今天"]}
