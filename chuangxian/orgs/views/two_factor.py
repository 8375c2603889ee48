"""Two-factor authentication: the code step of the login, the user's own settings page
(enrol with a QR code, recovery codes, turn optional 2FA off) and a superior's reset."""

import time
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.access import access_account_by_id, is_administrator
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.forms.auth import TwoFactorCodeForm, TwoFactorResetForm
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.login_limits import attempt_begin, attempt_failed, attempt_succeeded
from chuangxian.orgs.middleware import mark_active
from chuangxian.orgs.models import User
from chuangxian.orgs.services import sessions
from chuangxian.orgs.services import two_factor as services
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.qr import qr_svg

PENDING = "two_factor_pending"
PENDING_SECONDS = 300
BACKEND = "chuangxian.orgs.authentication.UsernameOrPhoneBackend"


def begin_code_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After a correct password for a user with 2FA: remember who, ask for the code."""
    request.session[PENDING] = {"user": user.pk, "at": int(time.time()), "next": next_url}
    return redirect("login_verify")


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending: dict[str, Any] | None = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return user, str(pending.get("next", ""))


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    user, next_url = _pending_user(request)
    if user is None:
        messages.error(request, _("请重新输入用户名和密码。"))
        return redirect("login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        attempt = attempt_begin(user_id=user.pk, typed=user.username, ip=ip)
        if not attempt.allowed:
            sessions.login_locked(typed=user.username, ip=ip)
            request.session.pop(PENDING, None)
            messages.error(
                request, _("登录失败次数过多，该账号已被锁定15分钟，请稍后再试或联系管理员。")
            )
            return redirect("login")
        device = services.two_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            attempt_succeeded(attempt)
            request.session.pop(PENDING, None)
            login(request, user, backend=BACKEND)
            mark_active(request)
            django_otp.login(request, device)
            sessions.login_succeeded(user=user, ip=ip)
            if isinstance(device, StaticDevice):
                audit_record(
                    actor=Actor(user=user, ip_address=ip),
                    action=AuditAction.RECOVERY_USED,
                    object_type="user",
                    object_id=str(user.pk),
                    object_label=str(user)[:200],
                    org_path=sessions.account_org_path(user),
                )
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("您使用了一个恢复码，还剩%(n)d个。请尽快在“双因素认证”页面重新生成。")
                    % {"n": left},
                )
            return redirect(next_url or "home")
        attempt_failed(attempt)
        sessions.login_failed(typed=user.username, ip=ip)
        if services.two_factor_waiting(user=user):
            form.add_error("code", _("验证码不正确或尝试过快，请稍等几秒后输入当前的验证码。"))
        else:
            form.add_error("code", _("验证码不正确或已过期。"))
    return render(request, "registration/login_verify.html", {"form": form})


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(request, "orgs/two_factor_codes.html", {"codes": codes})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The user's own page: status; enrolment (QR code + confirm); new recovery codes;
    turning optional 2FA off."""
    user = viewer(request)
    enabled = services.enabled_for(user)
    required = services.required_for(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = TwoFactorCodeForm(request.POST if action in ("confirm", "disable", "renew") else None)
    if action == "confirm" and form.is_valid():
        try:
            codes = services.two_factor_confirm(
                actor=actor_of(request), user=user, code=form.cleaned_data["code"]
            )
        except RosterError as error:
            add_service_errors(form, error)
        else:
            device = user.totpdevice_set.filter(confirmed=True).first()
            django_otp.login(request, device)
            return _show_codes(request, codes)
    elif action in ("renew", "disable") and enabled and form.is_valid():
        # Both need a current code: a session left open is not enough to change the factor.
        if services.two_factor_check(user=user, code=form.cleaned_data["code"]) is None:
            form.add_error("code", _("验证码不正确或已过期。"))
        elif action == "renew":
            codes = services.recovery_codes_renew(actor=actor_of(request), user=user)
            return _show_codes(request, codes)
        elif required:
            form.add_error(None, _("管理员必须使用双因素认证，不能停用。"))
        else:
            services.two_factor_reset(actor=actor_of(request), user=user, reason="本人停用")
            request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("已停用双因素认证。"))
            return redirect("orgs:two_factor")
    context: dict[str, Any] = {"enabled": enabled, "required": required, "form": form}
    if not enabled and (action in ("start", "confirm")):
        device = (
            user.totpdevice_set.filter(confirmed=False).order_by("-pk").first()
            if action == "confirm"
            else None
        ) or services.two_factor_begin(user=user)
        context["qr"] = qr_svg(device.config_url, scale=4, with_title=False)
        context["secret"] = _grouped_secret(device)
    elif enabled:
        context["recovery_left"] = sum(
            d.token_set.count() for d in StaticDevice.objects.filter(user=user)
        )
    return render(request, "orgs/two_factor.html", context)


def _grouped_secret(device: Any) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_POST
def account_two_factor_reset(request: HttpRequest, account_id: int) -> HttpResponse:
    """A superior administrator resets a subordinate's 2FA (a lost phone): every role of the
    account must lie inside their scope, like any other account change."""
    user = viewer(request)
    if not is_administrator(user):
        raise Http404("页面不存在")
    account = access_account_by_id(user, account_id, change=True)
    form = TwoFactorResetForm(request.POST)
    if form.is_valid():
        services.two_factor_reset(
            actor=actor_of(request), user=account, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已重置该账号的双因素认证，对方下次登录时需重新启用。"))
    else:
        messages.error(request, _("请写明重置原因。"))
    return redirect("orgs:account", account_id=account.pk)
