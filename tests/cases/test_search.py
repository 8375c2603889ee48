"""Chinese full-text search: every word a substring of the normalized text, on SQLite and
PostgreSQL."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangxian.cases.models import Case
from chuangxian.cases.search import normalize, search
from tests.cases.conftest import BODY, published

pytestmark = pytest.mark.django_db


def test_normalize_and_terms():
    assert normalize("ＱＲ码　“积分”超市！") == "qr码 积分 超市"


def _titles(query: str) -> list[str]:
    return sorted(case.title for case in search(Case.objects.all(), query))


def test_search_finds_words_anywhere_and_needs_every_word(tree):
    published(tree.branch_a1, title="党员积分超市激发活力")
    published(
        tree.branch_b1,
        title="网格化服务群众",
        summary="网格服务",
        body="社区划分网格，每个网格一名党员中心户，收集群众诉求，小事不出网格、大事不出社区，"
        "一年来办结群众反映的问题三百余件，群众满意度明显提升。",
    )
    assert _titles("积分") == ["党员积分超市激发活力"]
    assert _titles("网格 党员") == ["网格化服务群众"]
    assert _titles("党员") == ["党员积分超市激发活力", "网格化服务群众"]
    assert _titles("积分 网格化") == []
    # Both characters occur, but not together.
    assert _titles("超积") == []
    # Punctuation and full-width letters are folded the same way on both sides.
    assert _titles("“积分”！") == ["党员积分超市激发活力"]
    assert _titles("党") == ["党员积分超市激发活力", "网格化服务群众"]
    assert _titles("   ") == _titles("")


def test_the_search_text_follows_edits(tree):
    from chuangxian.cases.services import case_create, case_update
    from tests.cases.conftest import ACTOR, values

    case = case_create(actor=ACTOR, organization=tree.branch_a1, values=values(), files=[])
    assert _titles("积分") == ["党员积分超市激发活力"]
    case_update(
        actor=ACTOR,
        case=case,
        values=values(title="红色物业", summary="物业", body=BODY.replace("积分", "评分")),
        files=[],
    )
    assert _titles("积分") == []
    assert _titles("评分 物业") == ["红色物业"]


@settings(
    deadline=None, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet="党员积分超市网格服务群众 ", min_size=1, max_size=6))
def test_search_agrees_with_a_plain_substring_scan(tree, query):  # type: ignore[no-untyped-def]
    if not Case.objects.exists():
        published(tree.branch_a1, title="党员积分超市")
        published(tree.branch_b1, title="网格服务群众", body="网格员服务群众，" + BODY)
    words = normalize(query).split()
    expected = sorted(c.title for c in Case.objects.all() if all(w in c.search_text for w in words))
    assert _titles(query) == expected
