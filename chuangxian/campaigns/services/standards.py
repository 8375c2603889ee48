"""五好 / 五带头 standards of a campaign: the general version from the default templates,
refined per sector, with organizations' own additions. Inherited items are never changed by
an organization: its additions are separate rows."""

from django.db import transaction
from django.db.models import Max

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.campaigns.dimensions import MemberDimension, OrgDimension
from chuangxian.campaigns.models import Campaign, CampaignStatus, StandardItem, StandardKind
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.standard_defaults import MEMBER_DEFAULTS, ORG_DEFAULTS
from chuangxian.orgs.models import Organization, Sector

DIMENSIONS: dict[str, type[OrgDimension] | type[MemberDimension]] = {
    StandardKind.ORG: OrgDimension,
    StandardKind.MEMBER: MemberDimension,
}


def standard_defaults_install(*, campaign: Campaign) -> int:
    """Copy the default templates into the campaign's general version (called on creation)."""
    rows = [
        StandardItem(
            campaign=campaign,
            kind=kind,
            dimension=dimension,
            text=text,
            measure=measure,
            position=position,
        )
        for kind, defaults in (
            (StandardKind.ORG, ORG_DEFAULTS),
            (StandardKind.MEMBER, MEMBER_DEFAULTS),
        )
        for dimension, items in defaults.items()
        for position, (text, measure) in enumerate(items, start=1)
    ]
    StandardItem.objects.bulk_create(rows)
    return len(rows)


def _open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise CampaignError("活动已结束，标准不能再修改")


def _check_text(text: str, measure: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "不能为空"
    elif len(text.strip()) > 300:
        errors["text"] = "不能超过300个字"
    if len(measure.strip()) > 200:
        errors["measure"] = "不能超过200个字"
    return errors


def _org_path(item: StandardItem) -> str:
    return item.organization.path if item.organization else item.campaign.owner.path


@transaction.atomic
def standard_sector_refine(*, actor: Actor, campaign: Campaign, sector: str) -> int:
    """Start a sector's own version as a copy of the general one, which it then replaces for
    organizations of that sector. Refuses a sector that already has its version."""
    _open(campaign)
    if sector not in Sector.values:
        raise CampaignError("应为：" + "、".join(Sector.values))
    if StandardItem.objects.filter(campaign=campaign, sector=sector).exists():
        raise CampaignError(f"{sector}领域已有细化标准")
    general = StandardItem.objects.filter(campaign=campaign, sector="", organization=None)
    rows = [
        StandardItem(
            campaign=campaign,
            kind=item.kind,
            dimension=item.dimension,
            sector=sector,
            text=item.text,
            measure=item.measure,
            position=item.position,
            refined_from=item,
        )
        for item in general
    ]
    StandardItem.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=campaign,
        object_type="standard_sector",
        object_label=f"{campaign} · {sector}领域标准",
        org_path=campaign.owner.path,
        changes={"sector": [None, sector], "items": [None, len(rows)]},
    )
    return len(rows)


@transaction.atomic
def standard_item_add(
    *,
    actor: Actor,
    campaign: Campaign,
    kind: str,
    dimension: str,
    text: str,
    measure: str = "",
    sector: str = "",
    organization: Organization | None = None,
) -> StandardItem:
    """Add a sub-item to the general version, to a sector's version (which must exist), or
    as an organization's own addition (sector ignored)."""
    _open(campaign)
    errors = _check_text(text, measure)
    if kind not in DIMENSIONS:
        errors["kind"] = "应为五好或五带头"
    elif dimension not in DIMENSIONS[kind].values:
        errors["dimension"] = "维度不属于该标准"
    if organization is not None:
        sector = ""
        if not campaign.covers(organization):
            errors["organization"] = "该组织不在本活动范围内"
    elif sector and not StandardItem.objects.filter(campaign=campaign, sector=sector).exists():
        errors["sector"] = f"{sector}领域尚未细化标准，请先细化"
    if errors:
        raise CampaignError(errors)
    layer = StandardItem.objects.filter(
        campaign=campaign, kind=kind, dimension=dimension, sector=sector, organization=organization
    )
    position = (layer.aggregate(top=Max("position"))["top"] or 0) + 1
    item = StandardItem(
        campaign=campaign,
        kind=kind,
        dimension=dimension,
        sector=sector,
        organization=organization,
        text=text.strip(),
        measure=measure.strip(),
        position=position,
    )
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=item,
        org_path=_org_path(item),
        changes={"text": [None, item.text], "measure": [None, item.measure]},
    )
    return item


@transaction.atomic
def standard_item_update(
    *, actor: Actor, item: StandardItem, text: str, measure: str
) -> StandardItem:
    """Change an item's words in its own layer (the layers that inherit it follow)."""
    _open(item.campaign)
    errors = _check_text(text, measure)
    if errors:
        raise CampaignError(errors)
    before = {"text": item.text, "measure": item.measure}
    item.text, item.measure = text.strip(), measure.strip()
    item.full_clean()
    item.save(update_fields=["text", "measure"])
    changes = {k: [v, getattr(item, k)] for k, v in before.items() if v != getattr(item, k)}
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=item,
            org_path=_org_path(item),
            changes=changes,
        )
    return item


@transaction.atomic
def standard_item_delete(*, actor: Actor, item: StandardItem) -> None:
    _open(item.campaign)
    org_path = _org_path(item)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=item,
        org_path=org_path,
        changes={"text": [item.text, None]},
    )
    item.delete()
