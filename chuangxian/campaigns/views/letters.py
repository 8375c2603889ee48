"""The 目标管理责任书 page with its sign buttons, the half-year self-check and the year-end
review."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.campaigns.access import (
    access_letter_by_id,
    can_work_for,
    is_first_responsible,
)
from chuangxian.campaigns.forms import ScoresForm
from chuangxian.campaigns.models import LetterStatus, ResponsibilityLetter
from chuangxian.campaigns.rollup import weighted_mean
from chuangxian.campaigns.selectors import items_under, progress_of, total_weight
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.services.letters import (
    HOLDER,
    SUPERIOR,
    letter_review,
    letter_self_check,
    letter_sign,
)
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.views.http import actor_of, viewer


def _sign_state(user: object, letter: ResponsibilityLetter, side: str) -> bool:
    """Whether this user may press the sign button for `side` now."""
    if letter.status != LetterStatus.DRAFT:
        return False
    if side == SUPERIOR:
        return (
            letter.superior_signed_at is None
            and letter.holder_signed_by_id != getattr(user, "pk", None)
            and is_first_responsible(user, letter.superior)
        )
    return (
        letter.holder_signed_at is None
        and letter.superior_signed_by_id != getattr(user, "pk", None)
        and is_first_responsible(user, letter.organization)
    )


@require_GET
def letter_page(request: HttpRequest, letter_id: int) -> HttpResponse:
    user = viewer(request)
    letter = access_letter_by_id(user, letter_id)
    under = items_under(letter.campaign, letter.organization)
    items = [i for i in under if i.letter_id == letter.pk]
    progress = progress_of(under)
    rows = [(i, round(progress[i.pk] * 100)) for i in items]
    overall = weighted_mean((i.weight, progress[i.pk]) for i in items)
    today = timezone.localdate()
    context = {
        "letter": letter,
        "campaign": letter.campaign,
        "rows": rows,
        "total_weight": total_weight(items),
        "percent": None if overall is None else round(overall * 100),
        "can_sign_superior": _sign_state(user, letter, SUPERIOR),
        "can_sign_holder": _sign_state(user, letter, HOLDER),
        "can_self_check": letter.status == LetterStatus.SIGNED
        and can_work_for(user, letter.organization)
        and letter.campaign.allows("progress", today),
        "can_review": letter.status == LetterStatus.SELF_CHECKED
        and can_work_for(user, letter.superior)
        and letter.campaign.allows("review", today),
    }
    return render(request, "campaigns/letter.html", context)


@require_POST
def letter_sign_view(request: HttpRequest, letter_id: int, side: str) -> HttpResponse:
    user = viewer(request)
    letter = access_letter_by_id(user, letter_id)
    if side not in (SUPERIOR, HOLDER):
        raise Http404("没有这个操作")
    try:
        letter = letter_sign(actor=actor_of(request), letter=letter, side=side, user=user)
    except CampaignError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if letter.status == LetterStatus.SIGNED:
            messages.success(request, _("双方均已签字，责任书已签订，目标已冻结。"))
        else:
            messages.success(request, _("已签字，等待另一方签字。"))
    return redirect(letter)


def _scores_view(request: HttpRequest, letter_id: int, *, review: bool) -> HttpResponse:
    user = viewer(request)
    letter = access_letter_by_id(user, letter_id)
    acting_for = letter.superior if review else letter.organization
    if not can_work_for(user, acting_for):
        raise Http404("没有找到该责任书")
    items = list(letter.items.order_by("deadline", "id"))
    score_field = "review_score" if review else "self_score"
    note_field = "review_note" if review else "self_note"
    initial = {}
    for item in items:
        initial[f"score_{item.pk}"] = getattr(item, score_field) or (
            item.self_score if review else None
        )
        initial[f"note_{item.pk}"] = getattr(item, note_field)
    form = ScoresForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        service = letter_review if review else letter_self_check
        try:
            service(
                actor=actor_of(request),
                letter=letter,
                scores=form.scores(),
                note=form.cleaned_data["note"],
                today=timezone.localdate(),
            )
        except CampaignError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已完成年终考核。") if review else _("已提交半年自查。"))
            return redirect(letter)
    progress = progress_of(items_under(letter.campaign, letter.organization))
    context = {
        "letter": letter,
        "campaign": letter.campaign,
        "form": form,
        "review": review,
        "percents": {i.pk: round(progress.get(i.pk, 0) * 100) for i in items},
    }
    return render(request, "campaigns/letter_scores.html", context)


@require_http_methods(["GET", "POST"])
def letter_self_check_view(request: HttpRequest, letter_id: int) -> HttpResponse:
    return _scores_view(request, letter_id, review=False)


@require_http_methods(["GET", "POST"])
def letter_review_view(request: HttpRequest, letter_id: int) -> HttpResponse:
    return _scores_view(request, letter_id, review=True)
