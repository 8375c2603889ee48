"""依申请公开 (3 working days, once extended to 10), the reminders of openness' deadlines, and
the appraisal metrics fed from the opinions."""

import datetime as dt

import pytest

from chuangxian.appraisal.metrics import Period, compute_metric, get_metric
from chuangxian.audit.services import Actor
from chuangxian.openness import metrics, reminders
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import DisclosureRequest, Opinion, RequestStatus
from chuangxian.openness.services import opinions
from chuangxian.openness.services import requests as svc
from chuangxian.reminders.models import Reminder
from chuangxian.reminders.services import reminders_sweep
from chuangxian.workdays import add_working_days

pytestmark = pytest.mark.django_db


def test_request_due_in_three_working_days_extended_once_to_ten(tree, now):
    request = svc.request_create(
        actor=Actor(user=tree.member_user),
        organization=tree.branch_a1,
        subject="请公开今年党费的使用情况。",
        today=now,
    )
    assert request.due_on == add_working_days(now, 3)
    extended = svc.request_extend(
        actor=Actor(user=tree.secretary), request=request, reason="需要向镇党委核对账目"
    )
    assert extended.status == RequestStatus.EXTENDED
    assert extended.due_on == add_working_days(now, 10)
    with pytest.raises(OpennessError, match="只能延期一次"):
        svc.request_extend(actor=Actor(user=tree.secretary), request=request, reason="再延")
    answered = svc.request_answer(
        actor=Actor(user=tree.secretary), request=request, answer="已在公开栏公开。", today=now
    )
    assert answered.status == RequestStatus.ANSWERED


def test_request_pages(client, tree, now):
    client.force_login(tree.member_user)
    response = client.post("/openness/requests/", {"subject": "<script>x</script>请公开党费使用"})
    assert response.status_code == 302
    request = DisclosureRequest.objects.get()
    assert request.organization == tree.branch_a1 and request.requester == tree.member_user
    page = client.get(request.get_absolute_url()).content.decode()
    assert "<script>x" not in page
    # The member cannot answer their own request; the secretary can; a sibling cannot see it.
    assert (
        client.post(f"/openness/requests/{request.pk}/answer/", {"answer": "x"}).status_code == 404
    )
    client.force_login(tree.sibling_secretary)
    assert client.get(request.get_absolute_url()).status_code == 404
    client.force_login(tree.secretary)
    client.post(f"/openness/requests/{request.pk}/answer/", {"answer": "已公开。"})
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED


def test_overdue_request_escalates_to_the_superior(tree, now):
    request = svc.request_create(
        actor=Actor(user=tree.member_user),
        organization=tree.branch_a1,
        subject="请公开今年党费的使用情况。",
        today=now,
    )
    ahead = list(reminders.request_reminders(request.due_on))
    assert [d.severity for d in ahead] == ["ahead"] and ahead[0].organization == tree.branch_a1
    late = list(reminders.request_reminders(request.due_on + dt.timedelta(days=1)))
    assert [d.severity for d in late] == ["escalated"]
    assert late[0].organization == tree.town_a


def test_overdue_opinion_warns_the_organization_and_escalates(submit, tree):
    opinion, _ = submit()
    after = opinion.due_on + dt.timedelta(days=1)
    reminders_sweep(today=after, sources=[reminders.OPINIONS])
    rows = {r.severity: r for r in Reminder.objects.filter(source=reminders.OPINIONS)}
    assert rows["overdue"].organization == tree.branch_a1
    assert rows["escalated"].organization == tree.town_a
    opinions.opinion_answer(
        actor=Actor(user=tree.secretary), opinion=opinion, reply="已处理。", today=after
    )
    reminders_sweep(today=after, sources=[reminders.OPINIONS])
    assert not Reminder.objects.filter(source=reminders.OPINIONS, resolved_at__isnull=True).exists()


def test_metrics_registered_and_computed(submit, tree, now):
    assert get_metric(metrics.ON_TIME) is not None
    assert get_metric(metrics.SATISFACTION) is not None
    actor = Actor(user=tree.secretary)
    on_time, token = submit()
    opinions.opinion_answer(actor=actor, opinion=on_time, reply="好的。", today=now)
    opinions.opinion_rate(opinion=on_time, token=token, satisfaction="satisfied")
    late, token_late = submit(text="希望在冬季组织一次老年人健康体检，很多老人去不了卫生院。")
    Opinion.objects.filter(pk=late.pk).update(
        first_due_on=now - dt.timedelta(days=1), due_on=now - dt.timedelta(days=1)
    )
    late.refresh_from_db()
    opinions.opinion_answer(actor=actor, opinion=late, reply="已安排。", today=now)
    opinions.opinion_rate(opinion=late, token=token_late, satisfaction="dissatisfied")
    period = Period.of_year(now.year)
    ids = [tree.branch_a1.pk, tree.branch_a2.pk]
    assert compute_metric(metrics.ON_TIME, ids, period) == {
        tree.branch_a1.pk: 0.5,
        tree.branch_a2.pk: None,
    }
    assert compute_metric(metrics.SATISFACTION, ids, period)[tree.branch_a1.pk] == 0.5


def test_response_statistics_on_the_staff_page(client, submit, tree, now):
    from chuangxian.openness.figures import average_answer_days

    opinion, _ = submit()
    later = add_working_days(now, 2)
    opinions.opinion_answer(
        actor=Actor(user=tree.secretary), opinion=opinion, reply="已处理。", today=later
    )
    start, end = dt.date(now.year, 1, 1), dt.date(now.year, 12, 31)
    assert average_answer_days(tree.branch_a1.pk, start, end) == 2
    client.force_login(tree.town_admin)
    page = client.get("/openness/").content.decode()
    assert "本年度答复情况" in page and "甲镇一村党支部" in page
    client.force_login(tree.outsider)
    assert "甲镇一村党支部" not in client.get("/openness/").content.decode()
