"""Study plans: per campaign cycle and organization, with month-by-month items."""

from decimal import Decimal

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.campaigns.models import Campaign
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import Course, StudyPlan, StudyPlanItem
from chuangxian.learning.rules import HoursError, check_hours
from chuangxian.orgs.models import Organization


def campaigns_covering(org: Organization) -> list[Campaign]:
    """Campaign cycles whose owner is the organization or one of its ancestors."""
    ids = [*org.ancestor_ids, org.pk]
    return list(Campaign.objects.filter(owner_id__in=ids).order_by("-year", "-starts_on"))


@transaction.atomic
def plan_create(
    *, actor: Actor, organization: Organization, campaign: Campaign, title: str, note: str
) -> StudyPlan:
    """One plan per organization and campaign cycle; the cycle must cover the organization."""
    if campaign.owner_id not in {*organization.ancestor_ids, organization.pk}:
        raise LearningError({"campaign": "该活动不覆盖本组织"})
    if not title.strip():
        raise LearningError({"title": "请填写计划名称"})
    if StudyPlan.objects.filter(campaign=campaign, organization=organization).exists():
        raise LearningError({"campaign": "本组织在该活动周期已有学习计划"})
    plan = StudyPlan(
        campaign=campaign,
        organization=organization,
        title=title.strip(),
        note=note.strip(),
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        org_path=organization.path,
        changes={"campaign": [None, str(campaign)], "title": [None, plan.title]},
    )
    return plan


@transaction.atomic
def plan_item_add(
    *,
    actor: Actor,
    plan: StudyPlan,
    month: int,
    topic: str,
    materials: str,
    hours: Decimal | None,
    course: Course | None,
) -> StudyPlanItem:
    errors: dict[str, str] = {}
    if not 1 <= month <= 12:
        errors["month"] = "月份应为1到12"
    if not topic.strip():
        errors["topic"] = "请填写学习专题"
    if hours is not None:
        try:
            hours = check_hours(hours)
        except HoursError as error:
            errors["hours"] = str(error)
    if course is not None and not plan.organization.path.startswith(course.organization.path):
        errors["course"] = "只能选择本组织或上级组织开设的课程"
    if errors:
        raise LearningError(errors)
    item = StudyPlanItem.objects.create(
        plan=plan,
        month=month,
        topic=topic.strip(),
        materials=materials.strip(),
        hours=hours,
        course=course,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        org_path=plan.organization.path,
        changes={"item": [None, f"{month}月 {item.topic}"]},
    )
    return item


@transaction.atomic
def plan_item_remove(*, actor: Actor, item: StudyPlanItem) -> None:
    plan = item.plan
    label = str(item)
    item.delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        org_path=plan.organization.path,
        changes={"item": [label, None]},
    )
