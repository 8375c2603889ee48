"""An organization's page, and creating, editing and moving organizations."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.orgs import selectors
from chuangxian.orgs.access import (
    access_managed_organization_by_id,
    access_organization_by_id,
    administered_organizations,
    can_edit_members_of,
    can_manage_organization,
)
from chuangxian.orgs.forms.organizations import OrganizationForm, OrganizationMoveForm
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import MemberStatus, OrgKind
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.services.organizations import (
    organization_create,
    organization_move,
    organization_update,
)
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer


@require_GET
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    today = timezone.localdate()
    include_below = request.GET.get("below") == "1"
    status = request.GET.get("status", MemberStatus.ACTIVE)
    if status not in MemberStatus.values:
        status = ""
    text = request.GET.get("q", "").strip()[:50]
    members = selectors.members_of_subtree(
        user, org, include_below=include_below, status=status or None, text=text
    )
    children = selectors.children_of(user, org)
    counts = selectors.rolled_up_member_counts([org, *children])
    context = {
        "org": org,
        "crumbs": selectors.breadcrumbs(user, org),
        "term_status": org.term_status(today),
        "children": [(child, counts.get(child.pk, 0)) for child in children],
        "member_total": counts.get(org.pk, 0),
        "page": Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")),
        "include_below": include_below,
        "status": status,
        "statuses": MemberStatus.choices,
        "q": text,
        "can_manage": can_manage_organization(user, org),
        "can_edit_members": can_edit_members_of(user, org),
        "can_have_children": org.kind != OrgKind.GROUP,
    }
    return render(request, "orgs/organization.html", context)


@require_http_methods(["GET", "POST"])
def organization_create_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    try:
        parent_id = int(request.GET.get("parent", ""))
    except ValueError:
        raise Http404("没有指定上级组织")
    parent = access_managed_organization_by_id(user, parent_id)
    today = timezone.localdate()
    form = OrganizationForm(request.POST or None, initial={"sector": parent.sector})
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_create(
                actor=actor_of(request), values=form.values(), parent=parent, today=today
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新建党组织“%(name)s”。") % {"name": org.name})
            return redirect(org)
    context = {"form": form, "parent": parent, "crumbs": [*selectors.breadcrumbs(user, parent)]}
    return render(request, "orgs/organization_form.html", context)


@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_managed_organization_by_id(user, org_id)
    form = OrganizationForm(request.POST or None, initial=OrganizationForm.initial_from(org))
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(
                actor=actor_of(request), org=org, values=form.values(), today=timezone.localdate()
            )
        except RosterError as error:
            add_service_errors(form, error)
            org.refresh_from_db()  # show the stored name, not the refused one
        else:
            messages.success(request, _("已保存。"))
            return redirect(org)
    context = {"form": form, "org": org, "crumbs": selectors.breadcrumbs(user, org)}
    return render(request, "orgs/organization_form.html", context)


@require_http_methods(["GET", "POST"])
def organization_move_view(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_managed_organization_by_id(user, org_id)
    parents = administered_organizations(user).exclude(kind=OrgKind.GROUP)
    form = OrganizationMoveForm(
        request.POST or None, parents=parents, initial={"new_parent": org.parent_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_move(
                actor=actor_of(request),
                org=org,
                new_parent=form.cleaned_data["new_parent"],
                reason=form.cleaned_data["reason"],
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已调整上级组织。"))
            return redirect(org)
    context = {"form": form, "org": org, "crumbs": selectors.breadcrumbs(user, org)}
    return render(request, "orgs/organization_move.html", context)
