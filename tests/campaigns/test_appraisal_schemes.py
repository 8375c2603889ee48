"""Appraisal schemes generated from a campaign's 五好 / 五带头 standards, and a sector's
refinement flowing into its scheme (appraisal.standards, services.scheme_from_standards)."""

import pytest
from django.urls import reverse

from chuangxian.appraisal.models import Indicator, LeafKind, Scheme
from chuangxian.appraisal.schemes import check_scheme
from chuangxian.appraisal.services import round_open
from chuangxian.appraisal.services.schemes import scheme_from_standards
from chuangxian.appraisal.standards import spec_from_standards
from chuangxian.audit.services import SYSTEM, Actor
from chuangxian.campaigns.models import StandardKind
from chuangxian.campaigns.services.standards import standard_item_add, standard_sector_refine
from tests.appraisal.test_views import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [StandardKind.ORG, StandardKind.MEMBER])
def test_every_standard_item_becomes_an_indicator_with_figures_preselected(
    county_campaign, kind
) -> None:  # type: ignore[no-untyped-def]
    spec = spec_from_standards(county_campaign, kind=kind)
    assert check_scheme(spec) == []
    assert len(spec.indicators) == 5
    items = county_campaign.standard_items.filter(kind=kind, sector="", organization=None)
    leaves = [leaf for dim in spec.indicators for leaf in dim.children]
    assert {f"s{i.pk}" for i in items} <= {leaf.code for leaf in leaves}
    metrics = {leaf.metric for leaf in leaves if leaf.kind == LeafKind.AUTOMATIC}
    if kind == StandardKind.ORG:
        assert "orglife.meetings_held_vs_required" in metrics
        assert "campaigns.target_progress" in metrics
    else:
        assert {"learning.study_progress", "dues.dues_compliance"} <= metrics


def test_sector_refinement_flows_into_the_sector_scheme(tree, county_campaign) -> None:  # type: ignore[no-untyped-def]
    actor = Actor(user=tree.county_admin)
    general = scheme_from_standards(
        actor=actor,
        campaign=county_campaign,
        kind=StandardKind.ORG,
        sector="农村",
        owner=tree.county,
    )
    standard_sector_refine(actor=actor, campaign=county_campaign, sector="农村")
    added = standard_item_add(
        actor=actor,
        campaign=county_campaign,
        kind=StandardKind.ORG,
        dimension="performance",
        text="带领群众发展集体经济，村集体收入逐年增长",
        sector="农村",
    )
    again = scheme_from_standards(
        actor=actor,
        campaign=county_campaign,
        kind=StandardKind.ORG,
        sector="农村",
        owner=tree.county,
    )
    assert again.pk == general.pk  # not used yet: updated in place
    assert Indicator.objects.filter(scheme=again, code=f"s{added.pk}").exists()
    assert again.sector == "农村"
    round_open(actor=SYSTEM, scheme=again, organization=tree.county, name="五好", year=2026)
    third = scheme_from_standards(
        actor=actor,
        campaign=county_campaign,
        kind=StandardKind.ORG,
        sector="农村",
        owner=tree.county,
    )
    assert third.pk != again.pk and third.code.endswith("_v2")


def test_generate_on_screen(tree, county_campaign) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tree.county_admin)
    page = client.get(reverse("appraisal:schemes"))
    assert county_campaign in page.context["standards_form"].fields["campaign"].queryset
    done = client.post(
        reverse("appraisal:scheme_from_standards"),
        {"campaign": county_campaign.pk, "kind": "member", "sector": "", "owner": tree.county.pk},
    )
    scheme = Scheme.objects.get(owner=tree.county)
    assert done.status_code == 302 and done["Location"] == reverse(
        "appraisal:scheme", args=[scheme.pk]
    )
    assert scheme.subject_type == "member"
