"""What the honors views share: running a service and showing its refusal."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from chuangxian.honors.errors import HonorsError
from chuangxian.orgs.forms.service_errors import add_service_errors


def run_service(
    request: HttpRequest, call: Callable[[], Any], success: str, form: forms.Form | None = None
) -> bool:
    """Call the service; on refusal put its Chinese message(s) on the form (or the page)."""
    try:
        call()
    except HonorsError as error:
        if form is not None:
            add_service_errors(form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return False
    messages.success(request, success)
    return True
