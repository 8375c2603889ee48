"""My ballot sheet (phone first): a member rates their branch and themselves, an administrator
rates the organizations and people below them. One sheet per rater per round."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuangxian.appraisal.access import (
    access_round_by_id,
    member_subjects_to_rate,
    own_member,
    superior_subjects_to_rate,
)
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.forms import SheetForm
from chuangxian.appraisal.models import Participation, RoundStatus
from chuangxian.appraisal.services import ballot_submit
from chuangxian.appraisal.views.common import rated_leaves, sheet_notes
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.views.http import viewer

ALREADY = "您已提交过本轮测评，每人只能提交一次"


@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, round_id: int, role: str) -> HttpResponse:
    user = viewer(request)
    round_ = access_round_by_id(user, round_id)
    member = own_member(user) if role == "member" else None
    if role == "member":
        if member is None:
            raise Http404("您的账号没有关联党员")
        subjects = member_subjects_to_rate(round_, member)
        done = Participation.objects.filter(round=round_, member=member).exists()
    elif role == "superior":
        subjects = superior_subjects_to_rate(user, round_)
        done = Participation.objects.filter(round=round_, user=user, member__isnull=True).exists()
    else:
        raise Http404("没有该评价身份")
    subject_list = list(subjects.order_by("organization__path", "peer_key", "label"))
    if not subject_list:
        raise Http404("本轮考评中没有您可评价的对象")
    context: dict[str, object] = {"round": round_, "role": role, "done": done, "already": ALREADY}
    if done or round_.status != RoundStatus.COLLECTING:
        # A second submission (another tab, a resent form) is refused, and says so.
        status = 409 if request.method == "POST" else 200
        return render(request, "appraisal/ballot.html", context, status=status)
    notes = sheet_notes(round_, subject_list, public=False)
    form = SheetForm(
        request.POST or None,
        subjects=subject_list,
        leaves=list(rated_leaves(round_)),
        notes=notes,
    )
    if request.method == "POST" and form.is_valid():
        try:
            receipt = ballot_submit(
                round_=round_,
                sheet=form.sheet(),
                rater_member=member,
                rater_user=None if member else user,
                address=client_ip(request),
            )
        except AppraisalError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已提交，共评价%(n)d个对象。评价内容不与您的姓名关联。")
                % {"n": receipt.subjects},
            )
            return redirect("appraisal:rounds")
    return render(request, "appraisal/ballot.html", context | {"form": form})
