"""What the commitment views share: running a service and showing its refusal."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from chuangxian.commitments.services import CommitmentError
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Organization


def run_service(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Call the service; on refusal show its Chinese message(s) and return False."""
    try:
        call()
    except CommitmentError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def crumbs_for(user: Any, org: Organization) -> list[Organization]:
    """The organization as a breadcrumb, for those whose role lets them open its page."""
    return [org] if scope_for(user).works_in(org) else []
