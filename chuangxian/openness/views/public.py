"""The public side of openness: no account, phone first, reached by the QR code.

Every page is about the organization named in the URL and reads only what it discloses: a
published opinion's text, photo and reply (never the phone), and disclosures for the public
within their dates. The submitter follows their opinion by a secret link shown once."""

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.openness import selectors
from chuangxian.openness.access import opinions_for
from chuangxian.openness.device import device_id, remember_device
from chuangxian.openness.forms import OpinionForm, RateForm, ReopenForm
from chuangxian.openness.models import Opinion, Visibility
from chuangxian.openness.services import opinions as services
from chuangxian.openness.views.common import run_service
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.models import Organization
from chuangxian.portal.selectors import public_organization
from chuangxian.qr import qr_svg
from chuangxian.uploads.safety import UploadRefused, check_upload


def _org(code: str) -> Organization:
    org = public_organization(code)
    if org is None:
        raise Http404("没有找到该党组织")
    return org


@require_GET
def wall(request: HttpRequest, code: str) -> HttpResponse:
    """问题墙 / 回音壁: the organization's published opinions with their replies."""
    org = _org(code)
    context = {"org": org, "opinions": selectors.public_opinions(org)}
    return remember_device(request, render(request, "openness/public/wall.html", context))


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(code)
    form = OpinionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = None
        upload = form.cleaned_data.get("photo")
        try:
            if upload is not None:
                photo = check_upload(upload, max_bytes=5 * 1024 * 1024)
                if not photo.is_image:
                    raise UploadRefused(_("只接受照片（JPG、PNG、GIF、WebP）"))
        except UploadRefused as error:
            form.add_error("photo", str(error))
        else:
            result = run_service(
                request,
                lambda: services.opinion_submit(
                    organization=org,
                    text=form.cleaned_data["text"],
                    phone=form.cleaned_data.get("phone") or "",
                    photo=photo,
                    device_id=device_id(request),
                    address=client_ip(request),
                    today=timezone.localdate(),
                ),
                _("已收到您的意见建议，我们将按期答复。请保存本页链接，以便查看答复和评价。"),
            )
            if result:
                _opinion, token = result
                done = redirect("public_openness:follow", code=org.code, token=token)
                return remember_device(request, done)
    context = {"org": org, "form": form, "days": services.answer_days()}
    response = render(request, "openness/public/submit.html", context)
    return remember_device(request, response)


def _followed(org: Organization, token: str) -> Opinion:
    found = Opinion.objects.filter(
        organization=org, follow_hash=services.follow_hash(token)
    ).first()
    if found is None:
        raise Http404("没有找到该意见建议")
    return found


@never_cache
@require_GET
def follow(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The submitter's own page: their opinion, its status, the reply, rating and reopening."""
    org = _org(code)
    opinion = _followed(org, token)
    context = {
        "org": org,
        "opinion": opinion,
        "token": token,
        "rate_form": RateForm(),
        "reopen_form": ReopenForm(),
        "follow_url": request.build_absolute_uri(),
    }
    return remember_device(request, render(request, "openness/public/follow.html", context))


@require_POST
def rate(request: HttpRequest, code: str, token: str) -> HttpResponse:
    org = _org(code)
    opinion = _followed(org, token)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择满意或不满意。"))
    else:
        run_service(
            request,
            lambda: services.opinion_rate(
                opinion=opinion, token=token, satisfaction=form.cleaned_data["satisfaction"]
            ),
            _("感谢您的评价！"),
        )
    return redirect("public_openness:follow", code=org.code, token=token)


@require_POST
def reopen(request: HttpRequest, code: str, token: str) -> HttpResponse:
    org = _org(code)
    opinion = _followed(org, token)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明为什么需要重新办理。"))
    else:
        run_service(
            request,
            lambda: services.opinion_reopen(
                opinion=opinion,
                token=token,
                reason=form.cleaned_data["reason"],
                today=timezone.localdate(),
            ),
            _("已申请重新办理，我们将再次答复。"),
        )
    return redirect("public_openness:follow", code=org.code, token=token)


@require_POST
def report(request: HttpRequest, code: str, opinion_id: int) -> HttpResponse:
    org = _org(code)
    opinion = Opinion.objects.filter(
        organization=org, pk=opinion_id, visibility=Visibility.PUBLISHED
    ).first()
    if opinion is None:
        raise Http404("没有找到该意见建议")
    run_service(
        request,
        lambda: services.opinion_report(opinion=opinion, device_id=device_id(request)),
        _("已收到举报，我们会尽快核实。"),
    )
    return redirect(reverse("public_openness:wall", args=[org.code]))


@never_cache
@require_GET
def photo(request: HttpRequest, token: uuid.UUID) -> FileResponse:
    """An opinion's photo: to anyone once published, otherwise only to those handling it."""
    found = Opinion.objects.filter(photo_token=token).exclude(photo="").first()
    if found is None:
        raise Http404("没有找到该照片")
    visible = found.visibility == Visibility.PUBLISHED or (
        opinions_for(request.user).filter(pk=found.pk).exists()
    )
    if not visible:
        raise Http404("没有找到该照片")
    try:
        handle = found.photo.open("rb")
    except FileNotFoundError:
        raise Http404("没有找到该照片")
    response = FileResponse(handle, content_type=found.photo_type or "image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_GET
def disclosure(request: HttpRequest, code: str, disclosure_id: int) -> HttpResponse:
    org = _org(code)
    found = selectors.public_disclosure(org, disclosure_id, timezone.localdate())
    if found is None:
        raise Http404("没有找到该公开事项")
    return render(request, "openness/public/disclosure.html", {"org": org, "disclosure": found})


@require_GET
def qr_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """The QR codes to print for the 公开栏: the organization's public page and the form for
    opinions."""
    org = _org(code)
    page_url = request.build_absolute_uri(reverse("portal:organization", args=[org.code]))
    submit_url = request.build_absolute_uri(reverse("public_openness:submit", args=[org.code]))
    context = {
        "org": org,
        "page_url": page_url,
        "submit_url": submit_url,
        "page_qr": qr_svg(page_url, scale=5),
        "submit_qr": qr_svg(submit_url, scale=5),
    }
    return render(request, "openness/public/qr.html", context)
