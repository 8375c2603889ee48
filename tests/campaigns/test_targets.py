"""Targets: setting, decomposing, validation, letters (signatures, freezing, self-check,
review, 一票否决), progress with evidence, reminders and the figures."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.campaigns import figures
from chuangxian.campaigns.models import (
    Evidence,
    LetterStatus,
    ProgressReport,
    ResponsibilityLetter,
    TargetItem,
)
from chuangxian.campaigns.reminders import target_reminders
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.services.letters import (
    HOLDER,
    SUPERIOR,
    letter_review,
    letter_self_check,
    letter_sign,
)
from chuangxian.campaigns.services.targets import (
    target_decompose,
    target_delete,
    target_report_progress,
    target_set,
    target_update,
)
from chuangxian.reminders.models import Reminder, Severity
from chuangxian.reminders.services import reminders_sweep
from chuangxian.uploads.safety import check_upload
from tests.campaigns.conftest import DAY, done_target, number_target
from tests.factories import Role, make_user

pytestmark = pytest.mark.django_db


def _set(tree, campaign, today, **changes):  # type: ignore[no-untyped-def]
    return target_set(
        actor=Actor(user=tree.county_admin),
        campaign=campaign,
        superior=tree.county,
        organization=tree.town_a,
        values=number_target(today, **changes),
        today=today,
    )


def _cascade(tree, campaign, today):  # type: ignore[no-untyped-def]
    """County → town A (target 4) → branches A1 (weight 3) and A2 (weight 1)."""
    town = _set(tree, campaign, today)
    a1 = target_decompose(
        actor=Actor(user=tree.town_admin),
        parent=town,
        organization=tree.branch_a1,
        values=number_target(today, weight=Decimal(3), target_value=Decimal(2)),
        today=today,
    )
    a2 = target_decompose(
        actor=Actor(user=tree.town_admin),
        parent=town,
        organization=tree.branch_a2,
        values=done_target(today, weight=Decimal(1)),
        today=today,
    )
    return town, a1, a2


def test_set_target_creates_the_childs_letter_and_audits(tree, county_campaign, today):
    item = _set(tree, county_campaign, today)
    letter = ResponsibilityLetter.objects.get()
    assert (letter.organization, letter.superior, letter.status) == (
        tree.town_a,
        tree.county,
        LetterStatus.DRAFT,
    )
    assert item.letter == letter and item.set_by == tree.county
    event = AuditEvent.objects.get(object_type="targetitem", action="create")
    assert event.org_path == tree.town_a.path
    assert event.changes["title"] == [None, "发展党员"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "不能为空"),
        ({"weight": Decimal(0)}, "weight", "分值应大于0"),
        ({"target_value": None}, "target_value", "须填写目标值"),
        ({"target_value": Decimal(0)}, "target_value", "目标值应与基数不同"),
        ({"deadline": "far"}, "deadline", "完成时限应在活动期间内"),
        ({"dimension": "nonsense"}, "dimension", "五好"),
    ],
)
def test_invalid_target_is_refused_and_nothing_written(
    tree, county_campaign, today, changes, field, message
):
    if changes.get("deadline") == "far":
        changes["deadline"] = today + 400 * DAY
    with pytest.raises(CampaignError) as refused:
        _set(tree, county_campaign, today, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not TargetItem.objects.exists()
    assert not ResponsibilityLetter.objects.exists()


def test_targets_only_for_direct_children_and_in_the_right_phase(tree, county_campaign, today):
    with pytest.raises(CampaignError) as refused:
        target_set(
            actor=Actor(),
            campaign=county_campaign,
            superior=tree.county,
            organization=tree.branch_a1,
            values=number_target(today),
            today=today,
        )
    assert "直接下级" in refused.value.message_dict["organization"][0]
    with pytest.raises(CampaignError, match="当前活动阶段不能下达"):
        _set(tree, county_campaign, today + 40 * DAY)  # 点评评议
    assert not TargetItem.objects.exists()


def test_decompose_keeps_the_link_and_checks_holder_and_deadline(tree, county_campaign, today):
    town, a1, _a2 = _cascade(tree, county_campaign, today)
    assert a1.parent == town and a1.set_by == tree.town_a
    assert a1.letter.superior == tree.town_a
    with pytest.raises(CampaignError) as refused:
        target_decompose(
            actor=Actor(),
            parent=town,
            organization=tree.branch_a1,
            values=number_target(today, deadline=town.deadline + DAY),
            today=today,
        )
    assert "不能晚于上级目标的完成时限" in refused.value.message_dict["deadline"][0]
    with pytest.raises(CampaignError) as refused:
        target_decompose(
            actor=Actor(),
            parent=town,
            organization=tree.branch_b1,
            values=number_target(today),
            today=today,
        )
    assert "直接下级" in refused.value.message_dict["organization"][0]
    with pytest.raises(CampaignError) as refused:
        target_decompose(
            actor=Actor(),
            parent=a1,
            member=tree.member_b1,
            values=number_target(today),
            today=today,
        )
    assert "在册的党员" in refused.value.message_dict["member"][0]
    member_item = target_decompose(
        actor=Actor(), parent=a1, member=tree.member_a1g, values=number_target(today), today=today
    )
    assert member_item.organization == tree.branch_a1 and member_item.letter is None
    with pytest.raises(CampaignError, match="分解到个人的目标不能再分解"):
        target_decompose(
            actor=Actor(),
            parent=member_item,
            member=tree.member_a1,
            values=number_target(today),
            today=today,
        )
    assert TargetItem.objects.count() == 4
    # A member's item is frozen once the letter above it has had its year-end review.
    ResponsibilityLetter.objects.filter(pk=a1.letter_id).update(status=LetterStatus.REVIEWED)
    with pytest.raises(CampaignError, match="已完成年终考核"):
        target_update(actor=Actor(), item=member_item, values=number_target(today, title="改"))
    with pytest.raises(CampaignError, match="已完成年终考核"):
        target_delete(actor=Actor(), item=member_item)
    assert TargetItem.objects.get(pk=member_item.pk).title != "改"


def test_progress_rolls_up_the_tree(tree, county_campaign, today):
    town, a1, a2 = _cascade(tree, county_campaign, today)
    assert figures.target_progress(tree.town_a, county_campaign) == 0.0
    target_report_progress(
        actor=Actor(user=tree.secretary), item=a1, value=Decimal(1), note="发展1名", today=today
    )
    # A1: 1 of 2 = 0.5 with weight 3; A2 not done (weight 1) → town = 1.5 / 4
    assert figures.target_progress(tree.branch_a1, county_campaign) == 0.5
    assert figures.target_progress(tree.town_a, county_campaign) == pytest.approx(0.375)
    target_report_progress(
        actor=Actor(user=tree.sibling_secretary), item=a2, done=True, note="已建成", today=today
    )
    assert figures.target_progress(tree.town_a, county_campaign) == pytest.approx(0.625)
    assert figures.target_progress(tree.county, county_campaign) is None  # holds no targets
    assert figures.target_progress(tree.branch_b1, county_campaign) is None
    with pytest.raises(CampaignError, match="进度由分解项汇总"):
        target_report_progress(actor=Actor(), item=town, value=Decimal(4), note="x", today=today)
    with pytest.raises(CampaignError) as refused:
        target_report_progress(actor=Actor(), item=a1, value=None, note=" ", today=today)
    assert set(refused.value.message_dict) == {"note", "value"}
    assert ProgressReport.objects.count() == 2


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile("现场照片.png", out.getvalue(), content_type="image/png")


def test_evidence_is_stored_under_a_random_name(tree, county_campaign, today):
    _town, a1, _a2 = _cascade(tree, county_campaign, today)
    clean = check_upload(_png())
    report = target_report_progress(
        actor=Actor(user=tree.secretary),
        item=a1,
        value=Decimal(2),
        note="完成",
        today=today,
        files=[clean],
    )
    evidence = Evidence.objects.get(report=report)
    assert evidence.file_name == clean.name
    assert "现场照片" not in evidence.storage_name
    assert evidence.storage_name.startswith("campaigns/evidence/")
    assert len(evidence.token) == 32
    with default_storage.open(evidence.storage_name) as stored:
        assert stored.read() == clean.content


def test_files_are_removed_when_the_report_is_refused(tree, county_campaign, today):
    town, _a1, _a2 = _cascade(tree, county_campaign, today)
    with pytest.raises(CampaignError):
        target_report_progress(
            actor=Actor(),
            item=town,
            value=Decimal(1),
            note="x",
            today=today,
            files=[check_upload(_png())],
        )
    _dirs, files = default_storage.listdir("campaigns/evidence")
    assert files == []


def _sign_both(tree, letter):  # type: ignore[no-untyped-def]
    letter = letter_sign(
        actor=Actor(user=tree.town_admin), letter=letter, side=SUPERIOR, user=tree.town_admin
    )
    return letter_sign(
        actor=Actor(user=tree.secretary), letter=letter, side=HOLDER, user=tree.secretary
    )


def test_letter_signatures_freeze_the_items_but_not_progress(tree, county_campaign, today):
    _town, a1, _a2 = _cascade(tree, county_campaign, today)
    letter = a1.letter
    with pytest.raises(CampaignError, match="第一责任人"):
        letter_sign(actor=Actor(user=tree.worker), letter=letter, side=HOLDER, user=tree.worker)
    with pytest.raises(CampaignError, match="第一责任人"):
        # a higher administrator is not the town's first-responsible person
        letter_sign(
            actor=Actor(user=tree.county_admin),
            letter=letter,
            side=SUPERIOR,
            user=tree.county_admin,
        )
    letter = letter_sign(
        actor=Actor(user=tree.town_admin), letter=letter, side=SUPERIOR, user=tree.town_admin
    )
    assert letter.status == LetterStatus.DRAFT and letter.superior_signed_at is not None
    with pytest.raises(CampaignError, match="这一方已经签字"):
        letter_sign(
            actor=Actor(user=tree.town_admin), letter=letter, side=SUPERIOR, user=tree.town_admin
        )
    letter = letter_sign(
        actor=Actor(user=tree.secretary), letter=letter, side=HOLDER, user=tree.secretary
    )
    assert letter.status == LetterStatus.SIGNED
    assert letter.holder_signed_by == tree.secretary and letter.holder_signed_at is not None
    with pytest.raises(CampaignError, match="目标已冻结"):
        target_update(actor=Actor(), item=a1, values=number_target(today, title="改"))
    with pytest.raises(CampaignError, match="目标已冻结"):
        target_decompose(
            actor=Actor(),
            parent=a1.parent,
            organization=tree.branch_a1,
            values=number_target(today),
            today=today,
        )
    target_report_progress(
        actor=Actor(user=tree.secretary), item=a1, value=Decimal(1), note="进展", today=today
    )
    assert TargetItem.objects.get(pk=a1.pk).title == "发展党员"
    reasons = list(
        AuditEvent.objects.filter(object_type="responsibilityletter")
        .order_by("id")
        .values_list("reason", flat=True)
    )
    assert reasons == ["代表甲镇党委签订目标管理责任书", "代表甲镇一村党支部签订目标管理责任书"]


def test_same_person_cannot_sign_both_sides(tree, county_campaign, today):
    both = make_user("both", grants=((tree.town_a, Role.ADMIN), (tree.branch_a1, Role.SECRETARY)))
    _town, a1, _a2 = _cascade(tree, county_campaign, today)
    letter = letter_sign(actor=Actor(user=both), letter=a1.letter, side=SUPERIOR, user=both)
    with pytest.raises(CampaignError, match="不同的人"):
        letter_sign(actor=Actor(user=both), letter=letter, side=HOLDER, user=both)


def test_a_change_before_both_signed_voids_the_signature(tree, county_campaign, today):
    _town, a1, _a2 = _cascade(tree, county_campaign, today)
    letter_sign(
        actor=Actor(user=tree.town_admin), letter=a1.letter, side=SUPERIOR, user=tree.town_admin
    )
    target_update(
        actor=Actor(user=tree.town_admin), item=a1, values=number_target(today, weight=Decimal(5))
    )
    letter = ResponsibilityLetter.objects.get(pk=a1.letter_id)
    assert letter.superior_signed_at is None and letter.superior_signed_by is None
    assert AuditEvent.objects.filter(reason="目标在双方签字前被修改").count() == 1


def test_self_check_then_review_with_veto(tree, county_campaign, today):
    town = _set(tree, county_campaign, today)
    veto = target_set(
        actor=Actor(),
        campaign=county_campaign,
        superior=tree.county,
        organization=tree.town_a,
        values=done_target(today, veto=True, weight=Decimal(5)),
        today=today,
    )
    letter = town.letter
    with pytest.raises(CampaignError, match="只有已签订的责任书才能自查"):
        letter_self_check(actor=Actor(), letter=letter, scores={}, note="", today=today)
    county_secretary = make_user("county_sec", grants=((tree.county, Role.SECRETARY),))
    letter = letter_sign(actor=Actor(), letter=letter, side=SUPERIOR, user=county_secretary)
    letter = letter_sign(actor=Actor(), letter=letter, side=HOLDER, user=tree.town_admin)
    with pytest.raises(CampaignError) as refused:
        letter_self_check(
            actor=Actor(),
            letter=letter,
            scores={town.pk: (Decimal(99), ""), veto.pk: (None, "")},
            note="",
            today=today,
        )
    assert set(refused.value.message_dict) == {f"score_{town.pk}", f"score_{veto.pk}"}
    assert TargetItem.objects.get(pk=town.pk).self_score is None
    letter = letter_self_check(
        actor=Actor(user=tree.town_admin),
        letter=letter,
        scores={town.pk: (Decimal(8), "基本完成"), veto.pk: (Decimal(5), "")},
        note="上半年进展顺利",
        today=today,
    )
    assert letter.status == LetterStatus.SELF_CHECKED
    with pytest.raises(CampaignError, match="须在点评评议阶段"):
        letter_review(actor=Actor(), letter=letter, scores={}, note="", today=today)
    review_day = today + 40 * DAY
    letter = letter_review(
        actor=Actor(user=tree.county_admin),
        letter=letter,
        scores={town.pk: (Decimal(9), ""), veto.pk: (Decimal(0), "发生安全事故")},
        note="一票否决",
        today=review_day,
    )
    assert letter.status == LetterStatus.REVIEWED
    assert letter.vetoed is True and letter.review_total == 0
    with pytest.raises(CampaignError, match="已完成年终考核"):
        target_report_progress(
            actor=Actor(), item=town, value=Decimal(1), note="x", today=review_day
        )


def test_review_total_is_the_sum_without_veto(tree, county_campaign, today):
    town = _set(tree, county_campaign, today)
    other = _set(tree, county_campaign, today, title="村集体经济")
    county_secretary = make_user("county_sec", grants=((tree.county, "secretary"),))
    letter = letter_sign(actor=Actor(), letter=town.letter, side=SUPERIOR, user=county_secretary)
    letter = letter_sign(actor=Actor(), letter=letter, side=HOLDER, user=tree.town_admin)
    scores = {town.pk: (Decimal(7), ""), other.pk: (Decimal("6.5"), "")}
    letter = letter_self_check(actor=Actor(), letter=letter, scores=scores, note="", today=today)
    letter = letter_review(
        actor=Actor(), letter=letter, scores=scores, note="", today=today + 40 * DAY
    )
    assert letter.review_total == Decimal("13.5") and not letter.vetoed


def test_delete_only_without_parts_or_reports(tree, county_campaign, today):
    town, a1, a2 = _cascade(tree, county_campaign, today)
    with pytest.raises(CampaignError, match="已分解"):
        target_delete(actor=Actor(), item=town)
    target_report_progress(actor=Actor(), item=a1, value=Decimal(1), note="x", today=today)
    with pytest.raises(CampaignError, match="已有进展报告"):
        target_delete(actor=Actor(), item=a1)
    target_delete(actor=Actor(user=tree.town_admin), item=a2)
    assert not TargetItem.objects.filter(pk=a2.pk).exists()
    assert AuditEvent.objects.filter(object_type="targetitem", action="delete").count() == 1


def test_reminders_ahead_to_the_responsible_and_escalated_after(tree, county_campaign, today):
    town, a1, _a2 = _cascade(tree, county_campaign, today)
    member_item = target_decompose(
        actor=Actor(),
        parent=a1,
        member=tree.member_a1,
        values=number_target(today, deadline=today + 5 * DAY),
        today=today,
    )
    orphan = target_decompose(
        actor=Actor(),
        parent=a1,
        member=tree.member_a1g,
        values=number_target(today, deadline=today + 5 * DAY),
        today=today,
    )
    ahead = list(target_reminders(today))
    by_item = {(d.key.split(":")[1], d.severity) for d in ahead}
    assert by_item == {(str(member_item.pk), Severity.AHEAD), (str(orphan.pk), Severity.AHEAD)}
    to_member = next(d for d in ahead if d.key.split(":")[1] == str(member_item.pk))
    assert to_member.user == tree.member_user  # the member's account
    to_org = next(d for d in ahead if d.key.split(":")[1] == str(orphan.pk))
    assert to_org.user is None and to_org.organization == tree.branch_a1  # no account: the branch
    # After the deadlines: every unfinished item is overdue and escalated to whoever set it.
    later = today + 21 * DAY
    dues = list(target_reminders(later))
    escalated = {
        d.key.split(":")[1]: d.organization for d in dues if d.severity == Severity.ESCALATED
    }
    assert escalated[str(a1.pk)] == tree.town_a
    assert escalated[str(town.pk)] == tree.county
    assert escalated[str(member_item.pk)] == tree.branch_a1
    # Done items are not reminded; the sweep resolves what was opened.
    reminders_sweep(today=today, sources=["campaigns.target"])
    assert Reminder.objects.filter(resolved_at=None).count() == 2
    target_report_progress(
        actor=Actor(), item=member_item, value=Decimal(4), note="完成", today=today
    )
    result = reminders_sweep(today=today, sources=["campaigns.target"])
    assert result.resolved == 1
    assert figures.member_target_progress(tree.member_a1, county_campaign) == 1.0
    assert figures.member_target_items_overdue(tree.member_a1g, county_campaign, later) == [orphan]
    assert figures.member_target_progress(tree.member_a2, county_campaign) is None


def test_overdue_figure_uses_the_rolled_up_progress(tree, county_campaign, today):
    town, a1, a2 = _cascade(tree, county_campaign, today)
    later = today + 21 * DAY
    assert figures.target_items_overdue(tree.town_a, county_campaign, later) == [town]
    assert figures.target_items_overdue(tree.town_a, county_campaign, today) == []
    target_report_progress(actor=Actor(), item=a1, value=Decimal(2), note="x", today=today)
    target_report_progress(actor=Actor(), item=a2, done=True, note="x", today=today)
    assert figures.target_items_overdue(tree.town_a, county_campaign, later) == []
    assert figures.target_progress(tree.town_a, county_campaign) == 1.0
