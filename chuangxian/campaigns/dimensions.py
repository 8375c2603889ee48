"""The two standards every campaign measures against: 五好 for organizations and 五带头 for
members. The dimension codes are stable identifiers shared by standards, targets, commitments
and appraisal schemes."""

from django.db import models


class OrgDimension(models.TextChoices):
    LEADERSHIP = "leadership", "领导班子好"
    MEMBERSHIP = "membership", "党员队伍好"
    MECHANISM = "mechanism", "工作机制好"
    PERFORMANCE = "performance", "工作业绩好"
    REPUTATION = "reputation", "群众反映好"


class MemberDimension(models.TextChoices):
    STUDY = "study", "带头学习提高"
    EXCEL = "excel", "带头争创佳绩"
    SERVE = "serve", "带头服务群众"
    DISCIPLINE = "discipline", "带头遵纪守法"
    INTEGRITY = "integrity", "带头弘扬正气"


ALL_DIMENSIONS = {**dict(OrgDimension.choices), **dict(MemberDimension.choices)}
