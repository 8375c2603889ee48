import datetime as dt

import pytest
from django.utils import timezone

from chuangxian.openness.services import opinions


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def now() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def submit(tree, now):  # type: ignore[no-untyped-def]
    """Submit an opinion to 甲镇一村党支部 from a fresh device; returns (opinion, token)."""
    counter = iter(range(10_000))

    def make(text: str = "村口路灯坏了一个多月，晚上出行很不方便，请尽快修好。", **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("organization", tree.branch_a1)
        kwargs.setdefault("device_id", f"device-{next(counter)}")
        kwargs.setdefault("today", now)
        return opinions.opinion_submit(text=text, **kwargs)

    return make
