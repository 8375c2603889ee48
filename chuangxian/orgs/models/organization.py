"""党组织: a node of the organization tree, kept as a materialized path."""

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COMMITTEE = "党委", _("党委")
    WORKING_COMMITTEE = "党工委", _("党工委")
    GENERAL_BRANCH = "党总支", _("党总支")
    BRANCH = "党支部", _("党支部")
    JOINT_BRANCH = "联合党支部", _("联合党支部")
    GROUP = "党小组", _("党小组")


BRANCH_KINDS = frozenset({OrgKind.BRANCH, OrgKind.JOINT_BRANCH})

# Which kinds may sit directly under which: a 党小组 only under a 党支部, nothing under a 党小组.
ALLOWED_CHILD_KINDS: dict[str, frozenset[str]] = {
    OrgKind.COMMITTEE: frozenset(
        {
            OrgKind.COMMITTEE,
            OrgKind.WORKING_COMMITTEE,
            OrgKind.GENERAL_BRANCH,
            OrgKind.BRANCH,
            OrgKind.JOINT_BRANCH,
        }
    ),
    OrgKind.WORKING_COMMITTEE: frozenset(
        {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.JOINT_BRANCH}
    ),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.BRANCH, OrgKind.JOINT_BRANCH}),
    OrgKind.BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.JOINT_BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.GROUP: frozenset(),
}


class Sector(models.TextChoices):
    RURAL = "农村", _("农村")
    COMMUNITY = "社区", _("社区")
    ORGAN = "机关", _("机关")
    PUBLIC_INSTITUTION = "事业单位", _("事业单位")
    STATE_ENTERPRISE = "国有企业", _("国有企业")
    PRIVATE_ENTERPRISE = "非公企业", _("非公企业")
    SOCIAL_ORGANIZATION = "社会组织", _("社会组织")
    SCHOOL = "学校", _("学校")
    HOSPITAL = "医院", _("医院")
    OTHER = "其他", _("其他")


# 中国共产党支部工作条例: village and community branches serve 5-year terms, the others 3.
FIVE_YEAR_TERM_SECTORS = frozenset({Sector.RURAL, Sector.COMMUNITY})
TERM_ALERT_DAYS = 90


class TermStatus(models.TextChoices):
    UNKNOWN = "unknown", _("未录入届期")
    CURRENT = "current", _("在届")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已超期未换届")


class Organization(models.Model):
    code = models.CharField(_("组织编码"), max_length=32, unique=True)
    name = models.CharField(_("组织名称"), max_length=100)
    kind = models.CharField(_("组织类别"), max_length=10, choices=OrgKind.choices)
    sector = models.CharField(_("所属领域"), max_length=10, choices=Sector.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<id>/<id>/…/": the ids from the root down to this node, each followed by a slash, so
    # a subtree is one prefix query on an index (varchar_pattern_ops on PostgreSQL).
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_started_on = models.DateField(_("本届开始日期"), null=True, blank=True)
    term_ends_on = models.DateField(_("本届届满日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:organization", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS

    def default_term_years(self) -> int:
        return 5 if self.sector in FIVE_YEAR_TERM_SECTORS else 3

    def term_status(self, today: dt.date | None = None) -> TermStatus:
        if self.term_ends_on is None:
            return TermStatus.UNKNOWN
        today = today or timezone.localdate()
        if self.term_ends_on < today:
            return TermStatus.OVERDUE
        if (self.term_ends_on - today).days <= TERM_ALERT_DAYS:
            return TermStatus.DUE_SOON
        return TermStatus.CURRENT
