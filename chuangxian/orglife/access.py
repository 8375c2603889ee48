"""Who may see and do what with meetings. Built on orgs.access: the same scope, the same 404.

- see a meeting: anyone whose scope covers its organization (管理员 above it, 书记/党务干部 of
  the branch or of the branch above the 党小组);
- plan, hold, record attendance and minutes, submit: 书记/党务干部 of the organization or an
  administrator above it (orgs.access.can_edit_members_of);
- approve or return: an administrator of an ancestor organization (the superior), never the
  organization itself;
- a member sees the meetings they are expected at (orglife:my) and checks in to them.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from chuangxian.orglife.models import Meeting
from chuangxian.orgs.access import can_edit_members_of, scope_for
from chuangxian.orgs.models import Organization


def meetings_for(user: Any) -> QuerySet[Meeting]:
    """Every meeting of an organization in the user's scope."""
    return Meeting.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def access_meeting_by_id(user: Any, meeting_id: int) -> Meeting:
    try:
        return meetings_for(user).select_related("organization").get(pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404("没有找到该会议")


def can_run_meetings_of(user: Any, org: Organization) -> bool:
    """May plan, hold and record meetings of `org`."""
    return can_edit_members_of(user, org)


def can_review_meetings_of(user: Any, org: Organization) -> bool:
    """Administrates an organization strictly above `org`: its superior."""
    return any(
        org.path.startswith(path) and org.path != path for path in scope_for(user).admin_paths
    )


def can_change_rules_of(user: Any, org: Organization) -> bool:
    """Cadence rules and exemptions: administrators of the organization's subtree."""
    return scope_for(user).administers(org)
