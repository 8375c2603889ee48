"""The public commitment wall: no account, phone first, reached by the QR code.

Only items from 公诺 on are read, and only those of the organization named in the URL, so no
URL of one organization leads into another's data. Anonymous raters are told apart by a signed,
HttpOnly device cookie; only a keyed hash of it is stored."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Campaign
from chuangxian.commitments import selectors, services
from chuangxian.commitments.access import is_own_sheet, items_for, rater_group_for
from chuangxian.commitments.forms import RatingForm
from chuangxian.commitments.models import (
    PUBLIC_STATUSES,
    RATEABLE_STATUSES,
    CommitmentItem,
    RaterGroup,
)
from chuangxian.commitments.views.common import run_service
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.models import Organization
from chuangxian.qr import qr_svg

DEVICE_COOKIE = "cx_device"
DEVICE_SALT = "chuangxian.commitments.device-cookie"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600
PUBLIC_ORG_FIELDS = ("id", "code", "name", "kind", "sector", "path", "parent_id")


def device_id(request: HttpRequest) -> str:
    value = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    return value if isinstance(value, str) else ""


def remember_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser its device id on its first visit (signed, HttpOnly)."""
    if not device_id(request):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _org(code: str) -> Organization:
    org = Organization.objects.only(*PUBLIC_ORG_FIELDS).filter(code=code).first()
    if org is None:
        raise Http404("没有找到该党组织")
    return org


def wall_qr(request: HttpRequest, org: Organization) -> SafeString:
    """The QR code of the wall's absolute URL, as inline SVG (generated markup, no user text)."""
    url = request.build_absolute_uri(reverse("public_commitments:wall", args=[org.code]))
    return qr_svg(url, scale=4)


def _wall_campaign(request: HttpRequest, org: Organization) -> tuple[list[Campaign], Campaign]:
    campaigns = selectors.wall_campaigns(org)
    if not campaigns:
        raise Http404("该党组织还没有公开承诺")
    chosen = request.GET.get("campaign", "")
    campaign = next((c for c in campaigns if str(c.pk) == chosen), campaigns[0])
    return campaigns, campaign


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Find an organization's wall by name or code; only those with public commitments."""
    query = request.GET.get("q", "").strip()[:50]
    results: list[Organization] = []
    if query:
        with_walls = CommitmentItem.objects.filter(status__in=PUBLIC_STATUSES).values(
            "sheet__organization_id"
        )
        results = list(
            Organization.objects.only(*PUBLIC_ORG_FIELDS)
            .filter(Q(name__icontains=query) | Q(code=query), pk__in=with_walls)
            .exclude(kind="党小组")
            .order_by("path")[:30]
        )
    return render(request, "commitments/public/index.html", {"query": query, "results": results})


@require_GET
def wall(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(code)
    campaigns, campaign = _wall_campaign(request, org)
    query = request.GET.get("q", "").strip()[:50]
    sheets = selectors.wall_sheets(org, campaign, query)
    items = [item for entry in sheets for item in entry.items]
    device = device_id(request)
    rated = selectors.ratings_by_device(services.device_hash(device), items) if device else {}
    rated |= selectors.ratings_by_user(request.user, items)
    context = {
        "org": org,
        "campaign": campaign,
        "campaigns": campaigns,
        "sheets": sheets,
        "query": query,
        "rating_open": campaign.allows("rate", timezone.localdate()),
        "rating_window": campaign.action_window("rate"),
        "today": timezone.localdate(),
        "rated": rated,
        "rateable": RATEABLE_STATUSES,
        "rating_form": RatingForm(),
        "qr": wall_qr(request, org),
    }
    return remember_device(request, render(request, "commitments/public/wall.html", context))


@require_GET
def item(request: HttpRequest, code: str, item_id: int) -> HttpResponse:
    org = _org(code)
    found = selectors.public_item(org, item_id)
    if found is None:
        raise Http404("没有找到该承诺")
    device = device_id(request)
    rated = selectors.ratings_by_device(services.device_hash(device), [found]) if device else {}
    rated |= selectors.ratings_by_user(request.user, [found])
    context = {
        "org": org,
        "item": found,
        "sheet": found.sheet,
        "timeline": selectors.item_timeline(found, public=True),
        "rating_open": found.sheet.campaign.allows("rate", timezone.localdate()),
        "rated": rated,
        "rateable": RATEABLE_STATUSES,
        "rating_form": RatingForm(),
    }
    return remember_device(request, render(request, "commitments/public/item.html", context))


@require_POST
def rate(request: HttpRequest, code: str, item_id: int) -> HttpResponse:
    """评诺 from the wall. A logged-in member of the branch or the superior rates in their
    group; anyone else as the public, once per device, within the address's hourly limit."""
    org = _org(code)
    found = selectors.public_item(org, item_id)
    if found is None:
        raise Http404("没有找到该承诺")
    back = (
        reverse("public_commitments:item", args=[org.code, found.pk])
        if request.POST.get("back") == "item"
        else reverse("public_commitments:wall", args=[org.code]) + f"#item-{found.pk}"
    )
    response = redirect(back)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择满意、基本满意或不满意。"))
        return remember_device(request, response)
    user = request.user
    if user.is_authenticated and is_own_sheet(user, found.sheet):
        messages.error(request, _("不能评价自己的承诺。"))
        return response
    group = rater_group_for(user, found.sheet)
    ip = client_ip(request)
    if group is not None:
        actor = Actor(user=user, ip_address=ip)
        rater, device = user, ""
    else:
        group, rater, device = RaterGroup.PUBLIC, None, device_id(request)
        # The address is only hashed for the rate limit; the audit row keeps no address.
        actor = Actor(label="群众（扫码评价）")
    run_service(
        request,
        lambda: services.rating_record(
            actor=actor,
            item=found,
            group=group,
            score=form.cleaned_data["score"],
            rater=rater,
            device_id=device,
            address=ip,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            today=timezone.localdate(),
        ),
        _("感谢您的评价！"),
    )
    return remember_device(request, response)


@require_GET
def cards(request: HttpRequest, code: str) -> HttpResponse:
    """A4 commitment cards for the physical 公开栏: one per sheet, with the QR code."""
    org = _org(code)
    _campaigns, campaign = _wall_campaign(request, org)
    context = {
        "org": org,
        "campaign": campaign,
        "sheets": selectors.wall_sheets(org, campaign),
        "qr": wall_qr(request, org),
        "wall_url": request.build_absolute_uri(reverse("public_commitments:wall", args=[org.code])),
    }
    return render(request, "commitments/public/cards.html", context)


@never_cache
@require_GET
def evidence(request: HttpRequest, token: str) -> FileResponse:
    """An evidence file: to anyone when its item is public, otherwise only within scope."""
    found = selectors.evidence_by_token(token)
    if found is None:
        raise Http404("没有找到该文件")
    item = found.update.item
    visible = item.is_public or items_for(request.user).filter(pk=item.pk).exists()
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
