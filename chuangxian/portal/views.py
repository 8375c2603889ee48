"""The public portal: no account needed, phone first. Reached by QR codes on the boards."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chuangxian.portal import selectors


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    return render(
        request,
        "portal/index.html",
        {"query": query, "results": selectors.public_search(query)},
    )


@require_GET
def organization(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.public_organization(code)
    if org is None:
        raise Http404("没有找到该党组织")
    return render(
        request,
        "portal/organization.html",
        {
            "org": org,
            "ancestors": selectors.public_ancestors(org),
            "children": selectors.public_children(org),
        },
    )
