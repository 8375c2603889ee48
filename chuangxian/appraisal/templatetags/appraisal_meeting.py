"""The 民主评议 round a meeting is held for, on orglife's meeting page (one event, one record).

A template tag rather than an import in orglife's view: orglife sits below appraisal and does
not import it; its meeting page only loads this tag library."""

from typing import Any

from django import template

from chuangxian.appraisal.access import rounds_for
from chuangxian.appraisal.models import RoundMeeting
from chuangxian.appraisal.selectors import meeting_participation

register = template.Library()


@register.inclusion_tag("appraisal/_meeting_round.html", takes_context=True)
def meeting_appraisal(context: Any, meeting: Any) -> dict[str, Any]:
    """The linked rounds the viewer may open, with the branch's participation."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links = RoundMeeting.objects.filter(
        meeting=meeting, round__in=rounds_for(user).values("pk")
    ).select_related("round")
    return {"lines": meeting_participation(list(links))}
