"""The 评先评优 flow through its services: eligibility, snapshot, review up the tree, 纪检,
quotas, 公示 in working days, objections, approval, certificates."""

import datetime as dt
import io
import zipfile

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.honors import certificates
from chuangxian.honors.errors import HonorsError
from chuangxian.honors.models import (
    AwardRecord,
    BatchStatus,
    NominationStatus,
    ObjectionOutcome,
    ReviewAction,
)
from chuangxian.honors.services import awards
from chuangxian.workdays import add_working_days
from tests.honors.conftest import TODAY, published_result

pytestmark = pytest.mark.django_db


def _actor(user) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(user=user)


def _nominate(tree, batch, member=None, story="带领群众修路架桥。"):  # type: ignore[no-untyped-def]
    return awards.nomination_create(
        actor=_actor(tree.secretary),
        category=batch.members_category,
        nominated_by=tree.branch_a1,
        story=story,
        today=TODAY,
        member=member or tree.member_a1,
    )


def _through_review(tree, nomination):  # type: ignore[no-untyped-def]
    nomination = awards.nomination_approve(actor=_actor(tree.town_admin), nomination=nomination)
    nomination = awards.nomination_approve(actor=_actor(tree.county_admin), nomination=nomination)
    return awards.nomination_discipline_opinion(
        actor=_actor(tree.county_admin), nomination=nomination, agree=True, opinion="未发现问题"
    )


def test_ineligible_member_is_refused_with_the_reason(tree, batch):
    with pytest.raises(HonorsError) as refused:
        _nominate(tree, batch)
    assert "近3年民主评议至少一次为优秀" in refused.value.messages[0]
    assert "没有评为优秀的记录" in refused.value.messages[0]
    published_result(2025, "优秀", member=tree.member_a1)
    published_result(2024, "不合格", member=tree.member_a1)
    with pytest.raises(HonorsError) as refused:
        _nominate(tree, batch)
    assert "2024年（2024年考评）评为不合格" in " ".join(refused.value.messages)


def test_organization_needs_four_stars(tree, batch):
    published_result(2025, "较好", organization=tree.branch_a1, tier="三星")
    kwargs = dict(
        actor=_actor(tree.town_admin),
        category=batch.orgs_category,
        nominated_by=tree.town_a,
        story="五好支部。",
        today=TODAY,
        organization=tree.branch_a1,
    )
    with pytest.raises(HonorsError, match="三星"):
        awards.nomination_create(**kwargs)
    published_result(2026, "好", organization=tree.branch_a1, tier="四星")
    nomination = awards.nomination_create(**kwargs)
    assert nomination.eligibility[0]["ok"] is True
    assert nomination.reviewer == tree.county


def test_snapshot_is_kept_and_review_goes_up_the_tree(tree, batch):
    published_result(2025, "优秀", member=tree.member_a1)
    nomination = _nominate(tree, batch)
    assert nomination.status == NominationStatus.REVIEWING
    assert nomination.reviewer == tree.town_a
    assert nomination.snapshot["grades"][0]["grade"] == "优秀"
    # Later records do not change what reviewers see.
    published_result(2026, "合格", member=tree.member_a1)
    nomination.refresh_from_db()
    assert [g["year"] for g in nomination.snapshot["grades"]] == [2025]
    nomination = awards.nomination_approve(actor=_actor(tree.town_admin), nomination=nomination)
    assert nomination.reviewer == tree.county
    nomination = awards.nomination_approve(actor=_actor(tree.county_admin), nomination=nomination)
    assert nomination.status == NominationStatus.DISCIPLINE
    assert nomination.reviewer is None
    with pytest.raises(HonorsError, match="不能审核同意"):
        awards.nomination_approve(actor=_actor(tree.county_admin), nomination=nomination)
    nomination = awards.nomination_discipline_opinion(
        actor=_actor(tree.county_admin), nomination=nomination, agree=True, opinion=""
    )
    assert nomination.status == NominationStatus.REVIEWED
    actions = list(nomination.steps.values_list("action", flat=True))
    assert actions == [
        ReviewAction.SUBMIT,
        ReviewAction.APPROVE,
        ReviewAction.APPROVE,
        ReviewAction.DISCIPLINE_AGREE,
    ]
    assert AuditEvent.objects.filter(object_type="nomination").count() == 4


def test_return_needs_a_reason_and_resubmission_starts_again(tree, batch):
    published_result(2025, "优秀", member=tree.member_a1)
    nomination = _nominate(tree, batch)
    with pytest.raises(HonorsError):
        awards.nomination_return(actor=_actor(tree.town_admin), nomination=nomination, reason=" ")
    nomination = awards.nomination_return(
        actor=_actor(tree.town_admin), nomination=nomination, reason="事迹不够具体"
    )
    assert nomination.status == NominationStatus.RETURNED
    nomination = awards.nomination_resubmit(
        actor=_actor(tree.secretary), nomination=nomination, story="具体事迹：修路3公里。"
    )
    assert nomination.status == NominationStatus.REVIEWING
    assert nomination.reviewer == tree.town_a


def test_discipline_objection_rejects(tree, batch):
    published_result(2025, "优秀", member=tree.member_a1)
    nomination = _nominate(tree, batch)
    nomination = awards.nomination_approve(actor=_actor(tree.town_admin), nomination=nomination)
    nomination = awards.nomination_approve(actor=_actor(tree.county_admin), nomination=nomination)
    with pytest.raises(HonorsError, match="理由"):
        awards.nomination_discipline_opinion(
            actor=_actor(tree.county_admin), nomination=nomination, agree=False, opinion=""
        )
    nomination = awards.nomination_discipline_opinion(
        actor=_actor(tree.county_admin), nomination=nomination, agree=False, opinion="有信访件"
    )
    assert nomination.status == NominationStatus.REJECTED


def test_window_and_duplicates(tree, batch):
    published_result(2025, "优秀", member=tree.member_a1)
    with pytest.raises(HonorsError, match="推荐时间"):
        awards.nomination_create(
            actor=_actor(tree.secretary),
            category=batch.members_category,
            nominated_by=tree.branch_a1,
            story="事迹",
            today=dt.date(2026, 6, 11),
            member=tree.member_a1,
        )
    _nominate(tree, batch)
    with pytest.raises(HonorsError, match="已被推荐"):
        _nominate(tree, batch)
    with pytest.raises(HonorsError, match="本组织及下级"):
        awards.nomination_create(
            actor=_actor(tree.secretary),
            category=batch.members_category,
            nominated_by=tree.branch_a1,
            story="事迹",
            today=TODAY,
            member=tree.member_a2,
        )


def test_shortlist_within_quota_notice_objection_and_approval(
    tree, batch, django_capture_on_commit_callbacks
):
    published_result(2025, "优秀", member=tree.member_a1)
    published_result(2025, "优秀", member=tree.member_a1g)
    first = _through_review(tree, _nominate(tree, batch))
    second = _through_review(tree, _nominate(tree, batch, member=tree.member_a1g))
    county = _actor(tree.county_admin)
    with pytest.raises(HonorsError, match="公示前"):
        awards.nomination_shortlist(actor=county, nomination=first)
    awards.batch_close_nominations(actor=county, batch=batch)
    awards.nomination_shortlist(actor=county, nomination=first)
    with pytest.raises(HonorsError, match="名额为 1 个，已满"):
        awards.nomination_shortlist(actor=county, nomination=second)

    started = awards.batch_start_notice(actor=county, batch=batch, today=TODAY)
    assert started.status == BatchStatus.NOTICE
    with pytest.raises(HonorsError, match="不能再调整名额"):
        awards.quota_set(
            actor=county, category=batch.members_category, organization=tree.town_a, count=5
        )
    assert started.notice_starts == add_working_days(TODAY, 1)
    assert started.notice_ends == add_working_days(TODAY, 5)

    objection = awards.objection_submit(
        nomination=first,
        text="该同志曾在工作中有不实汇报",
        address="10.0.0.9",
        device_id="dev-1",
        today=started.notice_starts,
    )
    assert objection.address_hash and "10.0.0.9" not in objection.address_hash
    with pytest.raises(HonorsError, match="不在公示期"):
        awards.objection_submit(nomination=second, text="x", today=started.notice_starts)
    with pytest.raises(HonorsError, match="公示期到"):
        awards.batch_approve(actor=county, batch=batch, today=started.notice_ends)
    after = started.notice_ends + dt.timedelta(days=1)
    with pytest.raises(HonorsError, match="未处理的异议"):
        awards.batch_approve(actor=county, batch=batch, today=after)
    awards.objection_handle(
        actor=county, objection=objection, upheld=False, note="经核实，反映情况不属实"
    )
    with django_capture_on_commit_callbacks(execute=True):
        approved = awards.batch_approve(actor=county, batch=batch, today=after)
    assert approved.status == BatchStatus.APPROVED
    award = AwardRecord.objects.get()
    assert award.member == tree.member_a1
    assert award.material_reward == "奖金500元"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == NominationStatus.AWARDED
    assert second.status == NominationStatus.REVIEWED  # not shortlisted, not awarded

    pdf = certificates.certificate_pdf(award)
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile3" in pdf or b"/FontFile2" in pdf  # the font is embedded
    approved.refresh_from_db()
    assert approved.certificates_at is not None  # written by the background task
    with approved.certificates.open("rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    assert archive.namelist() == [certificates.certificate_filename(award)]
    assert archive.read(archive.namelist()[0]).startswith(b"%PDF")


def test_upheld_objection_drops_the_nominee(tree, batch):
    published_result(2025, "优秀", member=tree.member_a1)
    first = _through_review(tree, _nominate(tree, batch))
    county = _actor(tree.county_admin)
    awards.batch_close_nominations(actor=county, batch=batch)
    awards.nomination_shortlist(actor=county, nomination=first)
    started = awards.batch_start_notice(actor=county, batch=batch, today=TODAY)
    objection = awards.objection_submit(
        nomination=first, text="有违纪行为", today=started.notice_ends
    )
    awards.objection_handle(actor=county, objection=objection, upheld=True, note="属实")
    awards.batch_approve(
        actor=county, batch=batch, today=started.notice_ends + dt.timedelta(days=3)
    )
    first.refresh_from_db()
    assert first.status == NominationStatus.REJECTED
    assert not AwardRecord.objects.exists()
    assert objection.nomination.objections.get().outcome == ObjectionOutcome.UPHELD


def test_objections_are_rate_limited(tree, batch):
    published_result(2025, "优秀", member=tree.member_a1)
    first = _through_review(tree, _nominate(tree, batch))
    county = _actor(tree.county_admin)
    awards.batch_close_nominations(actor=county, batch=batch)
    awards.nomination_shortlist(actor=county, nomination=first)
    day = awards.batch_start_notice(actor=county, batch=batch, today=TODAY).notice_starts
    for _ in range(awards.OBJECTIONS_PER_DEVICE):
        awards.objection_submit(nomination=first, text="意见", device_id="same", today=day)
    with pytest.raises(HonorsError, match="已对该人选提出过异议"):
        awards.objection_submit(nomination=first, text="意见", device_id="same", today=day)
    for n in range(awards.OBJECTIONS_PER_HOUR):
        awards.objection_submit(
            nomination=first, text="意见", address="1.2.3.4", device_id=f"d{n}", today=day
        )
    with pytest.raises(HonorsError, match="过于频繁"):
        awards.objection_submit(
            nomination=first, text="意见", address="1.2.3.4", device_id="other", today=day
        )
    with pytest.raises(HonorsError, match="不能超过500字"):
        awards.objection_submit(nomination=first, text="长" * 501, today=day)


def test_printable_replaces_characters_the_font_lacks():
    assert certificates.printable("张三") == "张三"
    assert certificates.printable("𠀀") == certificates.MISSING
