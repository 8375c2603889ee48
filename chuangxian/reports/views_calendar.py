"""The work calendar page and the iCalendar feeds."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import access_organization_by_id, is_staff_in_tree
from chuangxian.orgs.models import Organization, User
from chuangxian.orgs.views.http import viewer
from chuangxian.reports.calendar import balance, obligations
from chuangxian.reports.ics import (
    calendar_text,
    feed_token,
    member_events,
    obligation_events,
    read_token,
)


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        raise Http404
    if not this_year - 5 <= year <= this_year + 1:
        raise Http404
    return year


@require_GET
def calendar_page(request: HttpRequest, org_id: int | None = None) -> HttpResponse:
    user = viewer(request)
    if org_id is None:
        if not is_staff_in_tree(user):
            return _member_calendar(request)
        roots = org_selectors.tree_roots(user)
        if not roots:
            raise Http404
        org = roots[0]
    else:
        org = access_organization_by_id(user, org_id)
    year = _year(request)
    found = obligations(org, year, timezone.localdate())
    months: dict[int, list[object]] = {}
    for obligation in found:
        months.setdefault(obligation.day.month, []).append(obligation)
    feed = reverse("reports_feeds:feed", args=[feed_token(user.pk, org.pk)])
    return render(
        request,
        "reports/calendar.html",
        {
            "org": org,
            "year": year,
            "months": sorted(months.items()),
            "balance": balance(found),
            "count": len(found),
            "feed_url": request.build_absolute_uri(feed),
            "my_feed_url": _my_feed(request, user),
        },
    )


def _my_feed(request: HttpRequest, user: User) -> str:
    if user.member_id is None:
        return ""
    return request.build_absolute_uri(
        reverse("reports_feeds:feed", args=[feed_token(user.pk, None)])
    )


def _member_calendar(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    if user.member_id is None:
        raise Http404
    return render(request, "reports/calendar_member.html", {"my_feed_url": _my_feed(request, user)})


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """An .ics feed; the token names the user and (for an organization's feed) the
    organization, which must still lie in that user's scope."""
    parsed = read_token(token)
    if parsed is None:
        raise Http404
    user_id, org_id = parsed
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404
    today = timezone.localdate()
    base = request.build_absolute_uri("/").rstrip("/")
    if org_id is not None:
        org: Organization = access_organization_by_id(user, org_id)
        found = [
            *obligations(org, today.year, today),
            *(obligations(org, today.year + 1, today) if today.month == 12 else []),
        ]
        text = calendar_text(f"{org.name} 工作日历", obligation_events(found, base))
    else:
        if user.member is None:
            raise Http404
        first, last = today - dt.timedelta(days=31), today + dt.timedelta(days=366)
        text = calendar_text("我的组织生活", member_events(user.member, first, last, base))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
