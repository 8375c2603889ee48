"""What the support views share: the organization a page is about, and running a service."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest

from chuangxian.orgs.access import access_organization_by_code, is_staff_in_tree
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Organization, User
from chuangxian.orgs.selectors import tree_roots
from chuangxian.support.errors import SupportError


def staff_viewer(request: HttpRequest) -> User:
    """The logged-in user, who must hold a role beyond 党员 (the pages are the staff's)."""
    user = request.user
    if not isinstance(user, User) or not is_staff_in_tree(user):
        raise Http404("没有找到该页面")
    return user


def page_root(request: HttpRequest, user: User) -> Organization:
    """?org=<code> when given (in scope, else 404), otherwise the user's first root."""
    code = request.GET.get("org", "").strip()[:32]
    if code:
        return access_organization_by_code(user, code)
    roots = tree_roots(user)
    if not roots:
        raise Http404("没有找到该党组织")
    return roots[0]


def run_service(
    request: HttpRequest, call: Callable[[], Any], success: str, form: forms.Form | None = None
) -> bool:
    """Call the service; on refusal put its Chinese message(s) on the form (or the page)."""
    try:
        call()
    except SupportError as error:
        if form is not None:
            add_service_errors(form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return False
    messages.success(request, success)
    return True
