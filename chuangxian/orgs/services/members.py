"""Writes on the member roster. Each service validates everything first, writes atomically and
records an audit row whose before/after never shows the ID number."""

import datetime as dt

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.models import Member, MemberStatus, MemberTransfer, Organization
from chuangxian.orgs.rules import MemberValues, check_member
from chuangxian.orgs.services.errors import RosterError

SENSITIVE_FIELDS = ("id_number",)


def member_snapshot(member: Member, *, id_number_hash: str | None = None) -> dict[str, object]:
    """The audited view of a member: its fields, with the ID number reduced to its hash (so
    the trail can say it changed without ever holding it)."""
    return {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date,
        "id_number": id_number_hash if id_number_hash is not None else member.id_number_hash,
        "phone": member.phone,
        "education": member.education,
        "joined_on": member.joined_on,
        "confirmed_on": member.confirmed_on,
        "category": member.category,
        "organization": member.organization.code,
        "party_post": member.party_post,
        "work_post": member.work_post,
        "in_hardship": member.in_hardship,
        "is_mobile": member.is_mobile,
        "status": member.status,
    }


def _check(values: MemberValues, *, today: dt.date, existing: Member | None) -> None:
    errors = check_member(values, today=today)
    if "id_number" not in errors:
        clash = Member.objects.filter(id_number_hash=fieldcrypto.keyed_hash(values.id_number))
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            errors["id_number"] = "该公民身份号码已在党员库中"
    if errors:
        raise RosterError(errors)


@transaction.atomic
def member_create(
    *, actor: Actor, organization: Organization, values: MemberValues, today: dt.date
) -> Member:
    """Add a member to `organization`. Refuses invalid fields and a duplicate ID number."""
    _check(values, today=today, existing=None)
    member = Member(organization=organization, **values.as_model_fields())
    member.set_id_number(values.id_number)
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        org_path=organization.path,
        changes=diff_fields({}, member_snapshot(member), masked=SENSITIVE_FIELDS),
    )
    return member


@transaction.atomic
def member_update(*, actor: Actor, member: Member, values: MemberValues, today: dt.date) -> Member:
    """Change a member's own fields (not the organization: see member_transfer)."""
    _check(values, today=today, existing=member)
    before = member_snapshot(member)
    for name, value in values.as_model_fields().items():
        setattr(member, name, value)
    if fieldcrypto.keyed_hash(values.id_number) != member.id_number_hash:
        member.set_id_number(values.id_number)
    member.full_clean()
    member.save()
    changes = diff_fields(before, member_snapshot(member), masked=SENSITIVE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=member,
            org_path=member.organization.path,
            changes=changes,
        )
    return member


@transaction.atomic
def member_transfer(
    *,
    actor: Actor,
    member: Member,
    on: dt.date,
    to_organization: Organization | None = None,
    destination_text: str = "",
    reason: str = "",
    today: dt.date,
) -> MemberTransfer:
    """组织关系转接: move the member to another organization kept here, or record them as
    转出 to one outside the system. The history row keeps where they came from."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise RosterError(f"该党员当前状态为“{member.status}”，不能办理转接")
    if on > today:
        raise RosterError({"transferred_on": "转接日期不能晚于今天"})
    if to_organization is None and not destination_text.strip():
        raise RosterError({"to_organization": "请选择转入组织，或填写转往的系统外组织"})
    if to_organization is not None and to_organization.pk == member.organization_id:
        raise RosterError({"to_organization": "转入组织与当前组织相同"})
    source = member.organization
    transfer = MemberTransfer.objects.create(
        member=member,
        from_organization=source,
        to_organization=to_organization,
        destination_text=destination_text.strip()[:200],
        transferred_on=on,
        reason=reason.strip()[:200],
        recorded_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    if to_organization is not None:
        member.organization = to_organization
        change = {"organization": [source.code, to_organization.code]}
    else:
        member.status = MemberStatus.TRANSFERRED_OUT
        change = {"status": [MemberStatus.ACTIVE, MemberStatus.TRANSFERRED_OUT]}
        change["destination"] = ["", transfer.destination_text]
    member.save(update_fields=["organization", "status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TRANSFER,
        obj=member,
        org_path=source.path,
        changes=change,
        reason=reason,
    )
    if to_organization is not None:
        # The receiving side sees the arrival in its own part of the trail.
        audit_record(
            actor=actor,
            action=AuditAction.TRANSFER,
            obj=member,
            org_path=to_organization.path,
            changes=change,
            reason=reason,
        )
    return transfer
