"""The public portal: no account needed, phone first. Reached by QR codes on the boards."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.openness import selectors as openness
from chuangxian.portal import selectors
from chuangxian.qr import qr_svg

# The newest opinions shown on the page; the 回音壁 has them all.
OPINIONS_SHOWN = 5


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
            "disclosures": openness.public_disclosures(org, timezone.localdate()),
            "opinions": openness.public_opinions(org)[:OPINIONS_SHOWN],
            "consultations": openness.public_consultations(org),
            "submit_qr": qr_svg(
                request.build_absolute_uri(reverse("public_openness:submit", args=[org.code])),
                scale=3,
            ),
        },
    )
