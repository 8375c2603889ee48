from django.urls import path

from chuangxian.learning.views import courses, exams, home, imports, ledger, plans, questions

app_name = "learning"
urlpatterns = [
    path("", home.home, name="home"),
    path("plans/", plans.plans, name="plans"),
    path("plans/<int:plan_id>/", plans.plan, name="plan"),
    path("plan-items/<int:item_id>/remove/", plans.plan_item_remove_view, name="plan_item_remove"),
    path("courses/", courses.courses, name="courses"),
    path("courses/<int:course_id>/", courses.course, name="course"),
    path("courses/<int:course_id>/complete/", courses.course_complete_view, name="course_complete"),
    path("materials/<int:material_id>/", courses.material_open, name="material_open"),
    path("ledger/<int:org_id>/", ledger.ledger, name="ledger"),
    path("ledger/<int:org_id>/export/", ledger.ledger_export, name="ledger_export"),
    path("ledger/<int:org_id>/sync/", ledger.ledger_sync, name="ledger_sync"),
    path("meetings/<int:meeting_id>/credit/", ledger.meeting_credit, name="meeting_credit"),
    path("members/<int:member_id>/", ledger.member_ledger, name="member_ledger"),
    path("imports/offline/", imports.import_offline, name="import_offline"),
    path("imports/xuexi/", imports.import_xuexi, name="import_xuexi"),
    path("imports/template/<str:kind>/", imports.import_template, name="import_template"),
    path("questions/", questions.questions, name="questions"),
    path("questions/<int:question_id>/toggle/", questions.question_toggle, name="question_toggle"),
    path("exams/", exams.exams, name="exams"),
    path("exams/<int:exam_id>/", exams.exam, name="exam"),
    path("exams/<int:exam_id>/start/", exams.exam_start, name="exam_start"),
    path("exams/<int:exam_id>/results/", exams.exam_results, name="exam_results"),
    path("attempts/<int:attempt_id>/", exams.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", exams.attempt_answer, name="attempt_answer"),
    path("attempts/<int:attempt_id>/submit/", exams.attempt_submit_view, name="attempt_submit"),
]
