"""Courses: the list, a course page with its materials, opening a material, completing."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.learning import selectors
from chuangxian.learning.access import (
    access_course_by_id,
    access_material_by_id,
    can_manage,
    courses_for,
    is_learner,
    managed_organizations,
    own_member,
)
from chuangxian.learning.errors import LearningError
from chuangxian.learning.forms import CourseForm, MaterialForm
from chuangxian.learning.models import MaterialKind
from chuangxian.learning.services.courses import (
    course_complete,
    course_create,
    material_add,
    material_viewed,
)
from chuangxian.orgs.access import is_staff_in_tree
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.views.http import actor_of, viewer


@require_http_methods(["GET", "POST"])
def courses(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = None
    if is_staff_in_tree(user):
        form = CourseForm(request.POST or None, organizations=managed_organizations(user))
        if request.method == "POST" and form.is_valid():
            try:
                course = course_create(actor=actor_of(request), **form.cleaned_data)
            except LearningError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已开设课程，请添加学习材料。"))
                return redirect(course)
    elif request.method == "POST":
        raise Http404("没有找到该页面")
    listed = courses_for(user).select_related("organization").order_by("-created_at")[:200]
    return render(request, "learning/courses.html", {"courses": listed, "form": form})


@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_course_by_id(user, course_id)
    manage = can_manage(user, found.organization)
    form = MaterialForm(request.POST or None, request.FILES or None) if manage else None
    if request.method == "POST":
        if form is None:
            raise Http404("没有找到该课程")
        if form.is_valid():
            try:
                material_add(
                    actor=actor_of(request),
                    course=found,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                    url=form.cleaned_data["url"],
                )
            except LearningError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已添加学习材料。"))
                return redirect(found)
    member = own_member(user)
    learner = member if member is not None and is_learner(member, found) else None
    materials = list(found.materials.all())
    viewed = selectors.viewed_material_ids(learner, found) if learner else set()
    context = {
        "course": found,
        "materials": materials,
        "viewed": viewed,
        "learner": learner,
        "completed": learner is not None and found.completions.filter(member=learner).exists(),
        "all_viewed": bool(materials) and len(viewed) == len(materials),
        "manage": manage,
        "form": form,
        "completions": selectors.course_completion_count(found) if manage else None,
    }
    return render(request, "learning/course.html", context)


@require_GET
def material_open(request: HttpRequest, material_id: int) -> HttpResponseBase:
    """Open a material: a document is sent as a download, a link is followed. Opening it is
    what counts as having viewed it."""
    user = viewer(request)
    material = access_material_by_id(user, material_id)
    member = own_member(user)
    if member is not None and is_learner(member, material.course):
        material_viewed(member=member, material=material, now=timezone.now())
    if material.kind == MaterialKind.LINK:
        return HttpResponseRedirect(material.url)
    if not material.file:
        raise Http404("没有找到该学习材料")
    return FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.file.name.rsplit("/", 1)[-1],
        content_type=material.content_type or "application/octet-stream",
    )


@require_POST
def course_complete_view(request: HttpRequest, course_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_course_by_id(user, course_id)
    member = own_member(user)
    if member is None or not is_learner(member, found):
        raise Http404("没有找到该课程")
    try:
        course_complete(
            actor=actor_of(request),
            member=member,
            course=found,
            now=timezone.now(),
            today=timezone.localdate(),
        )
    except LearningError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已完成课程，记入%(hours)s学时。") % {"hours": found.hours})
    return redirect(found)
