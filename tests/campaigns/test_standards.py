"""Standards: the general version, sector refinement, and organizations' own additions that
never change what they inherit."""

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.campaigns.dimensions import OrgDimension
from chuangxian.campaigns.models import StandardItem, StandardKind
from chuangxian.campaigns.selectors import GENERAL, INHERITED_ORG, OWN, SECTOR, effective_standard
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.services.standards import (
    standard_item_add,
    standard_item_update,
    standard_sector_refine,
)
from chuangxian.orgs.models import Sector

pytestmark = pytest.mark.django_db


def _texts(entries, origin=None):  # type: ignore[no-untyped-def]
    return [e.item.text for e in entries if origin is None or e.origin == origin]


def test_everyone_starts_from_the_general_version(tree, county_campaign):
    entries = effective_standard(county_campaign, tree.branch_a1)
    assert entries and {e.origin for e in entries} == {GENERAL}
    assert "班子成员按期换届，职数配备齐全" in _texts(entries)
    assert {e.item.kind for e in entries} == {StandardKind.ORG, StandardKind.MEMBER}
    org_only = effective_standard(county_campaign, tree.branch_a1, StandardKind.ORG)
    assert {e.item.kind for e in org_only} == {StandardKind.ORG}


def test_a_refined_sector_replaces_the_general_version_for_its_organizations(tree, county_campaign):
    actor = Actor(user=tree.county_admin)
    copied = standard_sector_refine(actor=actor, campaign=county_campaign, sector=Sector.RURAL)
    assert copied == StandardItem.objects.filter(campaign=county_campaign, sector="").count()
    sector_item = StandardItem.objects.get(
        campaign=county_campaign, sector=Sector.RURAL, text="为群众办实事"
    )
    standard_item_update(
        actor=actor, item=sector_item, text="为群众办实事，发展村集体经济", measure="每年不少于5件"
    )
    standard_item_add(
        actor=actor,
        campaign=county_campaign,
        kind=StandardKind.ORG,
        dimension=OrgDimension.PERFORMANCE,
        text="村集体经济收入逐年增长",
        measure="年增长不低于10%",
        sector=Sector.RURAL,
    )
    rural = effective_standard(county_campaign, tree.branch_a1)  # A1 is 农村
    assert {e.origin for e in rural} == {SECTOR}
    assert {e.origin_label for e in rural} == {"农村领域标准"}
    assert "村集体经济收入逐年增长" in _texts(rural)
    assert "为群众办实事，发展村集体经济" in _texts(rural)
    organ = effective_standard(county_campaign, tree.county)  # the county is 机关
    assert {e.origin for e in organ} == {GENERAL}
    assert "为群众办实事" in _texts(organ)  # the general version did not change
    assert "村集体经济收入逐年增长" not in _texts(organ)
    with pytest.raises(CampaignError, match="已有细化标准"):
        standard_sector_refine(actor=actor, campaign=county_campaign, sector=Sector.RURAL)


def test_own_additions_are_inherited_below_and_not_by_siblings(tree, county_campaign):
    before = StandardItem.objects.count()
    standard_item_add(
        actor=Actor(user=tree.town_admin),
        campaign=county_campaign,
        kind=StandardKind.ORG,
        dimension=OrgDimension.MECHANISM,
        text="镇里统一的网格化管理",
        organization=tree.town_a,
    )
    standard_item_add(
        actor=Actor(user=tree.secretary),
        campaign=county_campaign,
        kind=StandardKind.ORG,
        dimension=OrgDimension.MECHANISM,
        text="每月10日党员固定活动日",
        measure="全年12次",
        organization=tree.branch_a1,
    )
    a1 = effective_standard(county_campaign, tree.branch_a1)
    assert _texts(a1, OWN) == ["每月10日党员固定活动日"]
    assert _texts(a1, INHERITED_ORG) == ["镇里统一的网格化管理"]
    assert [e.origin_label for e in a1 if e.origin == INHERITED_ORG] == ["甲镇党委增补"]
    group = effective_standard(county_campaign, tree.group_a1)
    assert set(_texts(group, INHERITED_ORG)) == {"镇里统一的网格化管理", "每月10日党员固定活动日"}
    sibling = effective_standard(county_campaign, tree.branch_a2)
    assert "每月10日党员固定活动日" not in _texts(sibling)
    outsider = effective_standard(county_campaign, tree.branch_b1)
    assert "镇里统一的网格化管理" not in _texts(outsider)
    # The inherited general items are untouched: two new rows only.
    assert StandardItem.objects.count() == before + 2
    assert AuditEvent.objects.filter(object_type="standarditem", action="create").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"text": "  "}, "text", "不能为空"),
        ({"dimension": "study"}, "dimension", "维度不属于该标准"),
        ({"sector": Sector.SCHOOL}, "sector", "尚未细化"),
    ],
)
def test_bad_standard_item_is_refused(tree, county_campaign, kwargs, field, message):
    values = {
        "kind": StandardKind.ORG,
        "dimension": OrgDimension.LEADERSHIP,
        "text": "新细则",
    } | kwargs
    before = StandardItem.objects.count()
    with pytest.raises(CampaignError) as refused:
        standard_item_add(actor=Actor(), campaign=county_campaign, **values)
    assert message in " ".join(refused.value.message_dict[field])
    assert StandardItem.objects.count() == before


def test_organization_outside_the_campaign_cannot_add(tree, today):
    from tests.campaigns.conftest import make_campaign

    town_campaign = make_campaign(tree.town_a, tree.town_admin, today)
    with pytest.raises(CampaignError) as refused:
        standard_item_add(
            actor=Actor(),
            campaign=town_campaign,
            kind=StandardKind.ORG,
            dimension=OrgDimension.LEADERSHIP,
            text="x",
            organization=tree.branch_b1,
        )
    assert "不在本活动范围内" in refused.value.message_dict["organization"][0]
