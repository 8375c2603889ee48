"""The page a member's phone opens from the QR code, and the check-in itself (POST)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import Meeting
from chuangxian.orglife.services.checkin import (
    checkin_check,
    checkin_read,
    checkin_record,
    checkin_window,
)
from chuangxian.orgs.views.http import actor_of, viewer


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """Scanning opens this page (GET shows what the code is for and whether it will work);
    the member confirms with the button (POST). The signed token is the only way in: the
    member needs no scope over the organization, only to be on the expected list."""
    user = viewer(request)
    member_id = user.member_id
    now = timezone.now()
    context: dict[str, object] = {"token": token}
    try:
        ticket = checkin_read(token)
        meeting = (
            Meeting.objects.select_related("organization").filter(pk=ticket.meeting_id).first()
        )
        if meeting is None:
            raise OrglifeError("签到码对应的会议不存在")
        context["meeting"] = meeting
        context["window"] = checkin_window(meeting)
        if request.method == "POST":
            row = checkin_record(actor=actor_of(request), token=token, member_id=member_id, now=now)
            context["done"] = row
            return render(request, "orglife/checkin.html", context)
        checkin_check(ticket=ticket, meeting=meeting, now=now)
        if member_id is None:
            raise OrglifeError("您的账号没有关联党员信息，不能签到，请联系党支部")
        expected = meeting.attendances.filter(member_id=member_id).first()
        if expected is None:
            raise OrglifeError("您不在本次会议的应到名单中，如需参会请联系会议记录人")
        if expected.checked_in_at is not None:
            context["already"] = expected
    except OrglifeError as error:
        context["refusal"] = " ".join(error.messages)
        return render(request, "orglife/checkin.html", context, status=400)
    return render(request, "orglife/checkin.html", context)
