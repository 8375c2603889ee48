"""亮身份 post cards: the member's (or the branch's) pages, the A6 print, and the public card
page where a visitor rates the service in one tap."""

import uuid

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.commitments.models import PUBLIC_STATUSES, CommitmentItem
from chuangxian.openness.access import access_card_by_id, can_edit_card_of, cards_for
from chuangxian.openness.device import device_id, remember_device
from chuangxian.openness.forms import CardForm, CardRateForm
from chuangxian.openness.models import PostCard, PostRating, ServiceScore
from chuangxian.openness.services import cards as services
from chuangxian.openness.views.common import run_service
from chuangxian.orgs.access import access_member_by_id, members_for, scope_for
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.qr import qr_svg
from chuangxian.uploads.safety import UploadRefused, check_upload

LIST_LIMIT = 300


@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    cards = cards_for(user).select_related("member", "organization").order_by("organization__path")
    scope = scope_for(user)
    without: list[object] = []
    if scope.admin_paths or scope.branch_paths:
        without = list(
            members_for(user)
            .filter(post_card__isnull=True)
            .select_related("organization")
            .order_by("organization__path", "name")[:LIST_LIMIT]
        )
    context = {
        "cards": cards[:LIST_LIMIT],
        "own_member_id": scope.own_member_id,
        "own_has_card": scope.own_member_id is not None
        and PostCard.objects.filter(member_id=scope.own_member_id).exists(),
        "without": without,
    }
    return render(request, "openness/cards.html", context)


@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    user = viewer(request)
    member = access_member_by_id(user, member_id)
    if not can_edit_card_of(user, member):
        raise Http404("没有找到该党员")
    card = PostCard.objects.filter(member=member).first()
    initial = (
        {"post_type": card.post_type, "post_name": card.post_name, "pledge": card.pledge}
        if card
        else {}
    )
    form = CardForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        photo = None
        upload = form.cleaned_data.get("photo")
        try:
            photo = check_upload(upload, max_bytes=5 * 1024 * 1024) if upload else None
        except UploadRefused as error:
            form.add_error("photo", str(error))
        else:
            saved = run_service(
                request,
                lambda: services.card_save(
                    actor=actor_of(request),
                    member=member,
                    post_type=form.cleaned_data["post_type"],
                    post_name=form.cleaned_data["post_name"],
                    pledge=form.cleaned_data["pledge"],
                    photo=photo,
                    remove_photo=form.cleaned_data["remove_photo"],
                ),
                _("已保存岗位卡。"),
            )
            if saved:
                return redirect(saved.get_absolute_url())
    return render(
        request, "openness/card_form.html", {"form": form, "member": member, "card": card}
    )


def _summary(card: PostCard, year: int) -> dict[str, int]:
    counts = PostRating.objects.filter(card=card, rated_on__year=year).aggregate(
        satisfied=Count("id", filter=Q(score=ServiceScore.SATISFIED)),
        basic=Count("id", filter=Q(score=ServiceScore.BASIC)),
        dissatisfied=Count("id", filter=Q(score=ServiceScore.DISSATISFIED)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def _public_url(request: HttpRequest, card: PostCard) -> str:
    return request.build_absolute_uri(reverse("public_openness:card", args=[card.token]))


@require_GET
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    card = access_card_by_id(viewer(request), card_id)
    year = timezone.localdate().year
    context = {
        "card": card,
        "year": year,
        "summary": _summary(card, year),
        "ratings": card.ratings.all()[:100],
        "public_url": _public_url(request, card),
        "editable": can_edit_card_of(viewer(request), card.member),
    }
    return render(request, "openness/card.html", context)


@require_GET
def card_print(request: HttpRequest, card_id: int) -> HttpResponse:
    """The A6 card with the QR code, to print and stand at the post."""
    card = access_card_by_id(viewer(request), card_id)
    url = _public_url(request, card)
    return render(
        request,
        "openness/card_print.html",
        {"card": card, "qr": qr_svg(url, scale=4), "public_url": url},
    )


@require_POST
def card_deactivate(request: HttpRequest, card_id: int) -> HttpResponse:
    user = viewer(request)
    card = access_card_by_id(user, card_id)
    if not can_edit_card_of(user, card.member):
        raise Http404("没有找到该岗位卡")
    run_service(
        request,
        lambda: services.card_deactivate(actor=actor_of(request), card=card),
        _("已停用岗位卡。"),
    )
    return redirect(card.get_absolute_url())


# ---- public -----------------------------------------------------------------------------------


def _public_card(token: uuid.UUID) -> PostCard:
    card = PostCard.objects.select_related("member", "organization").filter(token=token).first()
    if card is None or not card.active:
        raise Http404("没有找到该岗位卡")
    return card


@require_GET
def public_card(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    card = _public_card(token)
    commitments = CommitmentItem.objects.filter(
        sheet__member=card.member, status__in=PUBLIC_STATUSES
    ).order_by("-id")[:10]
    context = {
        "card": card,
        "commitments": commitments,
        "form": CardRateForm(),
        "scores": ServiceScore.choices,
    }
    return remember_device(request, render(request, "openness/public/card.html", context))


@require_POST
def public_rate(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    card = _public_card(token)
    form = CardRateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择满意、基本满意或不满意。"))
    else:
        run_service(
            request,
            lambda: services.card_rate(
                card=card,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                device_id=device_id(request),
                address=client_ip(request),
                today=timezone.localdate(),
            ),
            _("感谢您的评价！"),
        )
    return remember_device(request, redirect("public_openness:card", token=card.token))


@never_cache
@require_GET
def public_photo(request: HttpRequest, token: uuid.UUID) -> FileResponse:
    card = _public_card(token)
    if not card.photo:
        raise Http404("没有照片")
    try:
        handle = card.photo.open("rb")
    except FileNotFoundError:
        raise Http404("没有照片")
    response = FileResponse(handle, content_type=card.photo_type or "image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
