"""A member's own page, phone first: upcoming meetings, attendance record, warnings."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chuangxian.orglife import figures
from chuangxian.orglife.models import HELD_STATUSES, Attendance, AttendanceStatus
from chuangxian.orglife.periods import Period
from chuangxian.orglife.selectors import upcoming_meetings
from chuangxian.orgs.views.http import viewer

WARN_MONTHS = 3
FLAG_MONTHS = 5  # DOMAIN.md: flag at month 3, escalate at month 5 (党章第九条 at 6)
HISTORY = 30


@require_GET
def my_orglife(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    member = user.member
    if member is None:
        return render(request, "orglife/my.html", {"no_member": True})
    now = timezone.now()
    today = timezone.localdate()
    upcoming_rows = [
        (row.attendance, row.window, row.checkin_open) for row in upcoming_meetings(member, now=now)
    ]
    history = list(
        Attendance.objects.filter(member=member, meeting__status__in=list(HELD_STATUSES))
        .select_related("meeting", "meeting__organization")
        .order_by("-meeting__held_start")[:HISTORY]
    )
    year = Period.year_of(today)
    rate = figures.attendance_rate(member, year)
    months = figures.months_without_orglife(member, today)
    warnings: list[tuple[str, str]] = []
    if months >= FLAG_MONTHS:
        warnings.append(
            (
                "danger",
                _(
                    "您已连续%(months)d个月未参加组织生活。按照党章第九条，连续六个月不参加党的组织生活"
                    "且没有正当理由的，将被视为自行脱党，请尽快与党支部联系。"
                )
                % {"months": months},
            )
        )
    elif months >= WARN_MONTHS:
        warnings.append(
            (
                "warning",
                _("您已连续%(months)d个月未参加组织生活，请按时参加。") % {"months": months},
            )
        )
    absences = sum(1 for row in history if row.status == AttendanceStatus.ABSENT)
    if absences >= 2:
        warnings.append(
            (
                "warning",
                _("最近%(meetings)d次会议中有%(absences)d次缺席。")
                % {"meetings": len(history), "absences": absences},
            )
        )
    context = {
        "member": member,
        "upcoming": upcoming_rows,
        "history": history,
        "rate": None if rate is None else round(rate * 100),
        "last": figures.last_attended(member),
        "months": months,
        "warnings": warnings,
        "year": today.year,
    }
    return render(request, "orglife/my.html", context)
