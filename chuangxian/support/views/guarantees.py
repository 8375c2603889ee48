"""Guarantees checklists (一定三有, 四有一化): the superior's overview of what is missing, and
one organization's checklist."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.orgs.access import access_organization_by_id
from chuangxian.orgs.views.http import actor_of
from chuangxian.support import selectors
from chuangxian.support.access import works_in
from chuangxian.support.checklists import checklists_for
from chuangxian.support.errors import SupportError
from chuangxian.support.models import ChecklistEntry
from chuangxian.support.services.guarantees import checklist_set
from chuangxian.support.views.common import page_root, staff_viewer


@require_GET
def guarantees_home(request: HttpRequest) -> HttpResponse:
    user = staff_viewer(request)
    root = page_root(request, user)
    rows = selectors.checklist_overview(user, root)
    return render(request, "support/guarantees.html", {"root": root, "rows": rows})


@require_http_methods(["GET", "POST"])
def checklist_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    user = staff_viewer(request)
    org = access_organization_by_id(user, org_id)
    checklists = checklists_for(org)
    if not checklists or not works_in(user, org):
        raise Http404("没有找到该党组织")
    entries = {e.item: e for e in ChecklistEntry.objects.filter(organization=org)}
    if request.method == "POST":
        today = timezone.localdate()
        try:
            for checklist in checklists:
                for code, _label in checklist.items:
                    checklist_set(
                        actor=actor_of(request),
                        organization=org,
                        item=code,
                        met=request.POST.get(f"met_{code}") == "on",
                        note=request.POST.get(f"note_{code}", "")[:300],
                        today=today,
                    )
        except SupportError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已保存保障情况。"))
            return redirect("support:checklist", org.pk)
    sections = [
        (checklist, [(code, label, entries.get(code)) for code, label in checklist.items])
        for checklist in checklists
    ]
    return render(
        request, "support/checklist.html", {"org": org, "sections": sections, "crumbs": [org]}
    )
