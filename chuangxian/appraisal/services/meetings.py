"""One event, one record: a 民主评议 round held at each branch's orglife 民主评议党员 meeting.

DOMAIN.md's procedure maps onto the round's states: 个人自评, 党员互评 and 民主测评 are the
sheets collected while the round is 测评中; closing computes the grades the branch proposes
(已结算: the branch secretary may change one, with the reason required); review is the
superior's confirmation (已审核); publishing tells each member (已公布)."""

import datetime as dt

from django.db import transaction

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import (
    Round,
    RoundMeeting,
    RoundStatus,
    RoundSubject,
    SubjectType,
)
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import Meeting, MeetingStatus, MeetingType
from chuangxian.orglife.services.meetings import MeetingValues, meeting_plan
from chuangxian.orgs.models import Organization


@transaction.atomic
def round_link_meetings(
    *, actor: Actor, round_: Round, planned_start: dt.datetime
) -> list[RoundMeeting]:
    """Link every branch of a member round to its 民主评议党员 meeting of the round's year: the
    latest one not cancelled if the branch has one, else a new one planned at `planned_start`
    (orglife's meeting_plan, so its expected attendees and audit come with it). Branches
    already linked are kept. Only for rounds appraising members, before closing."""
    round_ = Round.objects.select_for_update().select_related("scheme").get(pk=round_.pk)
    if round_.scheme.subject_type != SubjectType.MEMBER:
        raise AppraisalError("只有评议党员的考评可以关联民主评议党员会议")
    if round_.status not in (RoundStatus.OPEN, RoundStatus.COLLECTING):
        raise AppraisalError("只能在结算前关联民主评议党员会议")
    linked = set(
        RoundMeeting.objects.filter(round=round_).values_list("organization_id", flat=True)
    )
    branch_ids = sorted(
        set(RoundSubject.objects.filter(round=round_).values_list("organization_id", flat=True))
        - linked
    )
    created: list[RoundMeeting] = []
    for branch in Organization.objects.filter(pk__in=branch_ids).order_by("path"):
        meeting = (
            Meeting.objects.filter(
                organization=branch,
                meeting_type=MeetingType.APPRAISAL,
                planned_start__year=round_.year,
            )
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-planned_start")
            .first()
        )
        if meeting is None:
            values = MeetingValues(
                meeting_type=MeetingType.APPRAISAL,
                topic=round_.name,
                planned_start=planned_start,
            )
            try:
                meeting = meeting_plan(actor=actor, organization=branch, values=values)
            except OrglifeError as error:
                raise AppraisalError([f"{branch.name}：{m}" for m in error.messages]) from error
        created.append(
            RoundMeeting.objects.create(round=round_, organization=branch, meeting=meeting)
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=round_,
        object_type="appraisal_round",
        org_path=round_.organization.path,
        changes={"meetings": [len(linked), len(linked) + len(created)]},
        reason="关联民主评议党员会议",
    )
    return created
