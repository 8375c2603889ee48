from chuangxian.learning.models.courses import (
    Course,
    CourseCompletion,
    CourseMaterial,
    MaterialKind,
    MaterialView,
)
from chuangxian.learning.models.exams import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    Exam,
    Question,
    QuestionKind,
)
from chuangxian.learning.models.ledger import (
    MeetingCredit,
    StudyImport,
    StudyImportKind,
    StudyRecord,
    StudySource,
    XuexiPoints,
)
from chuangxian.learning.models.plans import StudyPlan, StudyPlanItem

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "AttemptStatus",
    "Course",
    "CourseCompletion",
    "CourseMaterial",
    "Exam",
    "MaterialKind",
    "MaterialView",
    "MeetingCredit",
    "Question",
    "QuestionKind",
    "StudyImport",
    "StudyImportKind",
    "StudyPlan",
    "StudyPlanItem",
    "StudyRecord",
    "StudySource",
    "XuexiPoints",
]
