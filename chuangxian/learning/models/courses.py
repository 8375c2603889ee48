"""网络课程: a course with its materials (documents kept here, video links kept as text) and the
学时 it is worth; a member completes it once, after opening every material."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    # Owned by an organization and offered to every member of its subtree.
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("开课组织"),
    )
    title = models.CharField(_("课程名称"), max_length=100)
    description = models.TextField(_("课程简介"), blank=True)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    is_open = models.BooleanField(_("开放学习"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("网络课程")
        verbose_name_plural = _("网络课程")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:course", args=[self.pk])


class MaterialKind(models.TextChoices):
    DOCUMENT = "document", _("文档")
    LINK = "link", _("视频链接")


class CourseMaterial(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("类型"), max_length=10, choices=MaterialKind.choices)
    title = models.CharField(_("材料名称"), max_length=100)
    # A document passed through uploads.safety.check_upload; a link is only text, shown as a
    # link and never embedded, so nothing from outside is loaded into our pages.
    file = models.FileField(_("文件"), upload_to="learning/materials/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    url = models.CharField(_("链接地址"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("学习材料")
        verbose_name_plural = _("学习材料")

    def __str__(self) -> str:
        return self.title


class MaterialView(models.Model):
    material = models.ForeignKey(CourseMaterial, on_delete=models.CASCADE, related_name="views")
    member = models.ForeignKey("orgs.Member", on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "member"], name="unique_material_view")
        ]
        verbose_name = _("材料查看记录")
        verbose_name_plural = _("材料查看记录")

    def __str__(self) -> str:
        return f"{self.member_id} {self.material_id}"


class CourseCompletion(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    member = models.ForeignKey("orgs.Member", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="unique_course_completion")
        ]
        verbose_name = _("课程完成记录")
        verbose_name_plural = _("课程完成记录")

    def __str__(self) -> str:
        return f"{self.member_id} {self.course_id}"
