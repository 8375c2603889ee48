"""The question bank: rules for a well-formed question, adding one, switching one off."""

from dataclasses import dataclass

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import Question, QuestionKind
from chuangxian.orgs.models import Organization

JUDGE_OPTIONS = ["正确", "错误"]
MAX_OPTIONS = 8
TRUE_WORDS = frozenset({"正确", "对", "是", "√", "T", "TRUE", "Y"})
FALSE_WORDS = frozenset({"错误", "错", "否", "×", "X", "F", "FALSE", "N"})


@dataclass(frozen=True)
class QuestionValues:
    kind: str
    text: str
    options: list[str]
    answer: list[int]
    tags: str = ""
    explanation: str = ""


def parse_answer(kind: str, raw: str, option_count: int) -> list[int]:
    """ "B", "ACD", "A,C", "正确"/"错误" → sorted option indexes; ValueError in Chinese."""
    text = "".join(raw.split()).upper().replace(",", "").replace("，", "").replace("、", "")
    if kind == QuestionKind.JUDGE:
        if text in TRUE_WORDS or text == "A":
            return [0]
        if text in FALSE_WORDS or text == "B":
            return [1]
        raise ValueError("判断题答案应为“正确”或“错误”")
    if not text or any(not "A" <= ch <= "Z" for ch in text):
        raise ValueError("答案应为选项字母，如 B 或 ACD")
    indexes = sorted({ord(ch) - ord("A") for ch in text})
    if indexes[-1] >= option_count:
        raise ValueError(f"答案“{text}”超出了选项范围（共{option_count}个选项）")
    return indexes


# Question.tags holds the normalized form (",a,b,"): its column is this long.
TAGS_MAX_LENGTH = 200


def normalize_tags(raw: str) -> str:
    parts = [p.strip() for p in raw.replace("，", ",").replace("、", ",").split(",")]
    kept = sorted({p for p in parts if p})
    return f",{','.join(kept)}," if kept else ""


def check_question(values: QuestionValues) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.kind not in QuestionKind.values:
        errors["kind"] = "题型应为单选题、多选题或判断题"
        return errors
    if not values.text.strip():
        errors["text"] = "请填写题干"
    if len(normalize_tags(values.tags)) > TAGS_MAX_LENGTH:
        errors["tags"] = f"标签合计不能超过{TAGS_MAX_LENGTH - 2}个字"
    if values.kind == QuestionKind.JUDGE:
        if values.answer not in ([0], [1]):
            errors["answer"] = "判断题答案应为“正确”或“错误”"
        return errors
    options = values.options
    if len(options) < 2 or len(options) > MAX_OPTIONS:
        errors["options"] = f"选择题应有2到{MAX_OPTIONS}个选项"
    elif any(not option.strip() for option in options):
        errors["options"] = "选项不能为空"
    elif len({option.strip() for option in options}) != len(options):
        errors["options"] = "选项有重复"
    if not values.answer or any(not 0 <= i < len(options) for i in values.answer):
        errors["answer"] = "答案不在选项范围内"
    elif values.kind == QuestionKind.SINGLE and len(values.answer) != 1:
        errors["answer"] = "单选题只能有一个正确答案"
    elif values.kind == QuestionKind.MULTIPLE and len(values.answer) < 2:
        errors["answer"] = "多选题至少有两个正确答案"
    return errors


def question_instance(values: QuestionValues, organization: Organization, actor: Actor) -> Question:
    options = JUDGE_OPTIONS if values.kind == QuestionKind.JUDGE else values.options
    return Question(
        organization=organization,
        kind=values.kind,
        text=values.text.strip(),
        options=[option.strip() for option in options],
        answer=sorted(values.answer),
        tags=normalize_tags(values.tags),
        explanation=values.explanation.strip(),
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )


@transaction.atomic
def question_create(
    *, actor: Actor, organization: Organization, values: QuestionValues
) -> Question:
    """Add a question to `organization`'s bank (shared with its whole subtree)."""
    errors = check_question(values)
    if errors:
        raise LearningError(errors)
    question = question_instance(values, organization, actor)
    question.full_clean()
    question.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=question,
        org_path=organization.path,
        changes={"kind": [None, question.kind], "text": [None, question.text[:100]]},
    )
    return question


@transaction.atomic
def question_set_active(*, actor: Actor, question: Question, active: bool) -> Question:
    """Questions are never edited once written (papers drawn from them keep pointing at them);
    a wrong one is switched off and a corrected one added."""
    if question.is_active == active:
        return question
    question.is_active = active
    question.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=question,
        org_path=question.organization.path,
        changes={"is_active": [not active, active]},
    )
    return question
