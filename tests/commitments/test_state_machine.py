"""The item lifecycle: every legal transition works and is recorded (who, when, why); every
illegal one is refused with a Chinese message and leaves nothing behind."""

import datetime as dt

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.campaigns.models import PhaseKind
from chuangxian.commitments import services
from chuangxian.commitments.models import (
    CommitmentItem,
    CommitmentSheet,
    ItemStatus,
    ItemTransition,
    Outcome,
)
from tests.commitments.conftest import actor_for, values

pytestmark = pytest.mark.django_db

ALL = list(ItemStatus.values)
# For each action: the phase it runs in and a call doing it.
PHASE = {
    "submit": PhaseKind.DEPLOY,
    "approve": PhaseKind.DEPLOY,
    "return": PhaseKind.DEPLOY,
    "publish": PhaseKind.DEPLOY,
    "progress": PhaseKind.CREATE,
    "fulfil": PhaseKind.CREATE,
    "unmet": PhaseKind.CREATE,
    "close": PhaseKind.REVIEW,
}


def run(action, item, tree, now):  # type: ignore[no-untyped-def]
    member, secretary = actor_for(tree.member_user), actor_for(tree.secretary)
    calls = {
        "submit": lambda: services.item_submit(actor=member, item=item, today=now),
        "approve": lambda: services.item_approve(actor=secretary, item=item, today=now),
        "return": lambda: services.item_return(
            actor=secretary, item=item, reason="目标不够具体", today=now
        ),
        "publish": lambda: services.item_publish(actor=secretary, item=item, today=now),
        "progress": lambda: services.progress_report(
            actor=member, item=item, text="本月上门两次", today=now
        ),
        "fulfil": lambda: services.item_fulfil(actor=member, item=item, note="完成", today=now),
        "unmet": lambda: services.item_mark_unmet(
            actor=member, item=item, explanation="因病未完成", today=now
        ),
        "close": lambda: services.item_close_rating(actor=secretary, item=item, today=now),
    }
    return calls[action]()


LEGAL = [
    (action, source)
    for action, step in services.TRANSITIONS.items()
    for source in sorted(step.sources)
]
ILLEGAL = [
    (action, source)
    for action, step in services.TRANSITIONS.items()
    for source in ALL
    if source not in step.sources
]


@pytest.mark.parametrize(("action", "source"), LEGAL)
def test_every_legal_transition_moves_and_is_recorded(
    action, source, make_item, set_phase, tree, now
):
    item = make_item(source)
    set_phase(PHASE[action])
    transitions_before = ItemTransition.objects.filter(item=item).count()
    audits_before = AuditEvent.objects.filter(object_type="commitmentitem").count()
    run(action, item, tree, now)
    item.refresh_from_db()
    assert item.status == services.TRANSITIONS[action].target
    if action == "progress" and source == ItemStatus.IN_PROGRESS:
        # Later updates are timeline entries, not changes of state.
        assert ItemTransition.objects.filter(item=item).count() == transitions_before
        assert item.updates.count() == 2
        return
    last = ItemTransition.objects.filter(item=item).last()
    assert last is not None
    assert (last.from_status, last.to_status) == (source, item.status)
    assert last.actor is not None and last.actor_label
    event = AuditEvent.objects.filter(object_type="commitmentitem", object_id=str(item.pk)).first()
    assert AuditEvent.objects.filter(object_type="commitmentitem").count() > audits_before
    assert event is not None and event.changes["status"] == [source, item.status]
    assert event.org_path == tree.branch_a1.path
    if action == "return":
        assert event.reason == "目标不够具体" and item.return_reason == "目标不够具体"
    if action == "unmet":
        assert item.outcome == Outcome.UNMET and item.outcome_note == "因病未完成"
    if action == "fulfil":
        assert item.outcome == Outcome.FULFILLED


@pytest.mark.parametrize(("action", "source"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_writes_nothing(
    action, source, make_item, set_phase, tree, now
):
    item = make_item(source)
    set_phase(PHASE[action])
    transitions = ItemTransition.objects.count()
    audits = AuditEvent.objects.count()
    with pytest.raises(services.CommitmentError) as refused:
        run(action, item, tree, now)
    message = refused.value.messages[0]
    assert "不能" in message and str(ItemStatus(source).label) in message
    item.refresh_from_db()
    assert item.status == source
    assert ItemTransition.objects.count() == transitions
    assert AuditEvent.objects.count() == audits


def test_the_whole_lifecycle_in_order(make_item, set_phase, tree, now):
    item = make_item(ItemStatus.RATED)
    path = list(ItemTransition.objects.filter(item=item).values_list("to_status", flat=True))
    assert path == [
        ItemStatus.DRAFT,
        ItemStatus.SUBMITTED,
        ItemStatus.APPROVED,
        ItemStatus.PUBLISHED,
        ItemStatus.FULFILLED,
        ItemStatus.RATED,
    ]
    assert item.outcome == Outcome.FULFILLED  # kept after the rating closes


def test_returned_item_can_be_changed_and_resubmitted(make_item, tree, now):
    item = make_item(ItemStatus.RETURNED)
    services.item_update(
        actor=actor_for(tree.member_user), item=item, values=values(text="每月上门两次"), today=now
    )
    services.item_submit(actor=actor_for(tree.member_user), item=item, today=now)
    item.refresh_from_db()
    assert (item.status, item.text, item.return_reason) == (
        ItemStatus.SUBMITTED,
        "每月上门两次",
        "",
    )


@pytest.mark.parametrize("status", [s for s in ALL if s not in ("draft", "returned")])
def test_only_drafts_and_returned_items_can_be_edited(status, make_item, set_phase, tree, now):
    item = make_item(status)
    set_phase(PhaseKind.DEPLOY)
    with pytest.raises(services.CommitmentError, match="只有草稿或被退回的承诺可以修改"):
        services.item_update(
            actor=actor_for(tree.member_user), item=item, values=values(text="改"), today=now
        )
    item.refresh_from_db()
    assert item.text != "改"


def test_only_a_never_submitted_draft_can_be_deleted(make_item, tree, now):
    draft = make_item(ItemStatus.DRAFT)
    services.item_delete(actor=actor_for(tree.member_user), item=draft)
    assert not CommitmentItem.objects.filter(pk=draft.pk).exists()
    submitted = make_item(ItemStatus.SUBMITTED)
    with pytest.raises(services.CommitmentError, match="只有未提交过的草稿可以删除"):
        services.item_delete(actor=actor_for(tree.member_user), item=submitted)
    assert CommitmentItem.objects.filter(pk=submitted.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"text": "  "}, "text", "请填写承诺内容"),
        ({"kind": "other"}, "kind", "请选择承诺类型"),
        ({"dimension": "leadership"}, "dimension", "五带头"),
        ({"target_unit": ""}, "target_unit", "单位"),
        ({"target_value": None, "target_unit": ""}, "level_target", "努力目标"),
        ({"due_on": dt.date(2000, 1, 1)}, "due_on", "不能早于今天"),
        ({"due_on": dt.date(2999, 1, 1)}, "due_on", "不能晚于活动结束日期"),
    ],
)
def test_bad_values_are_refused_in_chinese_and_nothing_is_written(
    overrides, field, message, sheet, tree, now
):
    with pytest.raises(services.CommitmentError) as refused:
        services.item_add(
            actor=actor_for(tree.member_user), sheet=sheet, values=values(**overrides), today=now
        )
    assert message in refused.value.message_dict[field][0]
    assert not CommitmentItem.objects.exists()


def test_ordinal_levels_stand_in_for_a_number(sheet, tree, now):
    item = services.item_add(
        actor=actor_for(tree.member_user),
        sheet=sheet,
        values=values(
            target_value=None,
            target_unit="",
            level_commit="学会一项技术",
            level_target="带动3户",
            level_stretch="带动5户",
        ),
        today=now,
    )
    assert item.target_display == "保底：学会一项技术；努力：带动3户；争取：带动5户"


def test_drafting_and_publishing_close_with_the_commitment_deadline(
    campaign, sheet, make_item, tree, now
):
    approved = make_item(ItemStatus.APPROVED)
    campaign.commitment_deadline = now - dt.timedelta(days=1)
    campaign.save()
    with pytest.raises(services.CommitmentError, match="定诺"):
        services.item_add(
            actor=actor_for(tree.member_user), sheet=sheet, values=values(), today=now
        )
    with pytest.raises(services.CommitmentError, match="定诺"):
        services.item_publish(actor=actor_for(tree.secretary), item=approved, today=now)
    approved.refresh_from_db()
    assert approved.status == ItemStatus.APPROVED


def test_progress_outside_its_phase_is_refused(make_item, set_phase, tree, now):
    item = make_item(ItemStatus.PUBLISHED)
    set_phase(PhaseKind.AWARD)
    with pytest.raises(services.CommitmentError, match="不在践诺阶段"):
        services.progress_report(actor=actor_for(tree.member_user), item=item, text="x", today=now)
    assert item.updates.count() == 0


def test_return_needs_a_reason_and_unmet_an_explanation(make_item, set_phase, tree, now):
    submitted = make_item(ItemStatus.SUBMITTED)
    with pytest.raises(services.CommitmentError) as refused:
        services.item_return(actor=actor_for(tree.secretary), item=submitted, reason=" ", today=now)
    assert refused.value.message_dict["reason"] == ["退回时请写明原因"]
    published = make_item(ItemStatus.PUBLISHED)
    set_phase(PhaseKind.CREATE)
    with pytest.raises(services.CommitmentError) as refused:
        services.item_mark_unmet(
            actor=actor_for(tree.member_user), item=published, explanation="", today=now
        )
    assert "公开说明" in refused.value.message_dict["explanation"][0]
    submitted.refresh_from_db()
    published.refresh_from_db()
    assert (submitted.status, published.status) == (ItemStatus.SUBMITTED, ItemStatus.PUBLISHED)


def test_sheet_opening_is_idempotent_and_bounded_by_the_campaign(tree, campaign, sheet, now):
    again = services.sheet_open(
        actor=actor_for(tree.secretary), campaign=campaign, member=tree.member_a1, today=now
    )
    assert again.pk == sheet.pk
    campaign.owner = tree.town_b
    campaign.save()
    with pytest.raises(services.CommitmentError, match="不在此活动的范围内"):
        services.sheet_open(
            actor=actor_for(tree.secretary), campaign=campaign, member=tree.member_a2, today=now
        )


def test_a_sheet_opened_twice_at_once_is_the_same_sheet(tree, campaign, now, monkeypatch):  # type: ignore[no-untyped-def]
    """Two quick submissions: the second one's insert meets the first one's sheet (created
    between its look-up and its insert) and answers with it, not with an error."""
    real_phase_check = services._require_phase
    made: list[CommitmentSheet] = []

    def meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_phase_check(*args, **kwargs)
        made.append(
            CommitmentSheet.objects.create(
                campaign=campaign, organization=tree.branch_a2, member=tree.member_a2
            )
        )

    monkeypatch.setattr(services, "_require_phase", meanwhile)
    opened = services.sheet_open(
        actor=actor_for(tree.secretary), campaign=campaign, member=tree.member_a2, today=now
    )
    assert opened.pk == made[0].pk
    assert CommitmentSheet.objects.filter(member=tree.member_a2).count() == 1


def test_sheet_submit_and_publish_move_every_item(sheet, tree, now):
    member, secretary = actor_for(tree.member_user), actor_for(tree.secretary)
    for text in ("一", "二"):
        services.item_add(actor=member, sheet=sheet, values=values(text=text), today=now)
    assert services.sheet_submit(actor=member, sheet=sheet, today=now) == 2
    with pytest.raises(services.CommitmentError, match="没有已审核通过"):
        services.sheet_publish(actor=secretary, sheet=sheet, today=now)
    for item in sheet.items.all():
        services.item_approve(actor=secretary, item=item, today=now)
    assert services.sheet_publish(actor=secretary, sheet=sheet, today=now) == 2
    assert set(sheet.items.values_list("status", flat=True)) == {ItemStatus.PUBLISHED}
