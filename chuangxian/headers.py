"""The Content-Security-Policy of every response.

Scripts and styles only from the site's own static files: no inline <script>, no inline event
handler (onclick=…), no style attribute or <style> element, no eval, nothing from another
origin — so an injected tag cannot run, even where escaping were ever missed. Pages attach
behaviour from static files (chuangxian/static/chuangxian/page.js). The policy is the setting
CONTENT_SECURITY_POLICY; a response that already has the header keeps its own.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
