"""Campaign cycles: create, edit, and the status machine draft → active → closed."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.campaigns.models import PHASE_ORDER, Campaign, CampaignStatus, Phase, PhaseKind
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.services.standards import standard_defaults_install
from chuangxian.orgs.models import Organization

PHASE_LABELS = dict(PhaseKind.choices)


@dataclass
class CampaignValues:
    name: str
    year: int
    starts_on: dt.date
    ends_on: dt.date
    commitment_deadline: dt.date | None = None
    description: str = ""
    # kind → (starts_on, ends_on), for each of the four phases
    phases: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)


def check_campaign(values: CampaignValues) -> dict[str, str]:
    """{field: message} for every problem: the campaign's own dates, and the four phases
    inside the campaign, each in order, none overlapping the next."""
    errors: dict[str, str] = {}
    values.name = values.name.strip()
    if not values.name:
        errors["name"] = "不能为空"
    if not 2000 <= values.year <= 2100:
        errors["year"] = "年度应在2000至2100之间"
    if values.ends_on <= values.starts_on:
        errors["ends_on"] = "结束日期应晚于开始日期"
        return errors
    deadline = values.commitment_deadline
    if deadline is not None and not values.starts_on <= deadline <= values.ends_on:
        errors["commitment_deadline"] = "承诺截止日期应在活动期间内"
    previous_end: dt.date | None = None
    previous_label = ""
    for kind in PHASE_ORDER:
        label = str(PHASE_LABELS[kind])
        if kind not in values.phases:
            errors[f"{kind}_starts_on"] = f"请填写“{label}”阶段的日期"
            continue
        start, end = values.phases[kind]
        if end < start:
            errors[f"{kind}_ends_on"] = f"“{label}”阶段的结束日期不能早于开始日期"
        elif start < values.starts_on or end > values.ends_on:
            errors[f"{kind}_starts_on"] = f"“{label}”阶段应在活动起止日期之内"
        elif previous_end is not None and start <= previous_end:
            errors[f"{kind}_starts_on"] = f"“{label}”阶段应在“{previous_label}”阶段结束之后开始"
        previous_end, previous_label = end, label
    return errors


def _snapshot(campaign: Campaign) -> dict[str, object]:
    fields = ("name", "year", "starts_on", "ends_on", "commitment_deadline", "description")
    snapshot: dict[str, object] = {name: getattr(campaign, name) for name in fields}
    for phase in campaign.phases.all():
        snapshot[f"phase_{phase.kind}"] = f"{phase.starts_on}~{phase.ends_on}"
    return snapshot


def _write_phases(campaign: Campaign, phases: dict[str, tuple[dt.date, dt.date]]) -> None:
    campaign.phases.all().delete()
    Phase.objects.bulk_create(
        Phase(campaign=campaign, kind=kind, starts_on=start, ends_on=end)
        for kind, (start, end) in phases.items()
    )


@transaction.atomic
def campaign_create(*, actor: Actor, owner: Organization, values: CampaignValues) -> Campaign:
    """A draft campaign owned by `owner` with its four phases, starting from the default
    五好 / 五带头 standards. Refuses invalid dates, all reported at once."""
    errors = check_campaign(values)
    if errors:
        raise CampaignError(errors)
    campaign = Campaign(
        owner=owner,
        name=values.name,
        year=values.year,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        commitment_deadline=values.commitment_deadline,
        description=values.description,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    campaign.full_clean()
    campaign.save()
    _write_phases(campaign, values.phases)
    standard_defaults_install(campaign=campaign)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=campaign,
        org_path=owner.path,
        changes=diff_fields({}, _snapshot(campaign)),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: Campaign, values: CampaignValues) -> Campaign:
    """Change the name, dates and phases. A closed campaign is history and stays as it is."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise CampaignError("活动已结束，不能再修改")
    errors = check_campaign(values)
    if errors:
        raise CampaignError(errors)
    before = _snapshot(campaign)
    for name in ("name", "year", "starts_on", "ends_on", "commitment_deadline", "description"):
        setattr(campaign, name, getattr(values, name))
    campaign.full_clean()
    campaign.save()
    _write_phases(campaign, values.phases)
    changes = diff_fields(before, _snapshot(campaign))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=campaign,
            org_path=campaign.owner.path,
            changes=changes,
        )
    return campaign


def _transition(
    *, actor: Actor, campaign: Campaign, source: str, target: str, refusal: str, reason: str
) -> Campaign:
    campaign = (
        Campaign.objects.select_for_update(of=("self",)).select_related("owner").get(pk=campaign.pk)
    )
    if campaign.status != source:
        raise CampaignError(refusal.format(status=campaign.get_status_display()))
    campaign.status = target
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=campaign,
        org_path=campaign.owner.path,
        changes={"status": [source, target]},
        reason=reason,
    )
    return campaign


@transaction.atomic
def campaign_activate(*, actor: Actor, campaign: Campaign) -> Campaign:
    """筹备中 → 进行中: from then on the phases decide what may be done."""
    return _transition(
        actor=actor,
        campaign=campaign,
        source=CampaignStatus.DRAFT,
        target=CampaignStatus.ACTIVE,
        refusal="只有筹备中的活动才能启动（当前：{status}）",
        reason="启动活动",
    )


@transaction.atomic
def campaign_close(*, actor: Actor, campaign: Campaign) -> Campaign:
    """进行中 → 已结束: nothing is open any more."""
    return _transition(
        actor=actor,
        campaign=campaign,
        source=CampaignStatus.ACTIVE,
        target=CampaignStatus.CLOSED,
        refusal="只有进行中的活动才能结束（当前：{status}）",
        reason="结束活动",
    )
