"""Who may see and do what with cases and demonstration points. Built on orgs.access.

- a case of an organization in the viewer's scope: every status (its drafts for the branch,
  the submitted ones for the superior who reviews them);
- a published case: every logged-in user, whatever organization it came from (that is the
  point of publishing it); a case published to the public also anyone on /public/cases/;
- submitting and editing: who works in the case's organization;
- reviewing and publishing: a 管理员 of an organization strictly above it;
- recording an adoption: who works in another organization, in that organization's name.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.cases.models import Case, CaseStatus, DemoPoint, Visibility
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.models import Organization, OrgKind, User


def cases_for(user: User) -> QuerySet[Case]:
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__") | Q(status=CaseStatus.PUBLISHED)
    return Case.objects.filter(condition)


def public_cases() -> QuerySet[Case]:
    return Case.objects.filter(status=CaseStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def access_case_by_id(user: User, case_id: int) -> Case:
    try:
        return cases_for(user).select_related("organization").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404("没有找到该案例")


def can_edit(user: User, case: Case) -> bool:
    return scope_for(user).works_in(case.organization)


def is_superior_of(user: User, org: Organization) -> bool:
    return any(
        org.path.startswith(path) and org.path != path for path in scope_for(user).admin_paths
    )


def can_review(user: User, case: Case) -> bool:
    return is_superior_of(user, case.organization)


def adopting_organizations(user: User, case: Case) -> QuerySet[Organization]:
    """The organizations in whose name the viewer may record that they adopted `case`."""
    return (
        organizations_for(user)
        .exclude(pk=case.organization_id)
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
    )


def demo_points_for(user: User) -> QuerySet[DemoPoint]:
    scope = scope_for(user)
    return DemoPoint.objects.filter(scope.organization_q(prefix="organization__") | Q(public=True))
