from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from chuangxian.openness.errors import OpennessError


def run_service(request: HttpRequest, call: Callable[[], Any], success: str) -> Any:
    """Call the service; on refusal show its Chinese message(s) and return None."""
    try:
        result = call()
    except OpennessError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True
