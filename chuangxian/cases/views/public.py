"""Public pages (no login): cases published to the public, with search, where each spread,
and the current demonstration points; files of public cases."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.cases import selectors
from chuangxian.cases.access import cases_for, public_cases
from chuangxian.cases.models import Case, CaseFile, Mechanism
from chuangxian.orgs.models import Sector, User
from chuangxian.orgs.views.http import PAGE_SIZE


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    sector = request.GET.get("sector", "")
    sector = sector if sector in Sector.values else ""
    found = selectors.public_published(query=query, sector=sector)
    context = {
        "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query,
        "sector": sector,
        "sectors": Sector.choices,
        "points": selectors.current_public_points(timezone.localdate()),
    }
    return render(request, "cases/public/index.html", context)


@require_GET
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        found = public_cases().select_related("organization").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404("没有找到该案例")
    context = {
        "case": found,
        "files": found.files.all(),
        "adoptions": selectors.spread_of(found),
        "mechanisms": dict(Mechanism.choices),
    }
    return render(request, "cases/public/case.html", context)


@require_GET
def file(request: HttpRequest, token: str) -> FileResponse:
    """A case's photo or attachment: to anyone when the case is public, else within scope."""
    found = CaseFile.objects.select_related("case").filter(token=token).first()
    if found is None:
        raise Http404("没有找到该文件")
    user = request.user
    visible = found.case.is_public or (
        isinstance(user, User) and cases_for(user).filter(pk=found.case_id).exists()
    )
    if not visible:
        raise Http404("没有找到该文件")
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("没有找到该文件")
    inline = found.is_image or found.content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=found.content_type,
        as_attachment=not inline,
        filename=found.original_name,
    )
    # Even a crafted file cannot run script in the site's origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
