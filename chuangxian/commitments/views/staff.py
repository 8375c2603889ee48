"""Staff and member pages: the list, opening a sheet, the sheet with its items, the review
queue and the Excel export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.campaigns.models import Campaign
from chuangxian.commitments import selectors, services
from chuangxian.commitments.access import (
    access_item_by_id,
    access_sheet_by_id,
    branch_path,
    can_draft,
    can_open_sheet_for_member,
    can_open_sheet_for_organization,
    can_review,
    items_for,
)
from chuangxian.commitments.exports import commitments_export
from chuangxian.commitments.forms import CampaignChoiceForm, ItemForm, ReasonForm
from chuangxian.commitments.models import EDITABLE_STATUSES, ItemStatus
from chuangxian.commitments.views.common import crumbs_for, run_service
from chuangxian.orgs.access import (
    access_member_by_id,
    access_organization_by_code,
    is_staff_in_tree,
    members_for,
    scope_for,
)
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import MemberStatus, Organization
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer


def _filter_org(request: HttpRequest) -> Organization | None:
    code = request.GET.get("org", "").strip()[:32]
    return access_organization_by_code(viewer(request), code) if code else None


@require_GET
def commitment_list(request: HttpRequest) -> HttpResponse:
    """A member sees their own sheets; staff also the items of the organizations in scope."""
    user = viewer(request)
    context: dict[str, object] = {"my_sheets": selectors.my_sheets(user)}
    if is_staff_in_tree(user):
        org = _filter_org(request)
        status = request.GET.get("status", "")
        if status not in ItemStatus.values:
            status = ""
        campaigns = Campaign.objects.filter(
            pk__in=items_for(user).values("sheet__campaign_id")
        ).order_by("-year", "name")
        campaign = campaigns.filter(pk=request.GET.get("campaign") or 0).first()
        text = request.GET.get("q", "")[:50]
        items = selectors.staff_items(
            user, status=status, organization=org, campaign=campaign, text=text
        )
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        roots = Organization.objects.filter(pk__in=scope_for(user).roots).order_by("path")
        context |= {
            "staff": True,
            "page": page,
            "statuses": ItemStatus.choices,
            "status": status,
            "campaigns": campaigns,
            "campaign": campaign,
            "org": org,
            "org_code": org.code if org else "",
            "query": text,
            "roots": roots,
            "review_count": len(selectors.review_queue(user)),
        }
    return render(request, "commitments/list.html", context)


@require_http_methods(["GET", "POST"])
def sheet_new(request: HttpRequest) -> HttpResponse:
    """Open (or find) a sheet: ?member=<id> for a member's, ?org=<code> for an organization's
    own; without either, the logged-in member's own."""
    user = viewer(request)
    today = timezone.localdate()
    member = None
    org = _filter_org(request)
    if request.GET.get("member"):
        try:
            member_id = int(request.GET["member"])
        except ValueError:
            raise Http404("没有找到该党员")
        member = access_member_by_id(user, member_id)
        if not can_open_sheet_for_member(user, member):
            raise Http404("没有找到该党员")
        org = member.organization
    elif org is not None:
        if not can_open_sheet_for_organization(user, org):
            raise Http404("没有找到该党组织")
    else:
        if user.member_id is None:
            raise Http404("没有对应的党员信息")
        member = access_member_by_id(user, user.member_id)
        org = member.organization
    campaigns = [c for c in selectors.applicable_campaigns(org) if c.allows("commit", today)]
    form = CampaignChoiceForm(
        request.POST or None,
        campaigns=Campaign.objects.filter(pk__in=[c.pk for c in campaigns]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.sheet_open(
                actor=actor_of(request),
                campaign=form.cleaned_data["campaign"],
                member=member,
                organization=None if member is not None else org,
                today=today,
            )
        except services.CommitmentError as error:
            add_service_errors(form, error)
        else:
            return redirect(sheet)
    members = []
    if member is None and org is not None:
        members = list(
            members_for(user)
            .filter(organization__path__startswith=org.path, status=MemberStatus.ACTIVE)
            .filter(organization__depth__lte=org.depth + 1)
            .select_related("organization")
            .order_by("name")[:300]
        )
    context = {
        "form": form,
        "member": member,
        "org": org,
        "members": members,
        "no_campaign": not campaigns,
    }
    return render(request, "commitments/sheet_new.html", context)


@require_http_methods(["GET", "POST"])
def sheet(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """The sheet with its items; the add-item form posts here."""
    user = viewer(request)
    found = access_sheet_by_id(user, sheet_id)
    today = timezone.localdate()
    drafter = can_draft(user, found)
    form = ItemForm(request.POST or None, sheet=found)
    if request.method == "POST":
        if not drafter:
            raise Http404("没有找到该承诺书")
        if form.is_valid():
            try:
                services.item_add(
                    actor=actor_of(request), sheet=found, values=form.values(), today=today
                )
            except services.CommitmentError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已添加承诺事项（草稿）。"))
                return redirect(found)
    items = selectors.sheet_items(found)
    wall_org = found.organization
    if branch_path(wall_org) != wall_org.path and wall_org.parent_id is not None:
        wall_org = Organization.objects.get(pk=wall_org.parent_id)
    context = {
        "sheet": found,
        "items": items,
        "form": form,
        "can_draft": drafter,
        "can_review": can_review(user, found),
        "commit_open": found.campaign.allows("commit", today),
        "has_editable": any(i.status in EDITABLE_STATUSES for i in items),
        "has_approved": any(i.status == ItemStatus.APPROVED for i in items),
        "has_public": any(i.is_public for i in items),
        "wall_org": wall_org,
        "crumbs": crumbs_for(user, found.organization),
    }
    return render(request, "commitments/sheet.html", context)


@require_POST
def sheet_submit(request: HttpRequest, sheet_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_sheet_by_id(user, sheet_id)
    if not can_draft(user, found):
        raise Http404("没有找到该承诺书")
    run_service(
        request,
        lambda: services.sheet_submit(
            actor=actor_of(request), sheet=found, today=timezone.localdate()
        ),
        _("已提交审核。"),
    )
    return redirect(found)


@require_POST
def sheet_publish(request: HttpRequest, sheet_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_sheet_by_id(user, sheet_id)
    if not can_review(user, found):
        raise Http404("没有找到该承诺书")
    run_service(
        request,
        lambda: services.sheet_publish(
            actor=actor_of(request), sheet=found, today=timezone.localdate()
        ),
        _("已公开承诺，群众可扫码查看。"),
    )
    return redirect(found)


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    items = selectors.review_queue(viewer(request))
    context = {
        "items": items,
        "reason_form": ReasonForm(),
        "similar": selectors.similar_items(items),
    }
    return render(request, "commitments/review.html", context)


@require_POST
def item_approve(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_review(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    run_service(
        request,
        lambda: services.item_approve(
            actor=actor_of(request), item=item, today=timezone.localdate()
        ),
        _("已审核通过。"),
    )
    return redirect(_back(request, item.sheet.get_absolute_url()))


@require_POST
def item_return(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_review(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    run_service(
        request,
        lambda: services.item_return(
            actor=actor_of(request),
            item=item,
            reason=request.POST.get("reason", "")[:500],
            today=timezone.localdate(),
        ),
        _("已退回，并告知退回原因。"),
    )
    return redirect(_back(request, item.sheet.get_absolute_url()))


@require_POST
def item_publish(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_review(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    run_service(
        request,
        lambda: services.item_publish(
            actor=actor_of(request), item=item, today=timezone.localdate()
        ),
        _("已公开承诺。"),
    )
    return redirect(item.sheet)


def _back(request: HttpRequest, default: str) -> str:
    """Only the review queue may be asked for as the way back; anything else goes home."""
    return reverse("commitments:review") if request.POST.get("back") == "review" else default


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The .xlsx of a subtree in scope (?org=<code>, default: the first top of the scope)."""
    user = viewer(request)
    if not is_staff_in_tree(user):
        raise Http404("没有可导出的承诺")
    org = _filter_org(request)
    if org is None:
        roots = scope_for(user).roots
        org = Organization.objects.filter(pk__in=roots).order_by("path").first()
        if org is None:
            raise Http404("没有可导出的承诺")
    campaign = Campaign.objects.filter(pk=request.GET.get("campaign") or 0).first()
    content = commitments_export(actor=actor_of(request), user=user, org=org, campaign=campaign)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"commitments-{org.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
