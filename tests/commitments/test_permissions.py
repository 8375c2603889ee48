"""Who may draft, review, comment and rate, as a matrix over the tree's accounts; and the pages
answer 404 (like missing) to anyone outside the scope."""

import pytest

from chuangxian.audit.services import Actor
from chuangxian.commitments import services
from chuangxian.commitments.access import (
    can_comment,
    can_draft,
    can_review,
    items_for,
    rater_group_for,
)
from chuangxian.commitments.models import CommitmentSheet, ItemStatus, RaterGroup
from chuangxian.orgs.models import Role
from tests.factories import MemberFactory, make_user

pytestmark = pytest.mark.django_db

# 张三's sheet in branch A1 (under town A, under the county).
MEMBER_SHEET = {
    # account: (draft, review, comment, rater group)
    "member_user": (True, False, False, None),  # the subject: no self-review, no self-rating
    "secretary": (True, True, False, None),  # 书记 of A1 (no member record here)
    "worker": (True, False, False, None),  # 党务干部 drafts on behalf, does not review
    "town_admin": (True, True, True, RaterGroup.SUPERIOR),
    "county_admin": (True, True, True, RaterGroup.SUPERIOR),
    "sibling_secretary": (False, False, False, None),
    "outsider": (False, False, False, None),
}


@pytest.mark.parametrize("account", list(MEMBER_SHEET))
def test_member_sheet_matrix(account, tree, sheet):
    user = getattr(tree, account)
    expected = MEMBER_SHEET[account]
    assert (
        can_draft(user, sheet),
        can_review(user, sheet),
        can_comment(user, sheet),
        rater_group_for(user, sheet),
    ) == expected


def test_anonymous_has_no_role(sheet):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not can_draft(anonymous, sheet)
    assert not can_review(anonymous, sheet)
    assert rater_group_for(anonymous, sheet) is None


def test_fellow_member_of_the_branch_rates_as_member(tree, sheet):
    fellow = make_user("li_si", member=tree.member_a1g)  # 李四, in A1's 党小组
    stranger = make_user("wang_wu", member=tree.member_a2)  # 王五, branch A2
    assert rater_group_for(fellow, sheet) == RaterGroup.MEMBER
    assert rater_group_for(stranger, sheet) is None


def test_a_secretary_never_reviews_their_own_commitments(tree, campaign, now):
    secretary_member = MemberFactory(organization=tree.branch_a1, name="支书", party_post="书记")
    user = make_user("zhishu", member=secretary_member, grants=((tree.branch_a1, Role.SECRETARY),))
    own = services.sheet_open(
        actor=Actor(user=user), campaign=campaign, member=secretary_member, today=now
    )
    assert can_draft(user, own)
    assert not can_review(user, own)
    assert can_review(tree.town_admin, own)


def test_organization_sheet_is_reviewed_by_the_superior_only(tree, campaign, now):
    org_sheet = services.sheet_open(
        actor=Actor(user=tree.secretary), campaign=campaign, organization=tree.branch_a1, today=now
    )
    assert isinstance(org_sheet, CommitmentSheet) and org_sheet.member_id is None
    assert can_draft(tree.secretary, org_sheet)
    assert not can_review(tree.secretary, org_sheet)
    assert can_review(tree.town_admin, org_sheet)
    assert not can_review(tree.outsider, org_sheet)


def test_superior_secretary_sees_only_published_items_below(tree, make_item):
    draft = make_item(ItemStatus.DRAFT)
    published = make_item(ItemStatus.PUBLISHED)
    town_secretary = make_user("town_secretary", grants=((tree.town_a, Role.SECRETARY),))
    visible = set(items_for(town_secretary).values_list("pk", flat=True))
    assert published.pk in visible and draft.pk not in visible
    assert can_comment(town_secretary, published.sheet)


@pytest.mark.parametrize(
    ("account", "status"),
    [
        ("member_user", 200),
        ("secretary", 200),
        ("worker", 200),
        ("town_admin", 200),
        ("county_admin", 200),
        ("sibling_secretary", 404),
        ("outsider", 404),
    ],
)
def test_sheet_and_item_pages_answer_404_outside_scope(
    account, status, client_as, sheet, make_item
):
    item = make_item(ItemStatus.SUBMITTED)
    client = client_as(account)
    assert client.get(f"/commitments/sheets/{sheet.pk}/").status_code == status
    assert client.get(f"/commitments/items/{item.pk}/").status_code == status


@pytest.mark.parametrize("account", ["member_user", "worker", "sibling_secretary", "outsider"])
def test_non_reviewers_cannot_approve(account, client_as, make_item):
    item = make_item(ItemStatus.SUBMITTED)
    response = client_as(account).post(f"/commitments/items/{item.pk}/approve/")
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_anonymous_is_sent_to_login(client, sheet):
    response = client.get(f"/commitments/sheets/{sheet.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
