"""Administrators' pages: rounds, their state machine, tokens, results, explanation, grade
changes, Excel export and the printable report."""

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.appraisal import selectors, services
from chuangxian.appraisal.access import (
    access_managed_round_by_id,
    access_round_by_id,
    access_subject_by_id,
    can_manage_round,
    can_override_grade,
    member_subjects_to_rate,
    own_member,
    results_subjects_for,
    rounds_for,
    schemes_for,
    superior_subjects_to_rate,
)
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.exports import results_export, results_in_subtree
from chuangxian.appraisal.forms import OverrideForm, ReasonForm, RoundForm, TokenBatchForm
from chuangxian.appraisal.models import (
    BoxedSheet,
    LeafKind,
    Participation,
    RaterKind,
    Round,
    RoundMeeting,
    RoundStatus,
    SubjectType,
    ThinRule,
    TokenBatch,
)
from chuangxian.appraisal.services.meetings import round_link_meetings
from chuangxian.appraisal.views.common import messages_of
from chuangxian.orgs.access import (
    access_organization_by_id,
    administered_organizations,
    organizations_for,
)
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.qr import qr_svg

TRANSITIONS = {
    "collect": services.round_collect,
    "close": services.round_close,
    "review": services.round_review,
    "publish": services.round_publish,
    "figures": services.round_figures_refresh,
}


def _my_ballots(request: HttpRequest, rounds: list[Round]) -> list[dict[str, object]]:
    """The sheets the user may still fill in, per collecting round."""
    user = viewer(request)
    member = own_member(user)
    sheets: list[dict[str, object]] = []
    for round_ in rounds:
        if round_.status != RoundStatus.COLLECTING:
            continue
        done = Participation.objects.filter(round=round_)
        if member is not None and member_subjects_to_rate(round_, member).exists():
            sheets.append(
                {
                    "round": round_,
                    "as": "member",
                    "done": done.filter(member=member).exists(),
                }
            )
        if superior_subjects_to_rate(user, round_).exists():
            sheets.append(
                {
                    "round": round_,
                    "as": "superior",
                    "done": done.filter(user=user, member__isnull=True).exists(),
                }
            )
    return sheets


@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    found = list(rounds_for(user).select_related("scheme", "organization")[:200])
    managed = [r for r in found if can_manage_round(user, r)]
    context = {
        "managed": managed,
        "sheets": _my_ballots(request, found),
        "published": [r for r in found if r.status == RoundStatus.PUBLISHED and r not in managed],
        "can_create": administered_organizations(user).exists(),
    }
    return render(request, "appraisal/rounds.html", context)


@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    organizations = administered_organizations(user)
    if not organizations.exists():
        raise Http404("没有可管理的党组织")
    actor = actor_of(request)
    services.schemes_install_defaults(actor=actor)
    form = RoundForm(
        request.POST or None,
        organizations=organizations,
        schemes=schemes_for(user).order_by("subject_type", "code"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.round_open(
                actor=actor,
                scheme=data["scheme"],
                organization=data["organization"],
                name=data["name"],
                year=data["year"],
            )
        except AppraisalError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已创建考评“%(name)s”。") % {"name": created.name})
            return redirect("appraisal:round", created.pk)
    return render(request, "appraisal/round_new.html", {"form": form})


def _round_context(request: HttpRequest, round_: Round) -> dict[str, object]:
    user = viewer(request)
    manage = can_manage_round(user, round_)
    context: dict[str, object] = {
        "round": round_,
        "manage": manage,
        "subjects": round_.subjects.count(),
        "steps": RoundStatus.choices,
        "reason_form": ReasonForm(),
        "meetings_form": MeetingsForm(),
        "has_figures": round_.scheme.indicators.filter(kind=LeafKind.AUTOMATIC).exists(),
        "meeting_lines": selectors.meeting_participation(
            list(RoundMeeting.objects.filter(round=round_).select_related("round", "organization"))
        ),
        "member_round": round_.scheme.subject_type == SubjectType.MEMBER,
    }
    if manage:
        proof = selectors.participation_proof(round_)
        context |= {
            "proof": proof,
            "sheet_counts": [
                (RaterKind(kind).label, n) for kind, n in sorted(proof.sheets_by_kind.items())
            ],
            "flags": selectors.anomaly_flags(round_),
            "batches": TokenBatch.objects.filter(round=round_).select_related("organization"),
            "token_form": TokenBatchForm(organizations=_token_orgs(round_)),
        }
    return context


def _token_orgs(round_: Round) -> QuerySet[Organization]:
    """Where a batch of public tokens may point: the round's subtree."""
    return Organization.objects.filter(path__startswith=round_.organization.path).order_by("path")


@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access_round_by_id(viewer(request), round_id)
    return render(request, "appraisal/round.html", _round_context(request, round_))


@require_POST
def round_action(request: HttpRequest, round_id: int, action: str) -> HttpResponse:
    round_ = access_managed_round_by_id(viewer(request), round_id)
    actor = actor_of(request)
    try:
        if action == "reopen":
            services.round_reopen(actor=actor, round_=round_, reason=request.POST.get("reason", ""))
        elif action in TRANSITIONS:
            TRANSITIONS[action](actor=actor, round_=round_)
        else:
            raise Http404("没有该操作")
    except AppraisalError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        round_.refresh_from_db()
        if action == "figures":
            messages.success(request, _("已从记录重新读取自动计算的数据。"))
        else:
            messages.success(
                request,
                _("本轮考评已转为“%(status)s”。") % {"status": round_.get_status_display()},
            )
    if action == "close" and round_.status == RoundStatus.COLLECTING:
        return redirect("appraisal:round_close_confirm", round_.pk)
    return redirect("appraisal:round", round_.pk)


class MeetingsForm(forms.Form):
    planned_start = forms.DateTimeField(
        label=_("新建会议的时间（已有本年度民主评议党员会议的支部直接关联）"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


@require_POST
def round_meetings(request: HttpRequest, round_id: int) -> HttpResponse:
    """Create (or link to) each branch's 民主评议党员 meeting for this round."""
    round_ = access_managed_round_by_id(viewer(request), round_id)
    form = MeetingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写会议时间。"))
        return redirect("appraisal:round", round_.pk)
    try:
        created = round_link_meetings(
            actor=actor_of(request), round_=round_, planned_start=form.cleaned_data["planned_start"]
        )
    except AppraisalError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("已关联%(n)d个支部的民主评议党员会议。") % {"n": len(created)})
    return redirect("appraisal:round", round_.pk)


@require_GET
def round_close_confirm(request: HttpRequest, round_id: int) -> HttpResponse:
    """Before closing: participation per rater group against its minimum, the sheets not yet
    folded, and what would refuse the close (selectors.close_problems)."""
    round_ = access_managed_round_by_id(viewer(request), round_id)
    if round_.status != RoundStatus.COLLECTING:
        return redirect("appraisal:round", round_.pk)
    context = {
        "round": round_,
        "groups": selectors.participation_by_group(round_),
        "pending": BoxedSheet.objects.filter(round=round_).count(),
        "problems": selectors.close_problems(round_),
        "thin_rule": ThinRule(round_.scheme.thin_rule).label,
        "proof": selectors.participation_proof(round_),
    }
    return render(request, "appraisal/close_confirm.html", context)


def token_qr(url: str) -> SafeString:
    """A QR code of a token's ballot URL, as inline SVG."""
    return qr_svg(url, scale=3)


@never_cache
@require_POST
def tokens_new(request: HttpRequest, round_id: int) -> HttpResponse:
    """Issue a batch and show it once: the QR sheet and the links are the only place the
    plaintext tokens ever exist (never stored, never cached)."""
    round_ = access_managed_round_by_id(viewer(request), round_id)
    form = TokenBatchForm(request.POST, organizations=_token_orgs(round_))
    if form.is_valid():
        data = form.cleaned_data
        try:
            batch, tokens = services.tokens_issue(
                actor=actor_of(request),
                round_=round_,
                organization=data["organization"],
                count=data["count"],
                label=data["label"],
            )
        except AppraisalError as error:
            add_service_errors(form, error)
        else:
            cards = []
            for token in tokens:
                url = request.build_absolute_uri(reverse("public_appraisal:ballot", args=[token]))
                cards.append({"url": url, "qr": token_qr(url)})
            context = {"round": round_, "batch": batch, "cards": cards}
            return render(request, "appraisal/tokens.html", context)
    context = _round_context(request, round_) | {"token_form": form}
    return render(request, "appraisal/round.html", context, status=400)


@require_GET
def results(request: HttpRequest, round_id: int) -> HttpResponse:
    user = viewer(request)
    round_ = access_round_by_id(user, round_id)
    visible = results_subjects_for(user, round_)
    rows = (
        selectors.results_of(round_)
        .filter(subject__in=visible.values("pk"))
        .select_related("subject__organization")
    )
    organizations = (
        organizations_for(user)
        .filter(path__startswith=round_.organization.path)
        .order_by("path")[:200]
    )
    context = {
        "round": round_,
        "rows": rows,
        "manage": can_manage_round(user, round_),
        "organizations": organizations,
        "shown": round_.status in (RoundStatus.CLOSED, RoundStatus.REVIEWED, RoundStatus.PUBLISHED)
        or round_.published_version is not None,
    }
    return render(request, "appraisal/results.html", context)


@require_http_methods(["GET", "POST"])
def subject(request: HttpRequest, round_id: int, subject_id: int) -> HttpResponse:
    user = viewer(request)
    round_ = access_round_by_id(user, round_id)
    found = access_subject_by_id(user, round_, subject_id)
    if not selectors.results_of(round_).filter(subject=found).exists():
        raise Http404("该对象尚无结果")
    grades = [
        str(g["name"])
        for g in (
            round_.scheme.probationary_grades
            if found.scale == 1 and round_.scheme.probationary_grades
            else round_.scheme.grades
        )
    ]
    may_override = can_override_grade(user, found) and round_.status == RoundStatus.CLOSED
    form = OverrideForm(request.POST or None, grades=grades)
    if request.method == "POST":
        if not may_override:
            raise Http404("不能调整该对象的等次")
        if form.is_valid():
            try:
                services.grade_override(
                    actor=actor_of(request),
                    round_=round_,
                    subject=found,
                    grade=form.cleaned_data["grade"],
                    reason=form.cleaned_data["reason"],
                )
            except AppraisalError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("等次已调整，理由已记录。"))
                return redirect("appraisal:subject", round_.pk, found.pk)
    explanation = selectors.subject_explanation(round_, found)
    context = {
        "round": round_,
        "subject": found,
        "explanation": explanation,
        "lines": selectors.explanation_text(explanation),
        "form": form if may_override else None,
    }
    return render(request, "appraisal/subject.html", context)


@require_GET
def export(request: HttpRequest, round_id: int) -> HttpResponse:
    user = viewer(request)
    round_ = access_round_by_id(user, round_id)
    org = _subtree(request, round_)
    content = results_export(actor=actor_of(request), user=user, round_=round_, org=org)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"appraisal-{round_.pk}-{org.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _subtree(request: HttpRequest, round_: Round) -> Organization:
    """The organization named by ?org= (default: the round's), in the viewer's scope."""
    user = viewer(request)
    raw = request.GET.get("org", "")
    org_id = int(raw) if raw.isdigit() else round_.organization_id
    org = access_organization_by_id(user, org_id)
    inside = org.path.startswith(round_.organization.path)
    above = round_.organization.path.startswith(org.path)
    if not (inside or above):
        raise Http404("没有找到该党组织")
    return org


@require_GET
def report(request: HttpRequest, round_id: int) -> HttpResponse:
    """A printable report of one organization's results, ?org= (print CSS, A4)."""
    user = viewer(request)
    round_ = access_round_by_id(user, round_id)
    org = _subtree(request, round_)
    rows = list(results_in_subtree(user, round_, org))
    grades: dict[str, int] = {}
    for row in rows:
        grades[row.grade] = grades.get(row.grade, 0) + 1
    context = {
        "round": round_,
        "org": org,
        "rows": rows,
        "grades": sorted(grades.items(), key=lambda item: -item[1]),
        "proof": selectors.participation_proof(round_),
        "overrides": [r for r in rows if r.override_reason],
    }
    return render(request, "appraisal/report.html", context)
