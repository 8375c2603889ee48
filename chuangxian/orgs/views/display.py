"""The 适老化 switch: large text and high contrast, for anyone (public pages included)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chuangxian.orgs.display import remember_on_device
from chuangxian.orgs.services.accounts import account_display_set
from chuangxian.orgs.views.http import actor_of


@require_POST
def display_set(request: HttpRequest) -> HttpResponse:
    large = request.POST.get("large") == "1"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    remember_on_device(response, large)
    if request.user.is_authenticated:
        account_display_set(actor=actor_of(request), user=request.user, large=large)
    return response
