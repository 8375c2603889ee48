"""Accounts and role grants, for administrators, within their subtree."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.orgs.access import (
    access_account_by_id,
    access_member_by_id,
    account_changeable,
    accounts_for,
    administered_organizations,
    can_manage_organization,
    is_administrator,
    user_in_scope,
)
from chuangxian.orgs.forms.accounts import AccountCreateForm, AccountSearchForm, RoleGrantForm
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Member, Role, RoleGrant, User
from chuangxian.orgs.services import two_factor
from chuangxian.orgs.services.accounts import (
    account_create,
    account_set_active,
    role_grant,
    role_revoke,
)
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer


def _require_administrator(user: object) -> None:
    if not is_administrator(user):
        raise Http404("页面不存在")


def _access_account(request: HttpRequest, account_id: int, *, change: bool = False) -> User:
    user = viewer(request)
    _require_administrator(user)
    return access_account_by_id(user, account_id, change=change)


@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    _require_administrator(user)
    search = AccountSearchForm(request.GET)
    found = accounts_for(user).select_related("member").order_by("username")
    if search.is_valid() and (text := search.cleaned_data["q"].strip()):
        found = found.filter(
            Q(username__icontains=text) | Q(display_name__icontains=text) | Q(phone=text)
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/accounts.html", {"page": page, "search": search})


def _create_with_grant(
    request: HttpRequest, form: AccountCreateForm, member: Member | None
) -> User:
    data = form.cleaned_data
    with transaction.atomic():
        account = account_create(
            actor=actor_of(request),
            username=data["username"],
            password=data["password"],
            display_name=data["display_name"] or (member.name if member else ""),
            phone=data["phone"] or (member.phone if member else ""),
            member=member,
            organization=data["organization"],
        )
        role_grant(
            actor=actor_of(request),
            user=account,
            organization=data["organization"],
            role=data["role"],
        )
    return account


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_create_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    _require_administrator(user)
    member: Member | None = None
    initial: dict[str, object] = {"role": Role.WORKER}
    if member_id := request.GET.get("member", ""):
        member = access_member_by_id(user, int(member_id) if member_id.isdigit() else 0)
        if not can_manage_organization(user, member.organization):
            raise Http404("没有找到该党员")
        initial = {"role": Role.MEMBER, "organization": member.organization_id}
        initial |= {"display_name": member.name, "phone": member.phone}
    form = AccountCreateForm(
        request.POST or None, organizations=administered_organizations(user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = _create_with_grant(request, form, member)
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已开通账号“%(name)s”。") % {"name": account.username})
            return redirect("orgs:account", account_id=account.pk)
    return render(request, "orgs/account_form.html", {"form": form, "member": member})


def _account_page(request: HttpRequest, account: User, grant_form: RoleGrantForm) -> HttpResponse:
    user = viewer(request)
    grants = account.role_grants.select_related("organization", "granted_by").order_by(
        "organization__path"
    )
    changeable = account_changeable(user, account)
    context = {
        "account": account,
        "can_change": changeable,
        "two_factor_enabled": two_factor.enabled_for(account),
        "grants": [
            (g, changeable and can_manage_organization(user, g.organization)) for g in grants
        ],
        "grant_form": grant_form,
        "is_self": account.pk == user.pk,
    }
    return render(request, "orgs/account.html", context)


@require_GET
def account(request: HttpRequest, account_id: int) -> HttpResponse:
    found = _access_account(request, account_id)
    form = RoleGrantForm(organizations=administered_organizations(viewer(request)))
    return _account_page(request, found, form)


@require_POST
def account_grant(request: HttpRequest, account_id: int) -> HttpResponse:
    found = _access_account(request, account_id, change=True)
    form = RoleGrantForm(request.POST, organizations=administered_organizations(viewer(request)))
    if form.is_valid():
        try:
            role_grant(
                actor=actor_of(request),
                user=found,
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("orgs:account", account_id=found.pk)
    return _account_page(request, found, form)


@require_POST
def account_revoke(request: HttpRequest, account_id: int, grant_id: int) -> HttpResponse:
    found = _access_account(request, account_id, change=True)
    grant = get_object_or_404(
        RoleGrant.objects.select_related("organization", "user"), pk=grant_id, user=found
    )
    if not can_manage_organization(viewer(request), grant.organization):
        raise Http404("没有找到该授权")
    role_revoke(actor=actor_of(request), grant=grant, reason=request.POST.get("reason", "")[:200])
    messages.success(request, _("已撤销角色。"))
    if user_in_scope(viewer(request), found):
        return redirect("orgs:account", account_id=found.pk)
    return redirect("orgs:accounts")


@require_POST
def account_set_active_view(request: HttpRequest, account_id: int) -> HttpResponse:
    found = _access_account(request, account_id, change=True)
    active = request.POST.get("active") == "1"
    if found.pk == viewer(request).pk and not active:
        messages.error(request, _("不能停用自己的账号。"))
    else:
        account_set_active(actor=actor_of(request), user=found, active=active)
        messages.success(request, _("账号已启用。") if active else _("账号已停用。"))
    return redirect("orgs:account", account_id=found.pk)
