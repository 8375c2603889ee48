"""`/`: the public portal for a visitor without an account; after login, 待办 for those who run
organizations and 我的一年 for members (a secretary who is also a member sees both)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.home.todo import todo_lines
from chuangxian.home.year import member_year
from chuangxian.orgs import selectors
from chuangxian.orgs.access import is_staff_in_tree
from chuangxian.orgs.views.http import viewer
from chuangxian.portal.views import index as portal_index


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return portal_index(request)
    user = viewer(request)
    today = timezone.localdate()
    now = timezone.now()
    context: dict[str, object] = {"today": today}
    if is_staff_in_tree(user):
        roots = selectors.tree_roots(user)
        counts = selectors.rolled_up_member_counts(roots)
        context |= {
            "todo": todo_lines(user, today=today, now=now),
            "roots": [(org, counts.get(org.pk, 0)) for org in roots],
        }
    if user.member is not None:
        context["year"] = member_year(user, user.member, today=today, now=now)
    return render(request, "home/home.html", context)
