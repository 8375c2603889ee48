"""Who may see and do what in support (帮扶与保障). Built on chuangxian.orgs.access.

- the organization's own staff (书记/党务干部 of it, 管理员 over it): see its plan, hardships,
  pairings, funds and checklists; record measures done, visits, care visits, spending;
- a superior (管理员 of an organization strictly above it): also marks it lagging, opens and
  starts its plan, reviews and closes it (整顿验收), allocates funds to it.

Hardship details are sensitive: they are read only through `hardships_for`, which keeps the
branch and its superiors and nobody else (not the member's fellow members).
"""

from django.db.models import QuerySet
from django.http import Http404

from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Organization, User
from chuangxian.support.models import Allocation, Hardship, Pairing, Spending, SupportPlan


def is_superior_of(user: User, org: Organization) -> bool:
    """管理员 of an organization strictly above `org`."""
    return any(
        org.path.startswith(path) and org.path != path for path in scope_for(user).admin_paths
    )


def works_in(user: User, org: Organization) -> bool:
    return scope_for(user).works_in(org)


def plans_for(user: User) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def access_plan_by_id(user: User, plan_id: int) -> SupportPlan:
    try:
        return plans_for(user).select_related("organization").get(pk=plan_id)
    except SupportPlan.DoesNotExist:
        raise Http404("没有找到该帮扶计划")


def hardships_for(user: User) -> QuerySet[Hardship]:
    return Hardship.objects.filter(scope_for(user).organization_q(prefix="member__organization__"))


def access_hardship_by_id(user: User, hardship_id: int) -> Hardship:
    try:
        return hardships_for(user).select_related("member__organization").get(pk=hardship_id)
    except Hardship.DoesNotExist:
        raise Http404("没有找到该困难党员记录")


def pairings_for(user: User) -> QuerySet[Pairing]:
    """Pairings with either side in scope: each is listed on both sides."""
    scope = scope_for(user)
    return Pairing.objects.filter(
        scope.organization_q(prefix="first__") | scope.organization_q(prefix="second__")
    )


def access_pairing_by_id(user: User, pairing_id: int) -> Pairing:
    try:
        return pairings_for(user).select_related("first", "second").get(pk=pairing_id)
    except Pairing.DoesNotExist:
        raise Http404("没有找到该结对记录")


def allocations_for(user: User) -> QuerySet[Allocation]:
    return Allocation.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def access_allocation_by_id(user: User, allocation_id: int) -> Allocation:
    try:
        return allocations_for(user).select_related("organization").get(pk=allocation_id)
    except Allocation.DoesNotExist:
        raise Http404("没有找到该经费")


def access_spending_by_token(user: User, token: str) -> Spending:
    try:
        return Spending.objects.select_related("allocation__organization").get(
            token=token,
            allocation__in=allocations_for(user),
        )
    except (Spending.DoesNotExist, ValueError):
        raise Http404("没有找到该票据")
