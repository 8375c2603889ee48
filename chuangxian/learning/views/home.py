"""learning:home — a member's hours, courses and exams on a phone; staff's statistics."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.learning import figures, selectors
from chuangxian.learning.access import own_member
from chuangxian.learning.services.hours import study_hours_sync
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import is_staff_in_tree
from chuangxian.orgs.views.http import viewer


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    today = timezone.localdate()
    year = selectors.year_param(request.GET.get("year"), today)
    context: dict[str, object] = {"year": year, "today": today}
    member = own_member(user)
    if member is not None:
        # The member's own attendance rows of this year are derived here too, so a 党课
        # attended this morning shows without waiting for the nightly sync (writes only when
        # it differs); other years are left to the sync and the ledger's button.
        if year == today.year:
            study_hours_sync(year=year, member=member)
        rows = figures.member_study_rows(member.organization, year, member_ids=[member.pk])
        mine = rows[0] if rows else None
        context |= {
            "member": member,
            "mine": mine,
            "percent": round((mine.progress if mine else 0) * 100),
            "courses": selectors.member_courses(user, member),
            "exams": selectors.member_exams(user, member, timezone.now()),
        }
    if is_staff_in_tree(user):
        roots = org_selectors.tree_roots(user)
        stats = []
        for root in roots[:20]:
            summaries = figures.organization_study_summaries(root, year)
            stats.append((root, summaries[root.pk]))
        context["stats"] = stats
    return render(request, "learning/home.html", context)
