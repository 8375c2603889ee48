"""Points pages: a member's own ledger (phone), claims with evidence and their approval, an
organization's yearly totals with Excel export and ranking settings, the rule catalogue."""

from decimal import Decimal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.honors import exports, selectors
from chuangxian.honors.access import (
    access_claim_by_id,
    can_decide_claim,
)
from chuangxian.honors.catalogue import effective_rules
from chuangxian.honors.forms import ClaimForm, ReasonForm, RuleForm, SettingForm, set_choices
from chuangxian.honors.ledger import member_bucket_totals, member_year_total
from chuangxian.honors.models import Bucket, PointSource
from chuangxian.honors.services import points as services
from chuangxian.honors.views.common import run_service
from chuangxian.orgs.access import (
    access_member_by_id,
    access_organization_by_id,
    can_manage_organization,
    members_for,
    organizations_for,
    scope_for,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.uploads.safety import UploadRefused, check_upload


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


def _member_page(request: HttpRequest, member: Member) -> HttpResponse:
    year = _year(request)
    setting = selectors.setting_of(member.organization)
    context = {
        "member": member,
        "year": year,
        "years": [year - 1, year] if year == timezone.localdate().year else [year],
        "total": member_year_total(member.pk, year),
        "buckets": [
            (str(label), member_bucket_totals(member.pk, year).get(value, Decimal(0)))
            for value, label in Bucket.choices
        ],
        "entries": selectors.member_entries(member, year)[:300],
        "standing": selectors.standing(member, year),
        "published": setting.rankings_enabled and setting.rankings_published,
        "ranking": selectors.ranking(member.organization, year)
        if setting.rankings_enabled and setting.rankings_published
        else [],
        "claims": member_claims(member),
    }
    return render(request, "honors/my_points.html", context)


def member_claims(member: Member) -> list[object]:
    from chuangxian.honors.models import PointClaim

    return list(PointClaim.objects.filter(member=member).select_related("rule")[:50])


@require_GET
def my_points(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    member_id = scope_for(user).own_member_id
    if member_id is None:
        return redirect("honors:org_points", 0)
    return _member_page(request, access_member_by_id(user, member_id))


@require_GET
def member_points(request: HttpRequest, member_id: int) -> HttpResponse:
    return _member_page(request, access_member_by_id(viewer(request), member_id))


def _staff_org(request: HttpRequest, org_id: int) -> Organization:
    user = viewer(request)
    if org_id == 0:
        org = organizations_for(user).order_by("depth", "path").first()
        if org is None:
            raise Http404
        return org
    return access_organization_by_id(user, org_id)


@require_GET
def org_points(request: HttpRequest, org_id: int) -> HttpResponse:
    """Yearly totals of the subtree's members; the ranking settings for administrators."""
    user = viewer(request)
    org = _staff_org(request, org_id)
    year = _year(request)
    rows = selectors.subtree_totals(org, year)
    if request.GET.get("format") == "xlsx":
        return exports.totals_response(org, year, rows, actor_of(request))
    setting = selectors.setting_of(org)
    context = {
        "org": org,
        "year": year,
        "rows": rows[:1000],
        "count": len(rows),
        "total": sum((r.total for r in rows), Decimal(0)),
        "buckets": Bucket.choices,
        "children": selectors.child_totals(
            org, list(organizations_for(user).filter(parent=org).order_by("code")[:200]), year
        ),
        "setting_form": SettingForm(
            initial={
                "rankings_enabled": setting.rankings_enabled,
                "rankings_published": setting.rankings_published,
            }
        )
        if can_manage_organization(user, org)
        else None,
        "manages": can_manage_organization(user, org),
        "pending": selectors.pending_claims(user),
    }
    return render(request, "honors/org_points.html", context)


@require_POST
def accrue(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    if not can_manage_organization(user, org):
        raise Http404
    year = _year(request)
    result = services.points_accrue(actor=actor_of(request), root=org, year=year)
    from django.contrib import messages

    messages.success(
        request,
        _("已按记录计算：新记 %(posted)s 笔，冲销 %(reversed)s 笔")
        % {"posted": result.posted, "reversed": result.reversed},
    )
    return redirect(f"{reverse('honors:org_points', args=[org.pk])}?year={year}")


@require_POST
def setting_update(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    if not can_manage_organization(user, org):
        raise Http404
    form = SettingForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.setting_update(
                actor=actor_of(request),
                organization=org,
                rankings_enabled=form.cleaned_data["rankings_enabled"],
                published=form.cleaned_data["rankings_published"],
            ),
            _("排名设置已保存"),
        )
    return redirect("honors:org_points", org.pk)


def _claimable(request: HttpRequest) -> tuple[list[Member], Member | None]:
    """Members a claim may be for: the user's own record, or those of organizations they
    work in."""
    user = viewer(request)
    scope = scope_for(user)
    staff = (
        members_for(user).filter(status=MemberStatus.ACTIVE).exclude(pk=scope.own_member_id or 0)
    )
    choices = [
        m for m in staff.select_related("organization")[:500] if scope.works_in(m.organization)
    ]
    own = (
        access_member_by_id(user, scope.own_member_id) if scope.own_member_id is not None else None
    )
    return choices, own


@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    viewer(request)
    others, own = _claimable(request)
    candidates = ([own] if own else []) + others
    if not candidates:
        raise Http404
    form = ClaimForm(request.POST or None, request.FILES or None)
    set_choices(form, "member", [(m.pk, f"{m.name}（{m.organization.name}）") for m in candidates])
    chosen = next(
        (
            m
            for m in candidates
            if str(m.pk) == (request.POST.get("member") or request.GET.get("member"))
        ),
        candidates[0],
    )
    manual = [
        r for r in effective_rules(chosen.organization).values()
        if r.source == PointSource.MANUAL and r.active
    ]  # fmt: skip
    set_choices(
        form,
        "rule",
        [(r.pk, f"{r.name}（{r.get_bucket_display()} {r.points} 分）") for r in manual],
    )
    if request.method == "POST" and form.is_valid():
        rule = next(r for r in manual if r.pk == form.cleaned_data["rule"])
        upload = form.cleaned_data["evidence"]
        evidence = None
        if upload is not None:
            try:
                evidence = check_upload(upload)
            except UploadRefused as error:
                form.add_error("evidence", str(error))
        if not form.errors and run_service(
            request,
            lambda: services.claim_submit(
                actor=actor_of(request),
                member=chosen,
                rule=rule,
                occurred_on=form.cleaned_data["occurred_on"],
                description=form.cleaned_data["description"],
                points=form.cleaned_data["points"],
                evidence=evidence,
                today=timezone.localdate(),
            ),
            _("已提交，等待审核"),
            form,
        ):
            if own is not None and chosen.pk == own.pk:
                return redirect("honors:my_points")
            return redirect("honors:org_points", chosen.organization_id)
    return render(
        request, "honors/claim_new.html", {"form": form, "rules": manual, "member": chosen}
    )


@require_GET
def claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_claim_by_id(user, claim_id)
    context = {"claim": found, "decides": can_decide_claim(user, found), "form": ReasonForm()}
    return render(request, "honors/claim.html", context)


@require_GET
def claim_evidence(request: HttpRequest, claim_id: int) -> FileResponse:
    found = access_claim_by_id(viewer(request), claim_id)
    if not found.evidence:
        raise Http404
    return FileResponse(
        found.evidence.open("rb"), as_attachment=True, filename=found.evidence_name or "evidence"
    )


@require_POST
def claim_decide(request: HttpRequest, claim_id: int, decision: str) -> HttpResponse:
    user = viewer(request)
    found = access_claim_by_id(user, claim_id)
    if decision not in ("approve", "reject") or not can_decide_claim(user, found):
        raise Http404
    run_service(
        request,
        lambda: services.claim_decide(
            actor=actor_of(request),
            claim=found,
            approve=decision == "approve",
            reason=request.POST.get("reason", "")[:300],
        ),
        _("审核结果已记录"),
    )
    return redirect("honors:claim", found.pk)


@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, org_id: int) -> HttpResponse:
    """The catalogue in force for the organization; its administrators set its own rules
    (overriding those from above) or take the defaults."""
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    manages = can_manage_organization(user, org)
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        if not manages:
            raise Http404
        if request.POST.get("defaults"):
            count = services.rules_seed_defaults(actor=actor_of(request), organization=org)
            from django.contrib import messages

            messages.success(request, _("已添加默认积分项目 %(count)s 项") % {"count": count})
            return redirect("honors:rules", org.pk)
        if form.is_valid():
            data = form.cleaned_data
            values = services.RuleValues(**data)
            if run_service(
                request,
                lambda: services.rule_save(
                    actor=actor_of(request), organization=org, values=values
                ),
                _("积分项目已保存"),
                form,
            ):
                return redirect("honors:rules", org.pk)
    in_force = sorted(effective_rules(org).values(), key=lambda r: (r.source, r.code))
    context = {"org": org, "rules": in_force, "form": form if manages else None, "manages": manages}
    return render(request, "honors/rules.html", context)
