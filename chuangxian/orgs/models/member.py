"""党员: the roster record, with the 公民身份号码 encrypted at rest."""

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chuangxian.orgs import fieldcrypto, idnumber


class Gender(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class Education(models.TextChoices):
    DOCTORATE = "博士研究生", _("博士研究生")
    MASTER = "硕士研究生", _("硕士研究生")
    BACHELOR = "大学本科", _("大学本科")
    JUNIOR_COLLEGE = "大学专科", _("大学专科")
    SECONDARY_VOCATIONAL = "中等专科", _("中等专科")
    HIGH_SCHOOL = "高中", _("高中")
    JUNIOR_HIGH = "初中", _("初中")
    PRIMARY = "小学及以下", _("小学及以下")


class MemberCategory(models.TextChoices):
    FULL = "正式党员", _("正式党员")
    PROBATIONARY = "预备党员", _("预备党员")


class MemberStatus(models.TextChoices):
    ACTIVE = "在册", _("在册")
    TRANSFERRED_OUT = "已转出", _("已转出")
    SUSPENDED = "停止党籍", _("停止党籍")
    LEFT = "出党", _("出党")
    DECEASED = "去世", _("去世")


class Member(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=10)
    birth_date = models.DateField(_("出生日期"))
    # The number itself is only ever stored encrypted; the keyed hash keeps it unique and
    # lets an import find the member again without decrypting the roster. Unique through a
    # constraint (Meta) rather than unique=True, which on PostgreSQL would add a second,
    # pattern-matching index nobody uses (a hash is never searched by prefix) that every
    # insert has to keep up.
    id_number_ciphertext = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, blank=True)
    joined_on = models.DateField(_("入党日期"))
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    category = models.CharField(_("人员类别"), max_length=4, choices=MemberCategory.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,
    )
    party_post = models.CharField(_("党内职务"), max_length=50, blank=True)
    work_post = models.CharField(_("工作单位及职务"), max_length=100, blank=True)
    in_hardship = models.BooleanField(_("困难党员"), default=False)
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    status = models.CharField(
        "党籍状态", max_length=4, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [
            # Serves the organization's paged roster and every look-up by organization, so the
            # foreign key needs no index of its own (fewer indexes make imports faster).
            models.Index(fields=["organization", "status", "name"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="orgs_member_id_number_hash")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:member", args=[self.pk])

    @property
    def id_number(self) -> str:
        """The plaintext number. Views must go through the access layer, which masks it for
        roles not allowed to see it and audits every unmasked view."""
        return fieldcrypto.decrypt(self.id_number_ciphertext)

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number)

    def set_id_number(self, number: str) -> None:
        """Store an already validated, normalized number."""
        self.id_number_ciphertext = fieldcrypto.encrypt(number)
        self.id_number_hash = fieldcrypto.keyed_hash(number)

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class MemberTransfer(models.Model):
    """组织关系转接: one row each time a member moves, so the history of where they were stays."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("转出组织")
    )
    to_organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转入组织"),
    )
    # Filled when the member leaves the system (转出 to an organization not kept here).
    destination_text = models.CharField(_("转往"), max_length=200, blank=True)
    transferred_on = models.DateField(_("转接日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "orgs.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-transferred_on", "-id"]
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")

    def __str__(self) -> str:
        return f"{self.member} {self.transferred_on}"
