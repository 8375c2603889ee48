"""The public's satisfaction (openness) as one of support's lagging conditions."""

import pytest

from chuangxian.audit.services import Actor
from chuangxian.openness.services import opinions
from chuangxian.orgs.models import Organization
from chuangxian.support import lagging

pytestmark = pytest.mark.django_db

TEXTS = [
    "村口路灯坏了一个多月，晚上出行很不方便，请尽快修好。",
    "希望在冬季组织一次老年人健康体检，很多老人去不了卫生院。",
    "村里的垃圾清运太慢，夏天味道很大，希望增加清运次数。",
    "小学门口没有减速带，上下学时车开得很快，孩子们很危险。",
    "党员活动室晚上经常锁门，群众想来看书也进不去。",
    "希望党支部多组织一些农业技术培训，特别是果树管理方面。",
]


def _rated(submit, tree, now, marks):  # type: ignore[no-untyped-def]
    for text, mark in zip(TEXTS, marks, strict=False):
        opinion, token = submit(text=text)
        opinions.opinion_answer(
            actor=Actor(user=tree.secretary), opinion=opinion, reply="已处理。", today=now
        )
        opinions.opinion_rate(opinion=opinion, token=token, satisfaction=mark)


def _reasons(now):  # type: ignore[no-untyped-def]
    found = lagging.lagging_among(Organization.objects.all(), now)
    return {
        row.organization.code: [r.text for r in row.reasons if r.code == "public_satisfaction"]
        for row in found
    }


def test_below_half_of_five_rated_answers_is_lagging(submit, tree, now):
    _rated(submit, tree, now, ["dissatisfied"] * 3 + ["satisfied"] * 2)
    assert _reasons(now).get("A1") == ["近一年群众对意见答复的满意率40%（2/5），低于50%"]


def test_too_few_ratings_say_nothing_until_the_fifth(submit, tree, now):
    _rated(submit, tree, now, ["dissatisfied"] * 4)
    assert not _reasons(now).get("A1")  # four ratings say too little
    opinion, token = submit(text=TEXTS[4])
    opinions.opinion_answer(
        actor=Actor(user=tree.secretary), opinion=opinion, reply="已处理。", today=now
    )
    opinions.opinion_rate(opinion=opinion, token=token, satisfaction="satisfied")
    assert _reasons(now).get("A1") == ["近一年群众对意见答复的满意率20%（1/5），低于50%"]


def test_half_satisfied_is_not_lagging(submit, tree, now):
    _rated(submit, tree, now, ["dissatisfied"] * 3 + ["satisfied"] * 3)
    assert not _reasons(now).get("A1")
