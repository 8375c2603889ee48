"""考评: schemes (indicator trees), rounds, secret ballots, running tallies and results.

Secrecy is a property of the schema, not of the views: who took part (`Participation`,
`UsedToken`) and what was chosen share no column that could join them. While a round collects,
accepted sheets wait in the ballot box (`BoxedSheet`) only until the next fold, which adds
them to the tallies and to the archive — `BallotSheet` (random key and kind, nothing else) and
`BallotCount` (marks counted per subject, leaf and group: no per-sheet scores) — and deletes
them from the box.
See docs/appraisal.md for the design and its stated limits.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectType(models.TextChoices):
    ORGANIZATION = "organization", _("党组织")
    MEMBER = "member", _("党员")
    SECRETARY = "secretary", _("书记述职")


class RaterGroup(models.TextChoices):
    SELF = "self", _("本人自评")
    MEMBERS = "members", _("党员互评")
    SUPERIOR = "superior", _("上级评价")
    PUBLIC = "public", _("群众评价")


# The fixed order of groups everywhere (tallies, formulas, explanation, benchmark reference):
# the composite is summed in this order so every engine computes the same float.
GROUP_ORDER: tuple[str, ...] = ("self", "members", "superior", "public")


class LeafKind(models.TextChoices):
    RATED = "rated", _("评分")
    AUTOMATIC = "automatic", _("自动计算")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class ThinRule(models.TextChoices):
    """What closing does when a rater group has fewer sheets than its minimum for a subject."""

    DROP = "drop", _("不足最少份数的评价主体不计入，权重按比例分给其他主体")
    REFUSE = "refuse", _("任一评价主体不足最少份数时不能结算")


class Scheme(models.Model):
    """A scheme: the indicator tree, rater-group weights, grades, quota and tiers."""

    code = models.CharField("方案编码", max_length=40, unique=True)
    name = models.CharField("方案名称", max_length=100)
    subject_type = models.CharField("考评对象", max_length=12, choices=SubjectType.choices)
    # Blank: every sector; otherwise a variant for one sector (分类指导).
    sector = models.CharField("适用领域", max_length=10, blank=True)
    description = models.TextField("说明", blank=True)
    trim_enabled = models.BooleanField("去掉一个最高分和一个最低分", default=True)
    trim_min_count = models.PositiveSmallIntegerField("去极值的最少评价数", default=5)
    # [{"name": "优秀", "min": 90, "quota": true}, {"name": "合格", "min": 70}, …], highest first.
    grades = models.JSONField("等次及分数线", default=list)
    # The same for 预备党员 (member schemes); empty means "use `grades`".
    probationary_grades = models.JSONField("预备党员等次及分数线", default=list, blank=True)
    quota_numerator = models.PositiveSmallIntegerField("名额比例分子", default=1)
    quota_denominator = models.PositiveSmallIntegerField("名额比例分母", default=3)
    # [{"name": "五星", "share": 10}, {"name": "四星", "share": 40}, …]; the last takes the rest.
    tiers = models.JSONField("星级档次", default=list, blank=True)
    veto_grade = models.CharField("一票否决定等", max_length=10, blank=True)
    inactivity_metric = models.CharField("全年无活动判定指标", max_length=60, blank=True)
    inactivity_grade = models.CharField("全年无活动定等", max_length=10, blank=True)
    thin_rule = models.CharField(
        "评价数不足时", max_length=8, choices=ThinRule.choices, default=ThinRule.DROP
    )
    # The organization whose administrators maintain the scheme; None for the shipped ones
    # (read-only: they are copied, never edited).
    owner = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="维护组织",
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"

    def __str__(self) -> str:
        return self.name


class RaterGroupRule(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="group_rules")
    group = models.CharField("评价主体", max_length=10, choices=RaterGroup.choices)
    weight = models.PositiveSmallIntegerField("权重")
    min_count = models.PositiveSmallIntegerField("最少评价数", default=1)

    class Meta:
        ordering = ["scheme", "group"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "group"], name="appraisal_group_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.weight}"


class Indicator(models.Model):
    """A node of the indicator tree. Leaves are rated on `scale` or computed from `metric`."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField("指标编码", max_length=40)
    name = models.CharField("指标名称", max_length=100)
    weight = models.PositiveSmallIntegerField("权重")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField("计分方式", max_length=10, choices=LeafKind.choices, blank=True)
    # {"kind": "points", "min": 0, "max": 100} or
    # {"kind": "choices", "choices": [["优秀", 100], ["合格", 80], …]}
    scale = models.JSONField("评分标准", default=dict, blank=True)
    metric = models.CharField("数据指标", max_length=60, blank=True)
    metric_floor = models.FloatField("零分值", null=True, blank=True)
    metric_target = models.FloatField("满分值", null=True, blank=True)
    # How the metric's value becomes points: {} or {"kind": "linear"} (floor → 0, target →
    # 100, clamped) or {"kind": "thresholds", "steps": [[0.9, 100], [0.75, 80], …]} (the
    # points of the first step the value reaches, best first; 0 below the last).
    metric_rule = models.JSONField("计分规则", default=dict, blank=True)
    direction = models.CharField(
        "方向", max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    # Product of the weights from the root down, as a share of 1: filled by scheme_create.
    effective_weight = models.FloatField(default=0.0, editable=False)

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="appraisal_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return bool(self.kind)


class RoundStatus(models.TextChoices):
    OPEN = "open", _("已创建")
    COLLECTING = "collecting", _("测评中")
    CLOSED = "closed", _("已结算")
    REVIEWED = "reviewed", _("已审核")
    PUBLISHED = "published", _("已公布")


class Round(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织范围"
    )
    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    # Each close writes results under `version`; publishing freezes that version; reopening
    # moves on to the next one, so a published snapshot is never rewritten.
    version = models.PositiveIntegerField(default=1)
    published_version = models.PositiveIntegerField(null=True, blank=True)
    # When the automatic figures were last read from the records (round_figures_refresh).
    figures_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = "考评轮次"
        verbose_name_plural = "考评轮次"

    def __str__(self) -> str:
        return self.name


class RoundSubject(models.Model):
    """Who is appraised in a round, with the peer group they are ranked in."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(max_length=12, choices=SubjectType.choices)
    member = models.ForeignKey(
        "orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # The member's or the organization's own id: the last tie-breaker, stable across rounds.
    stable_ref = models.BigIntegerField()
    peer_key = models.IntegerField()
    peer_label = models.CharField(max_length=150)
    # 0: the scheme's grades; 1: probationary_grades (预备党员).
    scale = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=120)

    class Meta:
        ordering = ["round", "peer_key", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind", "stable_ref"], name="appraisal_subject_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


class DirectGrade(models.Model):
    """一票否决 or another direct-grade rule applied to one subject (reason required)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    subject = models.OneToOneField(RoundSubject, on_delete=models.CASCADE, related_name="direct")
    rule = models.CharField(max_length=20)  # "veto" or "inactivity"
    grade = models.CharField(max_length=10)
    reason = models.CharField(max_length=500)

    def __str__(self) -> str:
        return f"{self.subject} {self.grade}"


class Tally(models.Model):
    """Running aggregates per (round, subject, leaf), kept up to date in the same transaction
    as each ballot: enough for a mean with one highest and one lowest dropped, so closing reads
    one small row per subject and leaf instead of every rating."""

    pk = models.CompositePrimaryKey("round", "subject", "indicator")
    # The primary key leads with the round: no separate index.
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_index=False)
    subject = models.ForeignKey(
        RoundSubject, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Copied from the subject so closing needs no join.
    peer_key = models.IntegerField()
    stable_ref = models.BigIntegerField()
    scale = models.PositiveSmallIntegerField(default=0)
    n_self = models.IntegerField(default=0)
    sum_self = models.FloatField(default=0.0)
    min_self = models.FloatField(null=True)
    max_self = models.FloatField(null=True)
    n_members = models.IntegerField(default=0)
    sum_members = models.FloatField(default=0.0)
    min_members = models.FloatField(null=True)
    max_members = models.FloatField(null=True)
    n_superior = models.IntegerField(default=0)
    sum_superior = models.FloatField(default=0.0)
    min_superior = models.FloatField(null=True)
    max_superior = models.FloatField(null=True)
    n_public = models.IntegerField(default=0)
    sum_public = models.FloatField(default=0.0)
    min_public = models.FloatField(null=True)
    max_public = models.FloatField(null=True)
    # Automatic leaves: the metric's points, written at close.
    auto_value = models.FloatField(null=True)
    auto_points = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"{self.subject_id}/{self.indicator_id}"


class Standing(models.Model):
    """Per (round, subject): the composite and the tie keys computed from the subject's tallies
    with the same SQL expression closing used to evaluate (closing.subjects_sql), kept up to
    date by folding for the subjects a batch of sheets touched. Closing a scheme without
    automatic leaves then only ranks and inserts (with automatic leaves, filled at close, it
    computes the composites from the tallies as before). The peer group's size is fixed at
    enrolment and stored here too."""

    pk = models.CompositePrimaryKey("round", "subject")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_index=False)
    subject = models.ForeignKey(
        RoundSubject, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    peer_key = models.IntegerField()
    peer_size = models.PositiveIntegerField()
    stable_ref = models.BigIntegerField()
    scale = models.PositiveSmallIntegerField(default=0)
    composite = models.FloatField(default=0.0)
    sup = models.FloatField(null=True)
    mem = models.FloatField(null=True)
    renorm = models.BooleanField(default=False)
    # A rated leaf on which no group but the self-rating reaches its minimum.
    weak = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.composite}"


class RaterKind(models.TextChoices):
    MEMBER = "member", _("党员")
    SUPERIOR = "superior", _("上级")
    PUBLIC = "public", _("群众")


class Participation(models.Model):
    """Who took part (one sheet per rater per round). Nothing here points at a ballot."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    kind = models.CharField(max_length=10, choices=RaterKind.choices)
    member = models.ForeignKey(
        "orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"],
                condition=models.Q(member__isnull=False),
                name="appraisal_member_votes_once",
            ),
            models.UniqueConstraint(
                fields=["round", "user"],
                condition=models.Q(member__isnull=True),
                name="appraisal_superior_votes_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.kind}"


class BoxedSheet(models.Model):
    """A sheet in the ballot box: accepted, not yet folded. Intake writes it as one row with its
    scores in `payload` (compact text, see services/ballots.encode_payload) in the same
    statement as the participation row or burnt token; folding (services/folding.py, every few
    seconds in the background and always at close) takes it out of the box — adds it to the
    tallies and to the sealed archive (BallotSheet, BallotCount, SheetFingerprint) and deletes
    it — exactly once.

    While a sheet waits here it sits in arrival order next to the participation row of its
    transaction, and a member's payload holds their self-rating: the box is the one place where
    a sheet can be linked to its rater, and a sheet stays in it only until the next fold (see
    docs/appraisal.md, "what an administrator with the database can learn")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No database-level foreign-key check: see UsedToken.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    kind = models.CharField(max_length=10, choices=RaterKind.choices)
    # Keyed hash of the sheet's content without self-ratings (services/ballots.sheet_fingerprint).
    fingerprint = models.CharField(max_length=32, blank=True)
    # "subject:leaf:group index:points,…"
    payload = models.TextField()

    def __str__(self) -> str:
        return str(self.id)


class BallotSheet(models.Model):
    """A folded sheet: that one sheet of this kind was cast. Nothing else — no rater, token,
    time, sequential id, scores or content hash — so its key (random, fresh at folding) and its
    place in the table say nothing participation does not already say."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    kind = models.CharField(max_length=10, choices=RaterKind.choices)

    def __str__(self) -> str:
        return str(self.id)


class BallotCount(models.Model):
    """The folded scores: how many sheets gave `points` to `subject` on `indicator` in `group`.
    Per mark, not per sheet, so no stored row groups the marks one rater gave (which would name
    a member by the one peer missing from their sheet) and a self-rating is one count on the
    subject's own row. Kept up to date by folding; the tallies can be recounted from it
    exactly (n, min, max; the sum up to float addition order)."""

    pk = models.CompositePrimaryKey("round", "subject", "indicator", "group", "points")
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    subject = models.ForeignKey(
        RoundSubject,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    group = models.CharField(max_length=10, choices=RaterGroup.choices)
    points = models.FloatField()
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.subject_id}:{self.points}×{self.count}"


class SheetFingerprint(models.Model):
    """How many folded sheets of a collecting round had this content (keyed fingerprint): the
    identical-sheet flag. Deleted when the round closes — with the key, a fingerprint could be
    matched against every sheet a small branch could cast, and the order in which fingerprints
    first appeared follows the order of arrival."""

    pk = models.CompositePrimaryKey("round", "fingerprint")
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    fingerprint = models.CharField(max_length=32)
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.fingerprint[:8]}×{self.count}"


class TokenBatch(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="token_batches")
    # The public holding these tokens rate the subjects in this organization's subtree.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField("批次说明", max_length=100, blank=True)
    size = models.PositiveIntegerField("数量")
    issued_on = models.DateField("发放日期")
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label or f"第{self.pk}批"


class IssuedToken(models.Model):
    """A token that may be used: only its keyed hash; the plaintext is shown once at issue."""

    batch = models.ForeignKey(TokenBatch, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.token_hash[:8]


class UsedToken(models.Model):
    """A burnt token: its keyed hash, the batch and the day (no time) it was used.

    Written only by the accepting statement (services/ballots.store_sheet), which takes the
    round from the round row it has just checked (and key-share locked) and the batch from the
    issued token it matched, so the references hold by construction. Hence no database-level
    foreign-key checks here and on BoxedSheet.round: each would lock the round row once more
    per ballot, and every ballot of a round shares that one row. The keyed hash is unique
    through a constraint (no second, pattern-matching index: it is only ever compared whole)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    batch = models.ForeignKey(
        TokenBatch, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    token_hash = models.CharField(max_length=64)
    used_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="appraisal_usedtoken_hash")
        ]

    def __str__(self) -> str:
        return self.token_hash[:8]


class IntakeCounter(models.Model):
    """Ballots per keyed hash of the client address per 10 minutes; deleted at close."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    address_hash = models.CharField(max_length=64)
    bucket = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "address_hash", "bucket"], name="appraisal_intake_bucket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address_hash[:8]} {self.bucket}"


class SubjectResult(models.Model):
    """One subject's result for one version of a round; rows of a published version are the
    frozen snapshot and are never rewritten."""

    # No database-level foreign-key checks: a close inserts a province's results in one
    # statement, where per-row constraint triggers would cost more than the computation; the
    # rows come from the round's own tallies, so the references hold by construction.
    pk = models.CompositePrimaryKey("round", "version", "subject")
    # The primary key leads with the round: no separate index (each index costs the close's
    # bulk insert about a fifth more).
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    version = models.PositiveIntegerField()
    subject = models.ForeignKey(
        RoundSubject,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    peer_key = models.IntegerField()
    composite = models.FloatField()
    superior_mean = models.FloatField(null=True)
    members_mean = models.FloatField(null=True)
    rank = models.PositiveIntegerField()
    peer_size = models.PositiveIntegerField()
    quota = models.PositiveIntegerField()
    renormalized = models.BooleanField(default=False)
    direct = models.BooleanField(default=False)
    proposed_grade = models.CharField(max_length=10)
    grade = models.CharField(max_length=10)
    tier = models.CharField(max_length=10, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.subject_id} {self.grade}"


class RoundMeeting(models.Model):
    """One event, one record: the orglife 民主评议党员 meeting of a branch that a 民主评议 round
    is held at (created or found by services.meetings.round_link_meetings). The meeting's page
    shows the round's participation in that branch; the round's grades are proposed by the
    branch at close, confirmed by the superior at review and told to the member at publish."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="meeting_links")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        "orglife.Meeting", on_delete=models.CASCADE, related_name="appraisal_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="appraisal_round_meeting_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.meeting_id}"
