"""The branch's decision on a proposed grade (不以票取人): changed only with a written reason."""

from django.db import transaction

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import Round, RoundStatus, RoundSubject, SubjectResult
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record


@transaction.atomic
def grade_override(
    *, actor: Actor, round_: Round, subject: RoundSubject, grade: str, reason: str
) -> SubjectResult:
    """Set the final grade of one subject of a closed round, keeping the proposed grade.

    Refuses: a round not in 已结算; a grade not on the subject's scale; a reason shorter than
    4 characters; a subject graded directly (一票否决 / 全年无活动); and a change that would put
    more subjects of the peer group in a quota grade (优秀) than the quota allows. Audited with
    the reason."""
    round_ = (
        Round.objects.select_for_update().select_related("scheme", "organization").get(pk=round_.pk)
    )
    if round_.status != RoundStatus.CLOSED:
        raise AppraisalError("只能在结算后、审核前调整等次")
    reason = reason.strip()
    if len(reason) < 4:
        raise AppraisalError("调整等次须写明理由（至少4个字）")
    result = SubjectResult.objects.select_for_update().get(
        round=round_, version=round_.version, subject=subject
    )
    scheme = round_.scheme
    grades = (
        scheme.probationary_grades
        if subject.scale == 1 and scheme.probationary_grades
        else scheme.grades
    )
    by_name = {str(g["name"]): g for g in grades}
    if grade not in by_name:
        raise AppraisalError("等次应为：" + "、".join(by_name))
    if result.direct:
        raise AppraisalError("该对象已被直接定等（一票否决或全年无活动），不能调整")
    if by_name[grade].get("quota") and result.grade != grade:
        taken = SubjectResult.objects.filter(
            round=round_, version=round_.version, peer_key=result.peer_key, grade=grade
        ).count()
        if taken + 1 > result.quota:
            raise AppraisalError(f"“{grade}”名额已满（本组上限{result.quota}名）")
    before = result.grade
    result.grade = grade
    result.override_reason = reason
    result.save(update_fields=["grade", "override_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=subject,
        object_type="appraisal_result",
        org_path=subject.organization.path,
        changes={"grade": [before, grade]},
        reason=reason,
    )
    return result
