import pytest

from chuangxian.audit.services import Actor
from chuangxian.cases.models import Case
from chuangxian.cases.services import (
    CaseValues,
    case_approve,
    case_create,
    case_publish,
    case_submit,
)
from chuangxian.orgs.models import Organization

ACTOR = Actor(label="测试")
BODY = (
    "甲镇一村党支部推行“党员积分超市”，把党员参加组织生活、志愿服务、带头致富的情况"
    "折算为积分，每季度公开一次，积分可兑换生活用品。实行一年来，党员参加活动的比例明显提高。"
)


def values(title: str = "党员积分超市激发活力", body: str = BODY, **changes: str) -> CaseValues:
    data = {
        "title": title,
        "sector": "农村",
        "mechanism": "incentive",
        "summary": "积分兑换，激励党员发挥作用",
        "body": body,
    }
    data.update(changes)
    return CaseValues(**data)


def published(org: Organization, visibility: str = "public", **changes: str) -> Case:
    case = case_create(actor=ACTOR, organization=org, values=values(**changes), files=[])
    case_submit(actor=ACTOR, case=case)
    case_approve(actor=ACTOR, case=case)
    return case_publish(actor=ACTOR, case=case, visibility=visibility)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
