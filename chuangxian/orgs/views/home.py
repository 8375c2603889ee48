"""The first page after login: one's organizations and their 换届 alerts, or one's own record."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.orgs import selectors
from chuangxian.orgs.access import is_staff_in_tree, scope_for
from chuangxian.orgs.models.organization import TermStatus
from chuangxian.orgs.views.http import viewer


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    today = timezone.localdate()
    context: dict[str, object] = {"today": today, "own_member_id": scope_for(user).own_member_id}
    if is_staff_in_tree(user):
        roots = selectors.tree_roots(user)
        counts = selectors.rolled_up_member_counts(roots)
        alerts = selectors.term_alerts(user, today)
        context |= {
            "roots": [(org, counts.get(org.pk, 0)) for org in roots],
            "overdue": [o for o in alerts if o.term_status(today) == TermStatus.OVERDUE],
            "due_soon": [o for o in alerts if o.term_status(today) == TermStatus.DUE_SOON],
        }
    return render(request, "orgs/home.html", context)
