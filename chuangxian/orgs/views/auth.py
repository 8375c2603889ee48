"""Logging in with a username or phone number, logging out, changing one's password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from chuangxian.orgs.authentication import LoginLocked, client_ip
from chuangxian.orgs.forms.auth import LoginForm, PasswordChangeForm
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.middleware import mark_active
from chuangxian.orgs.models import User
from chuangxian.orgs.services import sessions, two_factor
from chuangxian.orgs.services.accounts import account_set_password
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.views.http import actor_of
from chuangxian.orgs.views.two_factor import begin_code_step


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        try:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
        except LoginLocked:
            sessions.login_locked(typed=username, ip=client_ip(request))
            form.add_error(
                None,
                _("登录失败次数过多，该账号已被锁定15分钟，请稍后再试或联系管理员。"),
            )
        else:
            if user is not None:
                if two_factor.enabled_for(user):
                    return begin_code_step(request, user, _safe_next(request))
                login(request, user)
                mark_active(request)
                sessions.login_succeeded(user=user, ip=client_ip(request))
                if two_factor.required_for(user):
                    messages.warning(request, _("管理员账号必须启用双因素认证后才能继续使用系统。"))
                    return redirect("orgs:two_factor")
                return redirect(_safe_next(request))
            sessions.login_failed(typed=username, ip=client_ip(request))
            form.add_error(None, _("用户名（或手机号码）或密码不正确。"))
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "registration/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        sessions.logged_out(user=request.user, ip=client_ip(request))
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "password", "password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", _("当前密码不正确"))
        else:
            try:
                account_set_password(
                    actor=actor_of(request), user=user, password=form.cleaned_data["password"]
                )
            except RosterError as error:
                add_service_errors(form, error)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("密码已修改。"))
                return redirect("home")
    return render(request, "orgs/password_change.html", {"form": form})
