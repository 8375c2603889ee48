"""Staff pages of 评先评优: batches, categories and quotas, nomination, review, 纪检 opinion,
shortlist, 公示, objections, approval, certificates, and the tiers-and-awards overview."""

from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.honors import certificates, selectors
from chuangxian.honors.access import (
    access_award_by_id,
    access_batch_by_id,
    access_nomination_by_id,
    access_run_batch_by_id,
    batches_for,
    can_nominate_from,
    can_review,
    can_run_batch,
    nominating_organizations,
    nominations_for,
)
from chuangxian.honors.forms import (
    BatchForm,
    CategoryForm,
    NominationForm,
    ObjectionOutcomeForm,
    QuotaForm,
    ReasonForm,
    StoryForm,
    set_choices,
)
from chuangxian.honors.models import (
    BatchStatus,
    NominationStatus,
    ObjectionOutcome,
    SubjectKind,
)
from chuangxian.honors.services import awards as services
from chuangxian.honors.views.common import run_service
from chuangxian.orgs.access import (
    access_organization_by_id,
    administered_organizations,
    is_staff_in_tree,
    members_for,
    organizations_for,
    scope_for,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.orgs.selectors import subtree
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.workdays import calendar_warning


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """Batches the user sees, what waits for them, and a new batch for administrators."""
    user = viewer(request)
    if not is_staff_in_tree(user):
        return redirect("honors:my_points")
    organizers = list(administered_organizations(user)[:300])
    form = BatchForm(request.POST or None, initial={"year": timezone.localdate().year})
    set_choices(form, "organization", [(o.pk, o.name) for o in organizers])
    if request.method == "POST":
        if not organizers:
            raise Http404
        if form.is_valid():
            org = access_organization_by_id(user, form.cleaned_data["organization"])
            values = services.BatchValues(
                name=form.cleaned_data["name"],
                year=form.cleaned_data["year"],
                nomination_opens=form.cleaned_data["nomination_opens"],
                nomination_closes=form.cleaned_data["nomination_closes"],
                notice_days=form.cleaned_data["notice_days"],
            )
            created: list[object] = []
            if run_service(
                request,
                lambda: created.append(
                    services.batch_create(actor=actor_of(request), organization=org, values=values)
                ),
                _("表彰已创建，请添加奖项和名额"),
                form,
            ):
                return redirect("honors:batch", created[0].pk)  # type: ignore[attr-defined]
    context = {
        "batches": batches_for(user).order_by("-year", "-id")[:100],
        "queue": selectors.review_queue(user),
        "form": form if organizers else None,
        "has_member": scope_for(user).own_member_id is not None,
    }
    return render(request, "honors/home.html", context)


def _batch_context(request: HttpRequest, batch_id: int) -> dict[str, object]:
    user = viewer(request)
    batch = access_batch_by_id(user, batch_id)
    runs = can_run_batch(user, batch)
    categories = list(batch.categories.prefetch_related("quotas__organization"))
    nominations = nominations_for(user).filter(batch=batch).order_by("category__position", "id")
    context: dict[str, object] = {
        "batch": batch,
        "runs": runs,
        "categories": categories,
        "nominations": nominations,
        "can_nominate": batch.status == BatchStatus.NOMINATING
        and nominating_organizations(user, batch).exists(),
        "warning": calendar_warning(batch.notice_starts, batch.notice_ends)
        if batch.notice_starts and batch.notice_ends
        else "",
        "today": timezone.localdate(),
    }
    if runs:
        category_form = CategoryForm()
        quota_form = QuotaForm()
        set_choices(quota_form, "category", [(c.pk, c.name) for c in categories])
        set_choices(
            quota_form,
            "organization",
            [
                (o.pk, o.name)
                for o in nominating_organizations(user, batch).only("id", "name")[:300]
            ],
        )
        context.update(category_form=category_form, quota_form=quota_form)
    return context


@require_GET
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    return render(request, "honors/batch.html", _batch_context(request, batch_id))


@require_POST
def category_add(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = access_run_batch_by_id(viewer(request), batch_id)
    form = CategoryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.category_add(
                actor=actor_of(request),
                batch=found,
                name=data["name"],
                subject_kind=data["subject_kind"],
                rules=data["rules"],
                material_reward=data["material_reward"],
            ),
            _("奖项已添加"),
        )
    else:
        run_service(request, lambda: _form_refusal(form), "")
    return redirect("honors:batch", found.pk)


def _form_refusal(form: object) -> None:
    from chuangxian.honors.errors import HonorsError

    errors = getattr(form, "errors", {})
    raise HonorsError([str(m) for messages in errors.values() for m in messages])


@require_POST
def quota_set(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_run_batch_by_id(user, batch_id)
    form = QuotaForm(request.POST)
    set_choices(form, "category", [(c.pk, c.name) for c in found.categories.all()])
    set_choices(
        form, "organization", [(o.pk, o.name) for o in nominating_organizations(user, found)]
    )
    if form.is_valid():
        category = found.categories.get(pk=form.cleaned_data["category"])
        org = access_organization_by_id(user, form.cleaned_data["organization"])
        run_service(
            request,
            lambda: services.quota_set(
                actor=actor_of(request),
                category=category,
                organization=org,
                count=form.cleaned_data["count"],
            ),
            _("名额已保存"),
        )
    else:
        run_service(request, lambda: _form_refusal(form), "")
    return redirect("honors:batch", found.pk)


@require_POST
def batch_step(request: HttpRequest, batch_id: int, step: str) -> HttpResponse:
    """close (结束推荐), notice (开始公示), approve (批准表彰)."""
    found = access_run_batch_by_id(viewer(request), batch_id)
    actor, today = actor_of(request), timezone.localdate()
    calls: dict[str, tuple[Callable[[], object], str]] = {
        "close": (
            lambda: services.batch_close_nominations(actor=actor, batch=found),
            _("推荐已结束，进入审核"),
        ),
        "notice": (
            lambda: services.batch_start_notice(actor=actor, batch=found, today=today),
            _("已开始公示"),
        ),
        "approve": (
            lambda: services.batch_approve(actor=actor, batch=found, today=today),
            _("已批准表彰，证书正在后台生成"),
        ),
    }
    if step not in calls:
        raise Http404
    call, success = calls[step]
    run_service(request, call, success)
    return redirect("honors:batch", found.pk)


def _nominee_choices(request: HttpRequest, org: Organization, kind: str) -> list[tuple[str, str]]:
    """Members (m<id>) or organizations (o<id>) of `org`'s subtree the user may see."""
    user = viewer(request)
    below = subtree(user, org)
    if kind == SubjectKind.MEMBER:
        members = (
            members_for(user)
            .filter(status=MemberStatus.ACTIVE, organization__in=below)
            .select_related("organization")
            .order_by("organization__path", "name")[:500]
        )
        return [(f"m{m.pk}", f"{m.name}（{m.organization.name}）") for m in members]
    return [(f"o{o.pk}", o.name) for o in below.order_by("path")[:500]]


@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The nominating organization is chosen first (?org=), then the nominee among its
    members or organizations, with the 事迹."""
    user = viewer(request)
    found = access_batch_by_id(user, batch_id)
    orgs = list(nominating_organizations(user, found)[:300])
    if not orgs:
        raise Http404
    chosen_id = request.GET.get("org") or str(orgs[0].pk)
    nominated_by = next((o for o in orgs if str(o.pk) == chosen_id), orgs[0])
    if not can_nominate_from(user, nominated_by):
        raise Http404
    categories = list(found.categories.all())
    kind_id = request.GET.get("category") or (str(categories[0].pk) if categories else "")
    category = next((c for c in categories if str(c.pk) == kind_id), None)
    form = NominationForm(request.POST or None)
    set_choices(form, "category", [(c.pk, c.name) for c in categories])
    form.fields["category"].initial = category.pk if category else None
    if category is not None:
        set_choices(form, "nominee", _nominee_choices(request, nominated_by, category.subject_kind))
    if request.method == "POST" and form.is_valid() and category is not None:
        category = found.categories.get(pk=form.cleaned_data["category"])
        nominee = form.cleaned_data["nominee"]
        member: Member | None = None
        organization: Organization | None = None
        if nominee.startswith("m"):
            member = members_for(user).select_related("organization").get(pk=int(nominee[1:]))
        else:
            organization = access_organization_by_id(user, int(nominee[1:]))
        created: list[object] = []
        if run_service(
            request,
            lambda: created.append(
                services.nomination_create(
                    actor=actor_of(request),
                    category=category,
                    nominated_by=nominated_by,
                    story=form.cleaned_data["story"],
                    today=timezone.localdate(),
                    member=member,
                    organization=organization,
                )
            ),
            _("已推荐，等待上级审核"),
            form,
        ):
            return redirect("honors:nomination", created[0].pk)  # type: ignore[attr-defined]
    context = {
        "batch": found,
        "form": form,
        "orgs": orgs,
        "nominated_by": nominated_by,
        "categories": categories,
        "category": category,
    }
    return render(request, "honors/nominate.html", context)


@require_GET
def nomination(request: HttpRequest, nomination_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_nomination_by_id(user, nomination_id)
    runs = can_run_batch(user, found.batch)
    context = {
        "nomination": found,
        "batch": found.batch,
        "steps": found.steps.select_related("organization"),
        "objections": found.objections.all() if runs else [],
        "runs": runs,
        "reviews": can_review(user, found) and found.status == NominationStatus.REVIEWING,
        "resubmits": found.status == NominationStatus.RETURNED
        and can_nominate_from(user, found.nominated_by),
        "reason_form": ReasonForm(),
        "story_form": StoryForm(initial={"story": found.story}),
        "outcome_form": ObjectionOutcomeForm(),
        "pending": ObjectionOutcome.PENDING,
        "award": getattr(found, "award", None),
    }
    return render(request, "honors/nomination.html", context)


@require_POST
def nomination_step(request: HttpRequest, nomination_id: int, step: str) -> HttpResponse:
    user = viewer(request)
    found = access_nomination_by_id(user, nomination_id)
    actor = actor_of(request)
    reason = request.POST.get("reason", "")[:500]
    if step in ("approve", "return", "reject") and found.status == NominationStatus.REVIEWING:
        if not can_review(user, found):
            raise Http404
    elif step in ("discipline_agree", "discipline_object", "shortlist", "return", "reject"):
        if not can_run_batch(user, found.batch):
            raise Http404
    elif step == "resubmit":
        if not can_nominate_from(user, found.nominated_by):
            raise Http404
    else:
        raise Http404
    story = request.POST.get("story", "")
    calls: dict[str, tuple[Callable[[], object], str]] = {
        "approve": (
            lambda: services.nomination_approve(actor=actor, nomination=found),
            _("已审核同意"),
        ),
        "return": (
            lambda: services.nomination_return(actor=actor, nomination=found, reason=reason),
            _("已退回"),
        ),
        "reject": (
            lambda: services.nomination_reject(actor=actor, nomination=found, reason=reason),
            _("已记录不同意"),
        ),
        "discipline_agree": (
            lambda: services.nomination_discipline_opinion(
                actor=actor, nomination=found, agree=True, opinion=reason
            ),
            _("纪检意见已记录"),
        ),
        "discipline_object": (
            lambda: services.nomination_discipline_opinion(
                actor=actor, nomination=found, agree=False, opinion=reason
            ),
            _("纪检意见已记录"),
        ),
        "shortlist": (
            lambda: services.nomination_shortlist(actor=actor, nomination=found),
            _("已列入拟表彰名单"),
        ),
        "resubmit": (
            lambda: services.nomination_resubmit(actor=actor, nomination=found, story=story),
            _("已重新推荐"),
        ),
    }
    call, success = calls[step]
    run_service(request, call, success)
    return redirect("honors:nomination", found.pk)


@require_POST
def objection_handle(request: HttpRequest, nomination_id: int, objection_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_nomination_by_id(user, nomination_id)
    if not can_run_batch(user, found.batch):
        raise Http404
    objection = found.objections.filter(pk=objection_id).first()
    if objection is None:
        raise Http404
    form = ObjectionOutcomeForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.objection_handle(
                actor=actor_of(request),
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                note=form.cleaned_data["note"],
            ),
            _("异议处理结果已记录"),
        )
    else:
        run_service(request, lambda: _form_refusal(form), "")
    return redirect("honors:nomination", found.pk)


@require_GET
def certificate(request: HttpRequest, award_id: int) -> HttpResponse:
    award = access_award_by_id(viewer(request), award_id)
    response = HttpResponse(certificates.certificate_pdf(award), content_type="application/pdf")
    response["Content-Disposition"] = _attachment(certificates.certificate_filename(award))
    return response


@require_GET
def certificates_zip(request: HttpRequest, batch_id: int) -> FileResponse:
    """The zip the background task wrote after approval."""
    found = access_run_batch_by_id(viewer(request), batch_id)
    if found.status != BatchStatus.APPROVED or not found.certificates:
        raise Http404("证书正在生成，请稍后刷新")
    return FileResponse(
        found.certificates.open("rb"),
        as_attachment=True,
        filename=f"{found.year}-{found.name}-证书.zip",
    )


@require_POST
def certificates_regenerate(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = access_run_batch_by_id(viewer(request), batch_id)
    if found.status != BatchStatus.APPROVED:
        raise Http404
    from chuangxian.honors.tasks import generate_certificates

    generate_certificates.enqueue(found.pk)
    messages.success(request, _("已开始重新生成证书，稍后刷新本页"))
    return redirect("honors:batch", found.pk)


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name)}"


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The organizations below one the user sees: tier, grade and awards, year over year."""
    user = viewer(request)
    if not is_staff_in_tree(user):
        raise Http404
    org_id = request.GET.get("org", "")
    top = organizations_for(user).order_by("depth", "path").first()
    org = access_organization_by_id(user, int(org_id)) if org_id.isdigit() else top
    if org is None:
        raise Http404
    year = timezone.localdate().year
    years = [year - 2, year - 1, year]
    children = list(organizations_for(user).filter(parent=org).order_by("code")[:300])
    rows = selectors.tiers_and_awards([org, *children], years)
    context = {
        "org": org,
        "years": years,
        "own": rows[0],
        "rows": rows[1:],
        "band_labels": selectors.BAND_LABELS,
    }
    return render(request, "honors/overview.html", context)
