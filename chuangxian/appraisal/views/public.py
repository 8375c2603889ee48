"""The public ballot (群众评价): no account, phone first, reached through a one-time QR token.

The token in the URL is looked up by its keyed hash; a used token, a token of a round no longer
collecting and an unknown token each get a plain Chinese page, never a stack trace."""

import functools
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.appraisal import intake
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.forms import SheetForm
from chuangxian.appraisal.models import IssuedToken, RoundStatus, RoundSubject, UsedToken
from chuangxian.appraisal.services import ballot_submit
from chuangxian.appraisal.services.ballots import token_hash
from chuangxian.appraisal.views.common import rated_leaves, sheet_notes
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.forms.service_errors import add_service_errors

TEMPLATE = "appraisal/public/ballot.html"


# No CSRF check: the page acts on nobody's behalf. It uses no session, login or cookie — the
# one-time token in the address is the whole credential, and whoever holds it can post the
# sheet directly — so a forged cross-site post could do nothing its author could not do alone.
# (The burst limit per address and the one-use token still apply.)
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and _fast_accept(request, token):
        return HttpResponseRedirect(_thanks_url(get_script_prefix()))
    hashed = token_hash(token)
    issued = (
        IssuedToken.objects.select_related("batch__round__scheme", "batch__organization")
        .filter(token_hash=hashed)
        .first()
    )
    if issued is None:
        return render(request, TEMPLATE, {"problem": "二维码无效，请向发放人核实"}, status=404)
    batch = issued.batch
    round_ = batch.round
    context: dict[str, object] = {"round": round_, "batch": batch}
    if UsedToken.objects.filter(token_hash=hashed).exists():
        return render(request, TEMPLATE, context | {"problem": "该二维码已使用过"}, status=409)
    if round_.status != RoundStatus.COLLECTING:
        return render(request, TEMPLATE, context | {"problem": "本轮考评不在测评期间"}, status=409)
    subjects = list(
        RoundSubject.objects.filter(
            round=round_, organization__path__startswith=batch.organization.path
        ).order_by("organization__path", "peer_key", "label")
    )
    notes = sheet_notes(round_, subjects, public=True)
    form = SheetForm(
        request.POST or None, subjects=subjects, leaves=list(rated_leaves(round_)), notes=notes
    )
    if request.method == "POST" and form.is_valid():
        try:
            ballot_submit(
                round_=round_, sheet=form.sheet(), token=token, address=client_ip(request)
            )
        except AppraisalError as error:
            add_service_errors(form, error)
        else:
            return redirect("public_appraisal:thanks")
    return render(request, TEMPLATE, context | {"form": form, "batch_id": batch.pk})


@functools.lru_cache(maxsize=8)
def _thanks_url(script_prefix: str) -> str:
    """The thanks page's address under the prefix the site is served at (reverse reads the
    prefix of the current request; resolved once per prefix, not per ballot)."""
    return reverse("public_appraisal:thanks")


def _fast_accept(request: HttpRequest, token: str) -> bool:
    """The fast path (intake.py): a complete, valid sheet posted with the batch id its form was
    rendered for is accepted with one statement. Anything else — no or a wrong batch id, a
    missing or invalid answer, a refusal (used token, round not collecting, rate limit) —
    returns False and the ordinary path below renders the form or the reason."""
    posted = _posted(request)
    hint = posted.get("batch", "")
    if not (hint.isascii() and hint.isdigit() and len(hint) <= 18):  # "²" is a digit too
        return False
    info = intake.batch_info(int(hint))
    if info is None:
        return False
    scores = intake.sheet_scores(info, posted)
    if scores is None:
        return False
    try:
        intake.public_accept(info, token, scores, client_ip(request))
    except AppraisalError:
        return False
    return True


def _posted(request: HttpRequest) -> Mapping[str, str]:
    """The posted fields. The sheet the page posts is plain ASCII (field names and choice
    codes, schemes.choice_codes), read here with one split; anything else — percent-escapes,
    another encoding, too many fields — goes through Django's parser (request.POST), which
    also enforces the upload limits."""
    body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
    if (
        request.content_type != "application/x-www-form-urlencoded"
        or b"%" in body
        or b"+" in body
        or not body.isascii()
        or body.count(b"&") >= (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 1_000_000)
    ):
        return request.POST
    fields: dict[str, str] = {}
    for pair in body.decode("ascii").split("&"):
        if pair:
            name, _, value = pair.partition("=")
            fields[name] = value
    return fields


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "appraisal/public/thanks.html")
