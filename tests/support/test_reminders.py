"""Measure deadlines through the reminders registry: ahead, overdue, escalated upward."""

import datetime as dt

import pytest

from chuangxian.reminders.models import Severity
from chuangxian.support.reminders import measure_reminders
from chuangxian.support.services import plans as services
from tests.support.conftest import ACTOR, held_meeting

pytestmark = pytest.mark.django_db


def test_ahead_overdue_escalated(tree, today):
    held_meeting(tree.branch_a1, today - dt.timedelta(days=20))
    held_meeting(tree.branch_b1, today - dt.timedelta(days=20))
    plan = services.plan_open(
        actor=ACTOR,
        organization=tree.branch_a2,
        helpers=[tree.branch_a1],
        leader="王镇长",
        problems="组织生活不正常",
        today=today,
    )
    measure = services.measure_add(
        actor=ACTOR,
        plan=plan,
        text="每月主题党日",
        owner="书记",
        due_on=today + dt.timedelta(days=5),
        today=today,
    )
    assert list(measure_reminders(today)) == []  # the plan has not started
    services.plan_start(actor=ACTOR, plan=plan)
    [ahead] = measure_reminders(today)
    assert ahead.severity == Severity.AHEAD and ahead.organization == tree.branch_a2
    [overdue] = measure_reminders(measure.due_on + dt.timedelta(days=1))
    assert overdue.severity == Severity.OVERDUE
    [escalated] = measure_reminders(measure.due_on + dt.timedelta(days=20))
    assert escalated.severity == Severity.ESCALATED
    assert escalated.organization == tree.town_a
    services.measure_complete(
        actor=ACTOR, measure=measure, done_on=today, note="已完成", today=today
    )
    assert list(measure_reminders(measure.due_on + dt.timedelta(days=20))) == []
