import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chuangxian.appraisal.models import (
    Round,
    RoundStatus,
    RoundSubject,
    Scheme,
    SubjectResult,
    SubjectType,
)
from chuangxian.audit.services import Actor
from chuangxian.orglife.models import Meeting, MeetingStatus, MeetingType
from chuangxian.orgs.models import Organization
from chuangxian.uploads.safety import CleanFile, check_upload

ACTOR = Actor(label="测试")


def held_meeting(org: Organization, day: dt.date) -> Meeting:
    start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=timezone.get_current_timezone())
    return Meeting.objects.create(
        organization=org,
        meeting_type=MeetingType.THEME_DAY,
        topic="主题党日",
        planned_start=start,
        held_start=start,
        status=MeetingStatus.HELD,
    )


def closed_round(owner: Organization, tiers: dict[Organization, str], *, year: int = 2025) -> Round:
    """A closed organization round whose results put each organization in the given tier."""
    scheme, _ = Scheme.objects.get_or_create(
        code="org-test",
        defaults={
            "name": "党组织考评",
            "subject_type": SubjectType.ORGANIZATION,
            "tiers": [
                {"name": "五星", "share": 10},
                {"name": "四星", "share": 40},
                {"name": "三星", "share": 30},
                {"name": "二星", "share": 20},
            ],
        },
    )
    round_ = Round.objects.create(
        scheme=scheme,
        organization=owner,
        name=f"{year}年度党组织考评",
        year=year,
        status=RoundStatus.CLOSED,
    )
    for rank, (org, tier) in enumerate(tiers.items(), start=1):
        subject = RoundSubject.objects.create(
            round=round_,
            kind=SubjectType.ORGANIZATION,
            organization=org,
            stable_ref=org.pk,
            peer_key=0,
            peer_label="全部",
            label=org.name,
        )
        SubjectResult.objects.create(
            round=round_,
            version=1,
            subject=subject,
            peer_key=0,
            composite=90 - rank,
            rank=rank,
            peer_size=len(tiers),
            quota=0,
            proposed_grade="好",
            grade="好",
            tier=tier,
        )
    return round_


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def photo_upload(name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def clean_photo() -> CleanFile:
    return check_upload(photo_upload())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
