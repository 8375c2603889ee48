import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.orglife.models import AttendeeScope, Meeting, MeetingType
from chuangxian.orglife.services.meetings import MeetingValues, meeting_hold, meeting_plan
from chuangxian.orgs.models import Organization

TZ = dt.timezone(dt.timedelta(hours=8))


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def plan(
    org: Organization,
    start: dt.datetime,
    *,
    meeting_type: str = MeetingType.THEME_DAY,
    scope: str = AttendeeScope.ALL_MEMBERS,
    topic: str = "学习会",
    actor: Actor | None = None,
    **extra: object,
) -> Meeting:
    values = MeetingValues(
        meeting_type=meeting_type,
        topic=topic,
        planned_start=start,
        attendee_scope=scope,
        lecturer=str(extra.pop("lecturer", "书记" if meeting_type == MeetingType.LECTURE else "")),
        **extra,  # type: ignore[arg-type]
    )
    return meeting_plan(actor=actor or Actor(label="test"), organization=org, values=values)


def held(org: Organization, start: dt.datetime, **kwargs: object) -> Meeting:
    meeting = plan(org, start, **kwargs)
    return meeting_hold(
        actor=Actor(label="test"),
        meeting=meeting,
        held_start=start,
        now=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def client_as(client: Client, tree) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def login(name: str) -> Client:
        if name != "anonymous":
            client.force_login(getattr(tree, name))
        return client

    return login
