"""征求意见: members (or the public) comment until the deadline; the decision records each
comment adopted or not with reasons; the trail is visible to the commenters."""

import datetime as dt

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import Audience, ConsultationStatus
from chuangxian.openness.services import consultations as svc

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"


def _open(tree, now, audience=Audience.MEMBERS):  # type: ignore[no-untyped-def]
    return svc.consultation_open(
        actor=Actor(user=tree.secretary),
        organization=tree.branch_a1,
        title="关于调整主题党日时间的决定（草案）",
        draft="拟将每月主题党日由10日调整为每月第一个周六。",
        audience=audience,
        deadline=now + dt.timedelta(days=5),
        today=now,
    )


def test_members_comment_and_the_decision_records_adoption(tree, now):
    consultation = _open(tree, now)
    first = svc.consultation_comment(
        consultation=consultation,
        text="赞成，周六外出务工党员也能回来。",
        user=tree.member_user,
        today=now,
    )
    with pytest.raises(OpennessError, match="只征求本组织党员"):
        svc.consultation_comment(
            consultation=consultation, text="我是群众", device_id="d", today=now
        )
    second = svc.consultation_comment(
        consultation=consultation, text="建议改为周日。", user=tree.member_user, today=now
    )
    with pytest.raises(OpennessError) as caught:
        svc.consultation_decide(
            actor=Actor(user=tree.secretary),
            consultation=consultation,
            decision="自下月起主题党日定为每月第一个周六。",
            responses={first.pk: (True, ""), second.pk: (False, "")},
        )
    assert "第2条意见未采纳，须说明理由" in caught.value.messages
    decided = svc.consultation_decide(
        actor=Actor(user=tree.secretary),
        consultation=consultation,
        decision="自下月起主题党日定为每月第一个周六。",
        responses={first.pk: (True, ""), second.pk: (False, "周日多数党员有家务安排")},
    )
    assert decided.status == ConsultationStatus.DECIDED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.adopted is True and second.adopted is False
    with pytest.raises(OpennessError, match="截止"):
        svc.consultation_comment(
            consultation=consultation, text="补充", user=tree.member_user, today=now
        )
    assert AuditEvent.objects.filter(object_type="consultationcomment").count() == 2


def test_deadline_and_outside_members(tree, now):
    consultation = _open(tree, now)
    with pytest.raises(OpennessError, match="截止"):
        svc.consultation_comment(
            consultation=consultation,
            text="晚了",
            user=tree.member_user,
            today=now + dt.timedelta(days=6),
        )
    from tests.factories import make_user

    other = make_user("member_b1", member=tree.member_b1)
    with pytest.raises(OpennessError):
        svc.consultation_comment(
            consultation=consultation, text="我是乙镇的", user=other, today=now
        )


def test_public_consultation_by_the_organization_page(client, tree, now):
    consultation = _open(tree, now, audience=Audience.PUBLIC)
    page = client.get(f"/public/orgs/{tree.branch_a1.code}/").content.decode()
    url = f"/public/openness/{tree.branch_a1.code}/consultations/{consultation.pk}/"
    assert url in page
    client.get(url)
    client.post(url + "comment/", {"text": f"支持{PAYLOAD}"})
    comment = consultation.comments.get()
    assert comment.author_label == "群众"
    svc.consultation_decide(
        actor=Actor(user=tree.secretary),
        consultation=consultation,
        decision="通过。",
        responses={comment.pk: (True, "已采纳")},
    )
    trail = client.get(url).content.decode()
    assert "已采纳" in trail and PAYLOAD not in trail and "&lt;script&gt;" in trail
    # A members-only consultation is not on the public side.
    private = _open(tree, now)
    assert (
        client.get(
            f"/public/openness/{tree.branch_a1.code}/consultations/{private.pk}/"
        ).status_code
        == 404
    )


def test_pages_member_comments_and_secretary_decides(client, tree, now):
    consultation = _open(tree, now)
    client.force_login(tree.member_user)
    client.post(f"/openness/consultations/{consultation.pk}/comment/", {"text": "赞成调整"})
    comment = consultation.comments.get()
    assert comment.author_label == "张三"
    # The member cannot decide; the sibling branch cannot even see it.
    assert client.post(f"/openness/consultations/{consultation.pk}/decide/").status_code == 404
    client.force_login(tree.sibling_secretary)
    assert client.get(f"/openness/consultations/{consultation.pk}/").status_code == 404
    client.force_login(tree.secretary)
    client.post(
        f"/openness/consultations/{consultation.pk}/decide/",
        {"decision": "通过", f"adopt-{comment.pk}": "yes", f"reason-{comment.pk}": ""},
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DECIDED
    client.force_login(tree.member_user)
    page = client.get(f"/openness/consultations/{consultation.pk}/").content.decode()
    assert "已采纳" in page and "通过" in page
