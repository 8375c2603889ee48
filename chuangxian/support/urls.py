from django.urls import path

from chuangxian.support.views import care, funds, guarantees, pairings, plans

app_name = "support"
urlpatterns = [
    path("", plans.home, name="home"),
    path("marks/new/", plans.mark_new, name="mark_new"),
    path("marks/<int:mark_id>/clear/", plans.mark_clear, name="mark_clear"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/<int:org_id>/", plans.plan_new, name="plan_new"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/measures/", plans.measure_add, name="measure_add"),
    path(
        "plans/<int:plan_id>/measures/<int:measure_id>/done/",
        plans.measure_done,
        name="measure_done",
    ),
    path("plans/<int:plan_id>/start/", plans.plan_start, name="plan_start"),
    path("plans/<int:plan_id>/visits/", plans.visit_add, name="visit_add"),
    path("plans/<int:plan_id>/submit/", plans.plan_submit, name="plan_submit"),
    path("plans/<int:plan_id>/return/", plans.plan_return, name="plan_return"),
    path("plans/<int:plan_id>/accept/", plans.plan_accept, name="plan_accept"),
    path("photos/<uuid:token>/", plans.visit_photo, name="visit_photo"),
    path("care/", care.care_home, name="care"),
    path("care/<int:hardship_id>/", care.hardship_detail, name="hardship"),
    path("care/<int:hardship_id>/visits/", care.care_visit_add, name="care_visit_add"),
    path("care/<int:hardship_id>/end/", care.hardship_end, name="hardship_end"),
    path("pairings/", pairings.pairing_list, name="pairings"),
    path("pairings/<int:pairing_id>/", pairings.pairing_detail, name="pairing"),
    path("pairings/<int:pairing_id>/activities/", pairings.activity_add, name="activity_add"),
    path("funds/", funds.funds_home, name="funds"),
    path("funds/statement/", funds.statement, name="statement"),
    path("funds/<int:allocation_id>/", funds.allocation_detail, name="allocation"),
    path("funds/<int:allocation_id>/pass/", funds.pass_down, name="pass_down"),
    path("funds/<int:allocation_id>/spend/", funds.spending_add, name="spending_add"),
    path("receipts/<uuid:token>/", funds.receipt, name="receipt"),
    path("guarantees/", guarantees.guarantees_home, name="guarantees"),
    path("guarantees/<int:org_id>/", guarantees.checklist_edit, name="checklist"),
]
