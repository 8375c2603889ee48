"""党费 home: a member's own dues on their phone; for staff, the month of their organizations."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.dues import ledger, selectors
from chuangxian.dues.access import dues_roots
from chuangxian.dues.forms import MonthChoiceForm
from chuangxian.dues.months import month_of
from chuangxian.orgs.access import is_staff_in_tree, members_for, scope_for
from chuangxian.orgs.views.http import viewer


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    today = timezone.localdate()
    context: dict[str, object] = {"today": today}
    own_id = scope_for(user).own_member_id
    if own_id is not None:
        own = members_for(user).select_related("organization").filter(pk=own_id).first()
        if own is not None:
            context["mine"] = selectors.member_dues(own, today=today)
    if is_staff_in_tree(user):
        month = MonthChoiceForm(request.GET).month_or(month_of(today))
        rows = []
        for root in dues_roots(user):
            statement = ledger.subtree_statement(root, month, today=today)
            rows.append((root, statement.totals.get(root.pk, ledger.DuesTotals())))
        context |= {"month": month, "roots": rows}
    return render(request, "dues/home.html", context)
