"""Fetching dues records for a user, through the roster's access layer: a payment is visible
with its member, and only the branch (书记, 党务干部) and administrators above may write."""

from typing import Any

from django.db.models import Q
from django.http import Http404

from chuangxian.dues.models import Payment
from chuangxian.orgs.access import (
    access_member_by_id,
    can_edit_members_of,
    members_for,
    organizations_for,
    scope_for,
)
from chuangxian.orgs.models import Member, Organization


def access_member_for_dues_edit(user: Any, member_id: int) -> Member:
    """A member whose dues settings, payments and good reasons the user may record."""
    member = access_member_by_id(user, member_id)
    if not can_edit_members_of(user, member.organization):
        raise Http404("没有找到该党员")
    return member


def access_payment_for_edit(user: Any, payment_id: int) -> Payment:
    try:
        payment = (
            Payment.objects.filter(member__in=members_for(user).values("pk"))
            .select_related("member__organization")
            .get(pk=payment_id)
        )
    except Payment.DoesNotExist:
        raise Http404("没有找到该缴费记录")
    if not can_edit_members_of(user, payment.member.organization):
        raise Http404("没有找到该缴费记录")
    return payment


def member_filter_in(user: Any, org: Organization) -> Q:
    """Members of `org`'s subtree that the user may see, as a Q on Member."""
    return scope_for(user).organization_q(prefix="organization__") & Q(
        organization__path__startswith=org.path
    )


def dues_roots(user: Any) -> list[Organization]:
    """The top organizations of the user's scope, for the staff pages' default view."""
    return list(organizations_for(user).filter(pk__in=scope_for(user).roots).order_by("path"))


def can_record_dues(user: Any, member: Member) -> bool:
    return can_edit_members_of(user, member.organization)
