"""List pages read a bounded number of queries however many rows they show."""

import pytest

from chuangxian.audit.services import Actor
from chuangxian.openness.demo import OPINION_TEXTS
from chuangxian.openness.services import opinions

pytestmark = pytest.mark.django_db

TEXTS = [
    f"第{n}号意见：村里第{n}组的道路需要硬化，雨天泥泞难走，希望尽快安排施工。" for n in range(12)
]


def _many(tree, now, count):  # type: ignore[no-untyped-def]
    for n in range(count):
        opinion, _ = opinions.opinion_submit(
            organization=tree.branch_a1,
            text=OPINION_TEXTS[n],
            device_id=f"q-{n}",
            today=now,
        )
        opinions.opinion_moderate(actor=Actor(user=tree.secretary), opinion=opinion, publish=True)


@pytest.mark.parametrize("count", [2, len(OPINION_TEXTS)])
def test_wall_and_staff_list_queries_do_not_grow(
    client, tree, now, count, django_assert_max_num_queries
):
    _many(tree, now, count)
    with django_assert_max_num_queries(8):
        assert client.get(f"/public/openness/{tree.branch_a1.code}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/public/orgs/{tree.branch_a1.code}/").status_code == 200
    client.force_login(tree.secretary)
    with django_assert_max_num_queries(14):
        assert client.get("/openness/?status=all").status_code == 200
