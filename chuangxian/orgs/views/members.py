"""A member's page, the audited reveal of the ID number, and adding, editing, transferring."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import audit_record
from chuangxian.orgs import selectors
from chuangxian.orgs.access import (
    access_member_by_id,
    access_organization_by_id,
    can_edit_members_of,
    can_manage_organization,
    can_view_id_number,
    members_for,
    organizations_for,
)
from chuangxian.orgs.forms.members import MemberForm, MemberTransferForm
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Member, User
from chuangxian.orgs.rules import FIELD_LABELS
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.services.members import member_create, member_transfer, member_update
from chuangxian.orgs.views.http import actor_of, is_htmx, viewer


def _member_context(request: HttpRequest, member: Member) -> dict[str, object]:
    user = viewer(request)
    org = member.organization
    return {
        "member": member,
        "crumbs": [*selectors.breadcrumbs(user, org), org]
        if can_edit_members_of(user, org)
        else [],
        "transfers": selectors.transfer_history(member),
        "can_edit": can_edit_members_of(user, org),
        "can_reveal": can_view_id_number(user, member),
        "can_open_account": can_manage_organization(user, org)
        and not User.objects.filter(member=member).exists(),
        "fields": [
            (_(FIELD_LABELS[name]), _shown(member, name))
            for name in (
                "gender",
                "ethnicity",
                "birth_date",
                "phone",
                "education",
                "category",
                "joined_on",
                "confirmed_on",
                "party_post",
                "work_post",
                "in_hardship",
                "is_mobile",
                "status",
            )
        ],
    }


def _shown(member: Member, name: str) -> object:
    """A field's value as the page shows it: a choice by its label and the ethnic group by
    its name in the page's language (both stored in Chinese), anything else as it is."""
    if getattr(Member._meta.get_field(name), "choices", None):
        return getattr(member, f"get_{name}_display")()
    if name == "ethnicity":
        return _(member.ethnicity)
    return getattr(member, name)


@require_GET
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    found = access_member_by_id(viewer(request), member_id)
    return render(request, "orgs/member.html", _member_context(request, found))


@never_cache
@require_POST
def member_reveal_id(request: HttpRequest, member_id: int) -> HttpResponse:
    """The full 公民身份号码, to the roles allowed to see it, one audit row per look."""
    user = viewer(request)
    found = access_member_by_id(user, member_id)
    if not can_view_id_number(user, found):
        raise Http404("没有找到该党员")
    audit_record(
        actor=actor_of(request),
        action=AuditAction.VIEW_SENSITIVE,
        obj=found,
        org_path=found.organization.path,
        changes={"id_number": "查看完整公民身份号码"},
    )
    context = _member_context(request, found) | {"revealed_id_number": found.id_number}
    template = "orgs/_id_number.html" if is_htmx(request) else "orgs/member.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def member_create_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    try:
        org_id = int(request.GET.get("org", ""))
    except ValueError:
        raise Http404("没有指定党组织")
    org = access_organization_by_id(user, org_id)
    if not can_edit_members_of(user, org):
        raise Http404("没有找到该党组织")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = member_create(
                actor=actor_of(request),
                organization=org,
                values=form.values(),
                today=timezone.localdate(),
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加党员“%(name)s”。") % {"name": created.name})
            return redirect(created)
    context = {"form": form, "org": org, "crumbs": [*selectors.breadcrumbs(user, org), org]}
    return render(request, "orgs/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_member_by_id(user, member_id)
    org = found.organization
    if not can_edit_members_of(user, org):
        raise Http404("没有找到该党员")
    form = MemberForm(request.POST or None, editing=found, initial=MemberForm.initial_from(found))
    if request.method == "POST" and form.is_valid():
        try:
            member_update(
                actor=actor_of(request),
                member=found,
                values=form.values(),
                today=timezone.localdate(),
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(found)
    context = {"form": form, "member": found, "org": org, "crumbs": [org]}
    return render(request, "orgs/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_transfer_view(request: HttpRequest, member_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_member_by_id(user, member_id)
    if not can_edit_members_of(user, found.organization):
        raise Http404("没有找到该党员")
    today = timezone.localdate()
    destinations = organizations_for(user).exclude(pk=found.organization_id).order_by("path")
    form = MemberTransferForm(request.POST or None, destinations=destinations, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_transfer(
                actor=actor_of(request),
                member=found,
                on=data["transferred_on"],
                to_organization=data["to_organization"],
                destination_text=data["destination_text"],
                reason=data["reason"],
                today=today,
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("组织关系转接已办理。"))
            # A member moved out of the user's scope is no longer theirs to see.
            if members_for(user).filter(pk=found.pk).exists():
                return redirect(found)
            return redirect(found.organization)
    context = {"form": form, "member": found, "crumbs": [found.organization]}
    return render(request, "orgs/member_transfer.html", context)
