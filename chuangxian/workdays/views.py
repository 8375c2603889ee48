from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.orgs.access import (
    administered_organizations,
    is_staff_in_tree,
    is_top_administrator,
)
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.workdays.forms import ScheduleForm
from chuangxian.workdays.models import CalendarYear, DayKind, SpecialDay
from chuangxian.workdays.schedule import ScheduledDay, format_schedule
from chuangxian.workdays.services import calendar_year_replace

# How far ahead an administrator may enter a schedule: the State Council publishes the next
# year's around November.
_YEARS_AHEAD = 2


@require_GET
def year_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    if not is_staff_in_tree(user):
        raise Http404
    this_year = timezone.localdate().year
    years = list(CalendarYear.objects.select_related("updated_by").order_by("-year"))
    known = {y.year for y in years}
    missing = [y for y in range(this_year, this_year + _YEARS_AHEAD + 1) if y not in known]
    return render(
        request,
        "workdays/years.html",
        {"years": years, "missing": missing, "can_edit": is_top_administrator(user)},
    )


@require_http_methods(["GET", "POST"])
def year_edit(request: HttpRequest, year: int) -> HttpResponse:
    user = viewer(request)
    this_year = timezone.localdate().year
    if not is_staff_in_tree(user) or not 1990 <= year <= this_year + _YEARS_AHEAD:
        raise Http404
    days = [
        ScheduledDay(date=d.date, kind=DayKind(d.kind), name=d.name)
        for d in SpecialDay.objects.filter(date__year=year)
    ]
    calendar_year = CalendarYear.objects.filter(year=year).select_related("updated_by").first()
    can_edit = is_top_administrator(user)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = ScheduleForm(request.POST, year=year)
        if form.is_valid():
            root = administered_organizations(user).order_by("depth", "path").first()
            calendar_year_replace(
                year=year,
                days=form.days,
                actor=actor_of(request),
                org_path=root.path if root is not None else "",
            )
            messages.success(request, _("%(year)d 年节假日安排已保存。") % {"year": year})
            return redirect("workdays:year", year=year)
    else:
        form = ScheduleForm(initial={"schedule": format_schedule(days)}, year=year)
    return render(
        request,
        "workdays/year.html",
        {
            "year": year,
            "calendar_year": calendar_year,
            "days": days,
            "form": form,
            "can_edit": can_edit,
        },
    )
