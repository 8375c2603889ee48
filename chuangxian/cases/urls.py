from django.urls import path

from chuangxian.cases.views import staff

app_name = "cases"
urlpatterns = [
    path("", staff.case_list, name="list"),
    path("new/", staff.case_new, name="new"),
    path("points/", staff.demo_points, name="points"),
    path("<int:case_id>/", staff.case_detail, name="case"),
    path("<int:case_id>/edit/", staff.case_edit, name="edit"),
    path("<int:case_id>/submit/", staff.case_submit, name="submit"),
    path("<int:case_id>/return/", staff.case_return, name="return"),
    path("<int:case_id>/approve/", staff.case_approve, name="approve"),
    path("<int:case_id>/publish/", staff.case_publish, name="publish"),
    path("<int:case_id>/adopt/", staff.case_adopt, name="adopt"),
]
