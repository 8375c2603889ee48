"""Courses, their materials, and a member's completion (recorded once, with its 学时)."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import (
    Course,
    CourseCompletion,
    CourseMaterial,
    MaterialKind,
    MaterialView,
    StudyRecord,
    StudySource,
)
from chuangxian.learning.rules import HoursError, check_hours
from chuangxian.orgs.models import Member, Organization, User
from chuangxian.uploads.safety import UploadRefused, check_upload


def _user(actor: Actor) -> User | None:
    return actor.user if actor.user is not None and actor.user.pk else None


@transaction.atomic
def course_create(
    *, actor: Actor, organization: Organization, title: str, description: str, hours: Decimal
) -> Course:
    """A course offered to every member of `organization`'s subtree."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写课程名称"
    try:
        hours = check_hours(hours)
    except HoursError as error:
        errors["hours"] = str(error)
    if errors:
        raise LearningError(errors)
    course = Course(
        organization=organization,
        title=title.strip(),
        description=description.strip(),
        hours=hours,
        created_by=_user(actor),
    )
    course.full_clean()
    course.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=course,
        org_path=organization.path,
        changes={"title": [None, course.title], "hours": [None, str(hours)]},
    )
    return course


def _next_position(course: Course) -> int:
    top = course.materials.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _check_link(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LearningError({"url": "链接应以 http:// 或 https:// 开头"})
    if any(ch.isspace() for ch in url) or len(url) > 500:
        raise LearningError({"url": "链接地址不正确"})
    return url


@transaction.atomic
def material_add(
    *,
    actor: Actor,
    course: Course,
    title: str,
    upload: UploadedFile | None = None,
    url: str = "",
) -> CourseMaterial:
    """Add a document (checked by uploads.safety) or a video link (kept as text only)."""
    if not title.strip():
        raise LearningError({"title": "请填写材料名称"})
    if (upload is None) == (not url.strip()):
        raise LearningError("请上传一个文件，或填写一个视频链接（二者选一）")
    material = CourseMaterial(course=course, title=title.strip(), position=_next_position(course))
    if upload is not None:
        try:
            clean = check_upload(upload)
        except UploadRefused as error:
            raise LearningError({"file": str(error)})
        material.kind = MaterialKind.DOCUMENT
        material.content_type = clean.content_type
        material.file.save(clean.name, ContentFile(clean.content), save=False)
    else:
        material.kind = MaterialKind.LINK
        material.url = _check_link(url)
    material.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=material,
        org_path=course.organization.path,
        changes={"course": [None, course.title], "kind": [None, material.kind]},
    )
    return material


def material_viewed(*, member: Member, material: CourseMaterial, now: dt.datetime) -> bool:
    """Note that the member opened the material; True the first time."""
    _, created = MaterialView.objects.get_or_create(
        material=material, member=member, defaults={"viewed_at": now}
    )
    return created


@transaction.atomic
def course_complete(
    *, actor: Actor, member: Member, course: Course, now: dt.datetime, today: dt.date
) -> CourseCompletion:
    """Record the member's completion and credit the course's 学时 on `today`. Refuses a
    course with materials not yet opened, and a second completion."""
    if not course.is_open:
        raise LearningError("该课程已停止学习")
    material_ids = set(course.materials.values_list("id", flat=True))
    if not material_ids:
        raise LearningError("该课程还没有学习材料，暂不能完成")
    seen = set(
        MaterialView.objects.filter(member=member, material_id__in=material_ids).values_list(
            "material_id", flat=True
        )
    )
    missing = len(material_ids - seen)
    if missing:
        raise LearningError(f"还有{missing}份学习材料未查看，请看完全部材料后再标记完成")
    if CourseCompletion.objects.filter(course=course, member=member).exists():
        raise LearningError("已完成该课程，学时只记录一次")
    try:
        with transaction.atomic():
            completion = CourseCompletion.objects.create(
                course=course, member=member, completed_at=now
            )
            StudyRecord.objects.create(
                member=member,
                source=StudySource.COURSE,
                course=course,
                day=today,
                hours=course.hours,
                title=f"网络课程：{course.title}"[:200],
            )
    except IntegrityError:
        raise LearningError("已完成该课程，学时只记录一次")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=completion,
        object_label=f"{member.name} 完成 {course.title}",
        org_path=member.organization.path,
        changes={"hours": [None, str(course.hours)]},
    )
    return completion
