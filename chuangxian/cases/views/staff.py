"""The case library for logged-in users: search, submit, review, publish, adopt; and the
demonstration points."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.cases import selectors, services
from chuangxian.cases.access import (
    access_case_by_id,
    adopting_organizations,
    can_edit,
    can_review,
    demo_points_for,
)
from chuangxian.cases.forms import (
    AdoptionForm,
    ApproveForm,
    CaseForm,
    DemoPointForm,
    PublishForm,
    ReturnForm,
)
from chuangxian.cases.models import Case, CaseStatus, Mechanism
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import OrgKind, Sector, User
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of
from chuangxian.uploads.safety import UploadRefused, check_upload


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404("没有找到该页面")
    return user


def _run(request: HttpRequest, call: Any, success: str, form: Any = None) -> bool:
    try:
        call()
    except services.CaseError as error:
        if form is not None:
            add_service_errors(form, error, aliases={"files": "attachments"})
        else:
            for message in error.messages:
                messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def _own_organizations(user: User) -> Any:
    """Where the viewer may submit a case from: organizations they work in (not 党小组)."""
    return organizations_for(user).exclude(kind=OrgKind.GROUP).order_by("path")


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "")[:50]
    sector = request.GET.get("sector", "")
    sector = sector if sector in Sector.values else ""
    mechanism = request.GET.get("mechanism", "")
    mechanism = mechanism if mechanism in Mechanism.values else ""
    found = selectors.visible_published(user, query=query, sector=sector, mechanism=mechanism)
    context = {
        "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query,
        "sector": sector,
        "mechanism": mechanism,
        "sectors": Sector.choices,
        "mechanisms": Mechanism.choices,
        "own": selectors.own_cases(user)[:100],
        "queue": selectors.review_queue(user),
        "can_submit": _own_organizations(user).exists(),
    }
    return render(request, "cases/list.html", context)


def _files(request: HttpRequest, form: CaseForm) -> list[Any] | None:
    try:
        return [check_upload(upload) for upload in form.cleaned_data["attachments"]]
    except UploadRefused as refusal:
        form.add_error("attachments", str(refusal))
        return None


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organizations = _own_organizations(user)
    if not organizations.exists():
        raise Http404("没有找到该页面")
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        organizations=organizations,
        initial={"organization": organizations.first()},
    )
    created: list[Case] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and (files := _files(request, form)) is not None
    ):
        call = lambda: created.append(  # noqa: E731
            services.case_create(
                actor=actor_of(request),
                organization=form.cleaned_data["organization"],
                values=form.values(),
                files=files,
            )
        )
        if _run(request, call, _("已保存案例草稿，确认无误后请提交审核。"), form):
            return redirect(created[0])
    return render(
        request, "cases/case_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = access_case_by_id(user, case_id)
    if not can_edit(user, case) or case.status not in services.EDITABLE:
        raise Http404("没有找到该案例")
    initial = {f: getattr(case, f) for f in ("title", "sector", "mechanism", "summary", "body")}
    form = CaseForm(request.POST or None, request.FILES or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and (files := _files(request, form)) is not None
    ):
        call = lambda: services.case_update(  # noqa: E731
            actor=actor_of(request), case=case, values=form.values(), files=files
        )
        if _run(request, call, _("已保存修改。"), form):
            return redirect(case)
    context = {"form": form, "case": case}
    return render(request, "cases/case_form.html", context, status=400 if form.errors else 200)


def _context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = _user(request)
    reviewer = can_review(user, case)
    editor = can_edit(user, case)
    adopters = adopting_organizations(user, case)
    context: dict[str, Any] = {
        "case": case,
        "files": case.files.all(),
        "events": case.events.all(),
        "adoptions": selectors.spread_of(case),
        "editor": editor and case.status in services.EDITABLE,
    }
    if reviewer and case.status == CaseStatus.SUBMITTED:
        context["return_form"] = forms.get("return_form") or ReturnForm()
        context["approve_form"] = forms.get("approve_form") or ApproveForm()
    if reviewer and case.status == CaseStatus.APPROVED:
        context["publish_form"] = forms.get("publish_form") or PublishForm()
    if case.status == CaseStatus.PUBLISHED and adopters.exists():
        context["adopt_form"] = forms.get("adopt_form") or AdoptionForm(
            organizations=adopters, initial={"adopted_on": timezone.localdate()}
        )
    return context


@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_by_id(_user(request), case_id)
    return render(request, "cases/case.html", _context(request, case))


def _rerender(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    return render(request, "cases/case.html", _context(request, case, **forms), status=400)


@require_POST
def case_submit(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = access_case_by_id(user, case_id)
    if not can_edit(user, case):
        raise Http404("没有找到该案例")
    _run(
        request,
        lambda: services.case_submit(actor=actor_of(request), case=case),
        _("已提交上级审核。"),
    )
    return redirect(case)


def _reviewed(request: HttpRequest, case_id: int) -> Case:
    user = _user(request)
    case = access_case_by_id(user, case_id)
    if not can_review(user, case):
        raise Http404("没有找到该案例")
    return case


@require_POST
def case_return(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _reviewed(request, case_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        call = lambda: services.case_return(  # noqa: E731
            actor=actor_of(request), case=case, comment=form.cleaned_data["comment"]
        )
        if _run(request, call, _("已退回修改。"), form):
            return redirect(case)
    return _rerender(request, case, return_form=form)


@require_POST
def case_approve(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _reviewed(request, case_id)
    form = ApproveForm(request.POST)
    if form.is_valid():
        call = lambda: services.case_approve(  # noqa: E731
            actor=actor_of(request), case=case, comment=form.cleaned_data["comment"]
        )
        if _run(request, call, _("已审核通过。"), form):
            return redirect(case)
    return _rerender(request, case, approve_form=form)


@require_POST
def case_publish(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _reviewed(request, case_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        call = lambda: services.case_publish(  # noqa: E731
            actor=actor_of(request), case=case, visibility=form.cleaned_data["visibility"]
        )
        if _run(request, call, _("案例已发布。"), form):
            return redirect(case)
    return _rerender(request, case, publish_form=form)


@require_POST
def case_adopt(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = access_case_by_id(user, case_id)
    form = AdoptionForm(request.POST, organizations=adopting_organizations(user, case))
    if form.is_valid():
        call = lambda: services.adoption_record(  # noqa: E731
            actor=actor_of(request), case=case, today=timezone.localdate(), **form.cleaned_data
        )
        if _run(request, call, _("已登记借鉴推广情况。"), form):
            return redirect(case)
    return _rerender(request, case, adopt_form=form)


@require_http_methods(["GET", "POST"])
def demo_points(request: HttpRequest) -> HttpResponse:
    """示范点: those the viewer may see, and (for a superior) the form to name one."""
    user = _user(request)
    scope = scope_for(user)
    below = organizations_for(user).exclude(pk__in=list(scope.roots)).order_by("path")
    can_designate = bool(scope.admin_paths) and below.exists()
    if request.method == "POST" and not can_designate:
        raise Http404("没有找到该页面")
    form = DemoPointForm(request.POST or None, organizations=below)
    if request.method == "POST" and can_designate and form.is_valid():
        org = form.cleaned_data["organization"]
        parent = org.parent
        if parent is None or not scope.administers(parent):
            form.add_error("organization", _("只能把您管理的组织的下级命名为示范点"))
        else:
            call = lambda: services.demo_point_designate(  # noqa: E731
                actor=actor_of(request), designated_by=parent, **form.cleaned_data
            )
            if _run(request, call, _("已命名示范点。"), form):
                return redirect("cases:points")
    points = demo_points_for(user).select_related("organization", "designated_by")
    context = {
        "points": points.order_by("-starts_on")[:500],
        "form": form if can_designate else None,
        "today": timezone.localdate(),
    }
    return render(request, "cases/points.html", context, status=400 if form.errors else 200)
