"""A member's dues page, and what the branch records for them: setting, payment, good reason."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.dues import selectors
from chuangxian.dues.access import (
    access_member_for_dues_edit,
    access_payment_for_edit,
    can_record_dues,
)
from chuangxian.dues.errors import DuesError
from chuangxian.dues.forms import PaymentForm, ReasonForm, SettingForm, VoidForm
from chuangxian.dues.models import DuesSetting, GoodReason
from chuangxian.dues.months import month_of
from chuangxian.dues.rates import DuesCategory
from chuangxian.dues.services.payments import payment_record, payment_void
from chuangxian.dues.services.reasons import good_reason_end, good_reason_record
from chuangxian.dues.services.settings import dues_setting_set
from chuangxian.orgs.access import access_member_by_id
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.views.http import actor_of, viewer


@require_GET
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_member_by_id(user, member_id)
    today = timezone.localdate()
    context = {
        "dues": selectors.member_dues(found, today=today, months=24),
        "can_record": can_record_dues(user, found),
        "void_form": VoidForm(),
    }
    return render(request, "dues/member.html", context)


@require_http_methods(["GET", "POST"])
def setting(request: HttpRequest, member_id: int) -> HttpResponse:
    found = access_member_for_dues_edit(viewer(request), member_id)
    today = timezone.localdate()
    current = DuesSetting.objects.filter(member=found, effective_from__lte=month_of(today)).first()
    initial: dict[str, object] = {
        "effective_from": month_of(today),
        "category": DuesCategory.EMPLOYED,
    }
    if current is not None:
        initial |= {
            "category": current.category,
            "base": current.base,
            "fixed_amount": current.fixed_amount,
        }
    form = SettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = dues_setting_set(
                actor=actor_of(request), member=found, values=form.values(), today=today
            )
        except DuesError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已核定：每月应交 %(amount)s 元。") % {"amount": saved.amount}
            )
            return redirect("dues:member", found.pk)
    return render(request, "dues/setting_form.html", {"form": form, "member": found})


@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest, member_id: int) -> HttpResponse:
    found = access_member_for_dues_edit(viewer(request), member_id)
    today = timezone.localdate()
    form = PaymentForm(
        request.POST or None, initial={"first_month": month_of(today), "paid_on": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            _payment, warnings = payment_record(
                actor=actor_of(request), member=found, values=form.values(), today=today
            )
        except DuesError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记缴费。"))
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("dues:member", found.pk)
    return render(request, "dues/payment_form.html", {"form": form, "member": found})


@require_POST
def payment_void_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = access_payment_for_edit(viewer(request), payment_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            payment_void(
                actor=actor_of(request), payment=payment, reason=form.cleaned_data["void_reason"]
            )
        except DuesError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("该笔缴费已作废。"))
    else:
        messages.error(request, _("请写明作废原因。"))
    return redirect("dues:member", payment.member_id)


@require_http_methods(["GET", "POST"])
def reason_create(request: HttpRequest, member_id: int) -> HttpResponse:
    found = access_member_for_dues_edit(viewer(request), member_id)
    today = timezone.localdate()
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            good_reason_record(
                actor=actor_of(request),
                member=found,
                applies_to=data["applies_to"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                text=data["text"],
                today=today,
            )
        except DuesError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录正当理由。"))
            return redirect("dues:member", found.pk)
    return render(request, "dues/reason_form.html", {"form": form, "member": found})


@require_POST
def reason_end(request: HttpRequest, reason_id: int) -> HttpResponse:
    """End a recorded good reason on a date, with a note saying why."""
    user = viewer(request)
    reason = get_object_or_404(GoodReason.objects.select_related("member"), pk=reason_id)
    member = access_member_for_dues_edit(user, reason.member_id)
    ends_on = parse_date(request.POST.get("ends_on", "") or "")
    if ends_on is None:
        messages.error(request, _("请填写结束日期（YYYY-MM-DD）。"))
        return redirect("dues:member", member.pk)
    try:
        good_reason_end(
            actor=actor_of(request),
            reason=reason,
            ends_on=ends_on,
            note=request.POST.get("note", ""),
            today=timezone.localdate(),
        )
    except DuesError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("正当理由已结束。"))
    return redirect("dues:member", member.pk)
