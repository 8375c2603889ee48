"""The round's state machine: open → collecting → closed → reviewed → published, and reopen.
Each transition checks the source state, writes atomically and leaves an audit event."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import (
    DirectGrade,
    Indicator,
    IntakeCounter,
    Round,
    RoundStatus,
    RoundSubject,
    Scheme,
    SubjectType,
    Tally,
)
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import (
    Member,
    MemberCategory,
    MemberStatus,
    Organization,
    OrgKind,
)
from chuangxian.orgs.models.organization import BRANCH_KINDS
from chuangxian.orgs.posts import is_secretary

BULK = 5_000


def _transition(
    *,
    actor: Actor,
    round_: Round,
    sources: Iterable[str],
    target: str,
    reason: str = "",
) -> None:
    if round_.status not in set(sources):
        current = RoundStatus(round_.status).label
        raise AppraisalError(f"本轮考评当前为“{current}”，不能转为“{RoundStatus(target).label}”")
    before = round_.status
    round_.status = target
    round_.save(update_fields=["status", "version", "published_version"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=round_,
        object_type="appraisal_round",
        org_path=round_.organization.path,
        changes={"status": [before, target]},
        reason=reason,
    )


def _locked(round_: Round) -> Round:
    return (
        Round.objects.select_for_update().select_related("organization", "scheme").get(pk=round_.pk)
    )


def _branch_of(org: Organization, orgs_by_id: dict[int, Organization]) -> Organization:
    if org.kind == OrgKind.GROUP and org.parent_id is not None:
        return orgs_by_id.get(org.parent_id) or Organization.objects.get(pk=org.parent_id)
    return org


def enrolled_subjects(round_: Round) -> list[RoundSubject]:
    """The subjects a new round appraises, with their peer groups (not yet saved).

    - members: active members of the subtree, ranked inside their branch (a 党小组 counts as
      its branch), 正式 and 预备 in separate peer groups on separate grade scales;
    - organizations: branches of the subtree (of the scheme's sector, if it has one), ranked
      among those of the same sector and level;
    - secretaries: members whose 党内职务 is 书记 of a branch, ranked like their branch.
    """
    scheme, root = round_.scheme, round_.organization
    orgs = Organization.objects.filter(path__startswith=root.path)
    orgs_by_id = {org.pk: org for org in orgs}
    subjects: list[RoundSubject] = []
    if scheme.subject_type == SubjectType.ORGANIZATION:
        levels: dict[tuple[str, int], int] = {}
        for org in sorted(orgs_by_id.values(), key=lambda o: o.path):
            if org.kind not in BRANCH_KINDS or (scheme.sector and org.sector != scheme.sector):
                continue
            key = levels.setdefault((org.sector, org.depth), len(levels) + 1)
            subjects.append(
                RoundSubject(
                    round=round_,
                    kind=SubjectType.ORGANIZATION,
                    organization=org,
                    stable_ref=org.pk,
                    peer_key=key,
                    peer_label=f"{org.sector}·第{org.depth + 1}级党支部",
                    label=org.name,
                )
            )
        return subjects
    members = Member.objects.filter(
        organization_id__in=list(orgs_by_id), status=MemberStatus.ACTIVE
    ).order_by("id")
    levels = {}
    for member in members.iterator(chunk_size=BULK):
        branch = _branch_of(orgs_by_id[member.organization_id], orgs_by_id)
        if scheme.subject_type == SubjectType.MEMBER:
            probationary = member.category == MemberCategory.PROBATIONARY
            subjects.append(
                RoundSubject(
                    round=round_,
                    kind=SubjectType.MEMBER,
                    member_id=member.pk,
                    organization=branch,
                    stable_ref=member.pk,
                    peer_key=branch.pk * 2 + int(probationary),
                    peer_label=f"{branch.name}·{member.category}",
                    scale=int(probationary),
                    label=member.name,
                )
            )
        elif is_secretary(member.party_post) and branch.kind in BRANCH_KINDS:
            key = levels.setdefault((branch.sector, branch.depth), len(levels) + 1)
            subjects.append(
                RoundSubject(
                    round=round_,
                    kind=SubjectType.SECRETARY,
                    member_id=member.pk,
                    organization=branch,
                    stable_ref=member.pk,
                    peer_key=key,
                    peer_label=f"{branch.sector}·第{branch.depth + 1}级党支部书记",
                    label=f"{member.name}（{branch.name}）",
                )
            )
    return subjects


@transaction.atomic
def round_open(
    *, actor: Actor, scheme: Scheme, organization: Organization, name: str, year: int
) -> Round:
    """Create a round of `scheme` over `organization`'s subtree, enrol its subjects and create
    their (empty) tallies. Refuses an empty name or a subtree with nobody to appraise."""
    if not name.strip():
        raise AppraisalError("请填写考评名称")
    round_ = Round.objects.create(
        scheme=scheme, organization=organization, name=name.strip(), year=year
    )
    subjects = enrolled_subjects(round_)
    if not subjects:
        raise AppraisalError("该组织范围内没有可考评的对象")
    RoundSubject.objects.bulk_create(subjects, batch_size=BULK)
    leaves = list(Indicator.objects.filter(scheme=scheme).exclude(kind=""))
    tallies = (
        Tally(
            round=round_,
            subject=subject,
            indicator=leaf,
            peer_key=subject.peer_key,
            stable_ref=subject.stable_ref,
            scale=subject.scale,
        )
        for subject in subjects
        for leaf in leaves
    )
    Tally.objects.bulk_create(tallies, batch_size=BULK)
    from chuangxian.appraisal.closing import scheme_shape, standings_refresh

    standings_refresh(round_.pk, scheme_shape(scheme))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=round_,
        object_type="appraisal_round",
        org_path=organization.path,
        changes={"scheme": [None, scheme.code], "subjects": [None, len(subjects)]},
    )
    return round_


def round_collect(*, actor: Actor, round_: Round) -> Round:
    """open → collecting: ballots are accepted from now on; the automatic figures are read
    from the records now (the ones raters see beside each member are the ones scored)."""
    with transaction.atomic():
        round_ = _locked(round_)
        _transition(
            actor=actor, round_=round_, sources=[RoundStatus.OPEN], target=RoundStatus.COLLECTING
        )
        _refresh_figures(actor=actor, round_=round_)
        _schedule_folding(round_.pk)
    return round_


def _refresh_figures(*, actor: Actor, round_: Round) -> None:
    from chuangxian.appraisal.closing import figures_fill

    written = figures_fill(round_)
    round_.figures_at = timezone.now()
    round_.save(update_fields=["figures_at"])
    if written:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=round_,
            object_type="appraisal_round",
            org_path=round_.organization.path,
            changes={"figures_at": [None, round_.figures_at.isoformat(timespec="seconds")]},
            reason=f"读取数据指标{written}项",
        )


def round_figures_refresh(*, actor: Actor, round_: Round) -> Round:
    """Read the automatic figures again from the records (before closing, e.g. after the
    last meetings of the year were recorded). Only while the round is open or collecting."""
    with transaction.atomic():
        round_ = _locked(round_)
        if round_.status not in (RoundStatus.OPEN, RoundStatus.COLLECTING):
            raise AppraisalError("只能在结算前更新数据指标")
        _refresh_figures(actor=actor, round_=round_)
    return round_


def _schedule_folding(round_id: int) -> None:
    """Start the background folding of a collecting round once the transition commits."""
    from chuangxian.appraisal.tasks import schedule_fold

    transaction.on_commit(lambda: schedule_fold(round_id))


def round_close(*, actor: Actor, round_: Round, fast: bool | None = None) -> Round:
    """collecting → closed: composites, ranks, proposed grades and tiers for every subject
    (see closing.py), from the ratings and the automatic figures as last read, and forget the
    short-lived address counters. `fast` forces (True) or forbids (False) the PostgreSQL path.

    Refuses, writing nothing, when participation is too thin (selectors.close_problems): a
    subject graded on its self-rating alone, or on no rating at all, and — when the scheme's
    rule says so (ThinRule.REFUSE) — any rater group below its minimum for some subject."""
    from chuangxian.appraisal.closing import compute_results
    from chuangxian.appraisal.selectors import close_problems
    from chuangxian.appraisal.services.ballots import limiter
    from chuangxian.appraisal.services.folding import ballots_fold
    from chuangxian.appraisal.services.sealing import seal_box

    with transaction.atomic():
        round_ = _locked(round_)
        if round_.status != RoundStatus.COLLECTING:
            _transition(
                actor=actor,
                round_=round_,
                sources=[RoundStatus.COLLECTING],
                target=RoundStatus.CLOSED,
            )
        # The round row is now locked FOR UPDATE: no sheet can be accepted any more (store_sheet
        # takes a key-share lock on it), so folding here takes every remaining sheet.
        ballots_fold(round_.pk)
        if round_.figures_at is None:  # a round collected before figures were read at start
            _refresh_figures(actor=actor, round_=round_)
        problems = close_problems(round_)
        if problems:
            raise AppraisalError(problems)
        written = compute_results(round_, fast=fast)
        # The ballot box is emptied into the secret archive (services/sealing.py).
        seal_box(round_.pk)
        IntakeCounter.objects.filter(round=round_).delete()
        limiter.reset(round_.pk)
        _transition(
            actor=actor,
            round_=round_,
            sources=[RoundStatus.COLLECTING],
            target=RoundStatus.CLOSED,
            reason=f"结算{written}个考评对象（第{round_.version}版）",
        )
    return round_


def round_review(*, actor: Actor, round_: Round) -> Round:
    """closed → reviewed: the superior confirms the (possibly adjusted) grades."""
    with transaction.atomic():
        round_ = _locked(round_)
        _transition(
            actor=actor, round_=round_, sources=[RoundStatus.CLOSED], target=RoundStatus.REVIEWED
        )
    return round_


def round_publish(*, actor: Actor, round_: Round) -> Round:
    """reviewed → published: the current version's results become the frozen snapshot."""
    with transaction.atomic():
        round_ = _locked(round_)
        round_.published_version = round_.version
        _transition(
            actor=actor,
            round_=round_,
            sources=[RoundStatus.REVIEWED],
            target=RoundStatus.PUBLISHED,
        )
    return round_


def round_reopen(*, actor: Actor, round_: Round, reason: str) -> Round:
    """closed / reviewed / published → collecting, with a written reason. The results of the
    current version stay as they are (a published snapshot is never rewritten); the next close
    writes version + 1."""
    if len(reason.strip()) < 4:
        raise AppraisalError("重新开启须写明理由（至少4个字）")
    with transaction.atomic():
        round_ = _locked(round_)
        if round_.status in (RoundStatus.CLOSED, RoundStatus.REVIEWED, RoundStatus.PUBLISHED):
            round_.version += 1
        _transition(
            actor=actor,
            round_=round_,
            sources=[RoundStatus.CLOSED, RoundStatus.REVIEWED, RoundStatus.PUBLISHED],
            target=RoundStatus.COLLECTING,
            reason=reason.strip(),
        )
        _schedule_folding(round_.pk)
    return round_


@transaction.atomic
def subject_veto(*, actor: Actor, round_: Round, subject: RoundSubject, reason: str) -> DirectGrade:
    """一票否决: the subject gets the scheme's veto grade whatever the votes, ranked last in its
    peer group. Only before closing; a written reason is required and audited."""
    round_ = _locked(round_)
    if round_.status not in (RoundStatus.OPEN, RoundStatus.COLLECTING):
        raise AppraisalError("只能在结算前设置一票否决")
    if not round_.scheme.veto_grade:
        raise AppraisalError("该方案未设置一票否决")
    if subject.round_id != round_.pk:
        raise AppraisalError("该对象不属于本轮考评")
    if len(reason.strip()) < 4:
        raise AppraisalError("一票否决须写明理由（至少4个字）")
    direct, _ = DirectGrade.objects.update_or_create(
        subject=subject,
        defaults={
            "round": round_,
            "rule": "veto",
            "grade": round_.scheme.veto_grade,
            "reason": reason.strip(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=subject,
        object_type="appraisal_subject",
        org_path=subject.organization.path,
        changes={"direct_grade": [None, direct.grade]},
        reason=reason.strip(),
    )
    return direct
