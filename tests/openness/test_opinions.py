"""The public's opinions through the services: limits, duplicates, deadline in working days,
answer, rating, one reopen, rejection, moderation and reports."""

import datetime as dt

import pytest
from django.utils import timezone

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import Opinion, OpinionStatus, Satisfaction, Visibility
from chuangxian.openness.services import opinions
from chuangxian.workdays import add_working_days

pytestmark = pytest.mark.django_db

OTHER_TEXT = [
    "希望村里在冬季组织一次老年人健康体检，很多老人行动不便去不了镇卫生院。",
    "小区垃圾站每天下午才清运，夏天气味很大，建议改为上午清运。",
    "建议在学校门口设置减速带，上下学时车辆太快，孩子过马路很危险。",
    "村务公开栏的内容还是去年的，希望按时更新低保评定名单。",
]


def test_submit_assigns_a_deadline_in_working_days(submit, tree, now):
    opinion, token = submit(phone="139 1234 5678")
    assert opinion.organization == tree.branch_a1
    assert opinion.status == OpinionStatus.OPEN
    assert opinion.visibility == Visibility.PENDING
    assert opinion.due_on == opinion.first_due_on == add_working_days(now, 5)
    assert opinion.phone == "13912345678"
    assert opinion.follow_hash == opinions.follow_hash(token)
    assert token not in opinion.follow_hash
    event = AuditEvent.objects.get(object_type="opinion", object_id=str(opinion.pk))
    assert event.org_path == tree.branch_a1.path
    assert event.actor_label == "群众（扫码提交）"


def test_the_answer_deadline_is_configurable(submit, now, settings):
    settings.OPENNESS_OPINION_ANSWER_DAYS = 3
    opinion, _ = submit()
    assert opinion.due_on == add_working_days(now, 3)


@pytest.mark.parametrize(("text", "field"), [("太短", "text"), ("长" * 1001, "text")])
def test_length_limits(submit, text, field):
    with pytest.raises(OpennessError) as caught:
        submit(text=text)
    assert field in caught.value.message_dict
    assert not Opinion.objects.exists()


def test_bad_phone_is_refused_with_nothing_written(submit):
    with pytest.raises(OpennessError) as caught:
        submit(phone="12345")
    assert "phone" in caught.value.message_dict
    assert not Opinion.objects.exists()


def test_per_device_daily_limit(submit):
    for text in OTHER_TEXT[:3]:
        submit(text=text, device_id="same-phone")
    with pytest.raises(OpennessError, match="本设备今天"):
        submit(text=OTHER_TEXT[3], device_id="same-phone")
    assert Opinion.objects.count() == 3


def test_per_address_hourly_limit(submit, settings):
    settings.OPENNESS_OPINIONS_PER_ADDRESS_PER_HOUR = 2
    submit(text=OTHER_TEXT[0], address="10.0.0.7")
    submit(text=OTHER_TEXT[1], address="10.0.0.7")
    with pytest.raises(OpennessError, match="一小时"):
        submit(text=OTHER_TEXT[2], address="10.0.0.7")
    submit(text=OTHER_TEXT[2], address="10.0.0.8")


def test_near_duplicate_of_a_recent_opinion_is_refused(submit, tree):
    submit(text="村口路灯坏了一个多月，晚上出行很不方便，请尽快修好。")
    with pytest.raises(OpennessError, match="重复"):
        submit(text="村口的路灯坏了一个多月了，晚上出行很不方便，请尽快修好！")
    # Another organization may receive the same words.
    submit(text="村口路灯坏了一个多月，晚上出行很不方便，请尽快修好。", organization=tree.branch_a2)


def test_answer_rate_satisfied_closes(submit, tree, now):
    opinion, token = submit()
    actor = Actor(user=tree.secretary)
    answered = opinions.opinion_answer(
        actor=actor, opinion=opinion, reply="已联系电工，明天修好。", today=now
    )
    assert answered.status == OpinionStatus.ANSWERED
    assert answered.first_answered_on == now
    with pytest.raises(OpennessError, match="只有提交人"):
        opinions.opinion_rate(opinion=answered, token="guess", satisfaction="satisfied")
    rated = opinions.opinion_rate(opinion=answered, token=token, satisfaction="satisfied")
    assert rated.status == OpinionStatus.CLOSED
    assert rated.satisfaction == Satisfaction.SATISFIED
    with pytest.raises(OpennessError):
        opinions.opinion_reopen(opinion=rated, token=token, reason="还是不亮", today=now)


def test_dissatisfied_then_reopen_once(submit, tree, now):
    opinion, token = submit()
    actor = Actor(user=tree.secretary)
    opinions.opinion_answer(actor=actor, opinion=opinion, reply="已报修。", today=now)
    opinions.opinion_rate(opinion=opinion, token=token, satisfaction="dissatisfied")
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.ANSWERED
    with pytest.raises(OpennessError, match="为什么"):
        opinions.opinion_reopen(opinion=opinion, token=token, reason=" ", today=now)
    later = now + dt.timedelta(days=3)
    reopened = opinions.opinion_reopen(
        opinion=opinion, token=token, reason="一周了还是不亮", today=later
    )
    assert reopened.status == OpinionStatus.REOPENED
    assert reopened.due_on == add_working_days(later, 5)
    assert reopened.first_due_on == add_working_days(now, 5)
    again = opinions.opinion_answer(
        actor=actor, opinion=reopened, reply="已更换灯具。", today=later
    )
    assert again.first_answered_on == now  # the first answer counts for the on-time figure
    assert again.satisfaction == ""
    with pytest.raises(OpennessError, match="只能申请重新办理一次"):
        opinions.opinion_reopen(opinion=again, token=token, reason="又坏了", today=later)


def test_answer_needs_text_and_an_open_opinion(submit, tree, now):
    opinion, _ = submit()
    actor = Actor(user=tree.secretary)
    with pytest.raises(OpennessError):
        opinions.opinion_answer(actor=actor, opinion=opinion, reply="  ", today=now)
    opinions.opinion_reject(actor=actor, opinion=opinion, reason="广告内容")
    with pytest.raises(OpennessError, match="不予受理"):
        opinions.opinion_answer(actor=actor, opinion=opinion, reply="好的", today=now)
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.PRIVATE


def test_reports_hide_a_published_opinion_until_reviewed(submit, tree, settings):
    opinion, _ = submit()
    actor = Actor(user=tree.secretary)
    opinions.opinion_moderate(actor=actor, opinion=opinion, publish=True)
    assert opinions.opinion_report(opinion=opinion, device_id="r1") is False
    with pytest.raises(OpennessError, match="已举报"):
        opinions.opinion_report(opinion=opinion, device_id="r1")
    assert opinions.opinion_report(opinion=opinion, device_id="r2") is False
    assert opinions.opinion_report(opinion=opinion, device_id="r3") is True
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.REPORTED
    assert opinion.report_count == 3
    opinions.opinion_moderate(actor=actor, opinion=opinion, publish=True)
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.PUBLISHED
    assert opinion.report_count == 0 and not opinion.reports.exists()
    # The same visitors may report again after the review; it takes three anew.
    assert opinions.opinion_report(opinion=opinion, device_id="r1") is False


def test_every_step_is_audited(submit, tree, now):
    opinion, token = submit()
    actor = Actor(user=tree.secretary)
    opinions.opinion_moderate(actor=actor, opinion=opinion, publish=True)
    opinions.opinion_answer(actor=actor, opinion=opinion, reply="已处理。", today=now)
    opinions.opinion_rate(opinion=opinion, token=token, satisfaction="dissatisfied")
    opinions.opinion_reopen(opinion=opinion, token=token, reason="没处理好", today=now)
    labels = list(
        AuditEvent.objects.filter(object_type="opinion", object_id=str(opinion.pk))
        .order_by("id")
        .values_list("object_label", flat=True)
    )
    assert [label.split("：")[1] for label in labels] == [
        "submit",
        "moderate",
        "answer",
        "rate",
        "reopen",
    ]


def test_submitted_at_is_now(submit):
    opinion, _ = submit()
    assert abs((timezone.now() - opinion.submitted_at).total_seconds()) < 3600


def test_personal_data_keeps_an_opinion_off_the_wall(submit, tree):
    opinion, _ = submit(text="我的手机是13912345678，家住三组，路灯一直不亮请来修。")
    actor = Actor(user=tree.secretary)
    with pytest.raises(OpennessError, match="不能在回音壁公开"):
        opinions.opinion_moderate(actor=actor, opinion=opinion, publish=True)
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.PENDING
    opinions.opinion_moderate(actor=actor, opinion=opinion, publish=False)
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.PRIVATE
