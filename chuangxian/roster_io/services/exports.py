"""roster_export: a subtree written in the import template's format, audited."""

from typing import Any

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import Organization
from chuangxian.roster_io.selectors import (
    member_export_rows,
    org_export_rows,
    subtree_members,
    subtree_organizations,
)
from chuangxian.roster_io.workbook import roster_workbook


def roster_export(*, actor: Actor, user: Any, org: Organization) -> bytes:
    """The .xlsx of `org` and everything below it that `user` may see (`None`: the system).

    The caller has already fetched `org` through the access layer. Importing the result back
    changes nothing. One audit row records who exported what."""
    orgs = subtree_organizations(user, org)
    members = subtree_members(user, org)
    content = roster_workbook(org_export_rows(orgs), member_export_rows(user, members))
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=org,
        org_path=org.path,
        changes={"organizations": [None, orgs.count()], "members": [None, members.count()]},
        reason="花名册导出",
    )
    return content
