"""审诺's copy-paste check: two members' near-identical commitments are shown side by side on
the review page; a member's own items are not compared with each other."""

import pytest

from chuangxian.campaigns.models import PhaseKind
from chuangxian.commitments import selectors, services
from tests.commitments.conftest import actor_for, values

pytestmark = pytest.mark.django_db

COPIED = "带头学习党的理论，每月参加支部学习不少于两次，全年学习时长不少于32学时，做到学思用贯通。"
COPIED_AGAIN = (
    "带头学习党的理论，每月参加支部学习不少于2次，全年学习时长不少于32学时，做到学思用贯通！"
)
OWN = "发挥种植大户优势，今年带动本组5户困难群众发展油茶种植20亩，免费提供技术指导和种苗。"


def _submitted(tree, sheet, text, now):  # type: ignore[no-untyped-def]
    member = actor_for(tree.member_user)
    item = services.item_add(
        actor=member, sheet=sheet, values=values(text=text, dimension="study"), today=now
    )
    services.item_submit(actor=member, item=item, today=now)
    return item


def test_copied_commitments_flagged_side_by_side(client, tree, campaign, sheet, set_phase, now):
    set_phase(PhaseKind.DEPLOY)
    other_sheet = services.sheet_open(
        actor=actor_for(tree.secretary), campaign=campaign, member=tree.member_a1g, today=now
    )
    mine = _submitted(tree, sheet, COPIED, now)
    own = _submitted(tree, sheet, OWN, now)
    theirs = _submitted(tree, other_sheet, COPIED_AGAIN + "<script>x</script>", now)
    flags = selectors.similar_items(selectors.review_queue(tree.secretary))
    assert [m.item.pk for m in flags[mine.pk]] == [theirs.pk]
    assert [m.item.pk for m in flags[theirs.pk]] == [mine.pk]
    assert own.pk not in flags
    client.force_login(tree.secretary)
    page = client.get("/commitments/review/").content.decode()
    assert page.count("疑似雷同（形式主义）") == 2
    assert "<script>x" not in page


def test_a_members_own_items_are_not_compared(tree, sheet, set_phase, now):
    set_phase(PhaseKind.DEPLOY)
    _submitted(tree, sheet, COPIED, now)
    _submitted(tree, sheet, COPIED_AGAIN, now)
    assert selectors.similar_items(selectors.review_queue(tree.secretary)) == {}


def test_threshold_is_configurable(tree, campaign, sheet, set_phase, now, settings):
    set_phase(PhaseKind.DEPLOY)
    other_sheet = services.sheet_open(
        actor=actor_for(tree.secretary), campaign=campaign, member=tree.member_a1g, today=now
    )
    _submitted(tree, sheet, COPIED, now)
    _submitted(tree, other_sheet, COPIED_AGAIN, now)
    settings.COMMITMENT_SIMILARITY_THRESHOLD = 0.99
    assert selectors.similar_items(selectors.review_queue(tree.secretary)) == {}
