from django.urls import path

from chuangxian.honors.views import awards, points

app_name = "honors"
urlpatterns = [
    path("", awards.home, name="home"),
    path("overview/", awards.overview, name="overview"),
    path("batches/<int:batch_id>/", awards.batch, name="batch"),
    path("batches/<int:batch_id>/categories/", awards.category_add, name="category_add"),
    path("batches/<int:batch_id>/quotas/", awards.quota_set, name="quota_set"),
    path("batches/<int:batch_id>/nominate/", awards.nominate, name="nominate"),
    path("batches/<int:batch_id>/certificates.zip", awards.certificates_zip, name="certificates"),
    path(
        "batches/<int:batch_id>/certificates/",
        awards.certificates_regenerate,
        name="certificates_regenerate",
    ),
    path("batches/<int:batch_id>/<str:step>/", awards.batch_step, name="batch_step"),
    path("nominations/<int:nomination_id>/", awards.nomination, name="nomination"),
    path(
        "nominations/<int:nomination_id>/objections/<int:objection_id>/",
        awards.objection_handle,
        name="objection_handle",
    ),
    path(
        "nominations/<int:nomination_id>/<str:step>/",
        awards.nomination_step,
        name="nomination_step",
    ),
    path("awards/<int:award_id>/certificate.pdf", awards.certificate, name="certificate"),
    path("points/", points.my_points, name="my_points"),
    path("points/members/<int:member_id>/", points.member_points, name="member_points"),
    path("points/orgs/<int:org_id>/", points.org_points, name="org_points"),
    path("points/orgs/<int:org_id>/accrue/", points.accrue, name="accrue"),
    path("points/orgs/<int:org_id>/settings/", points.setting_update, name="setting_update"),
    path("points/orgs/<int:org_id>/rules/", points.rules, name="rules"),
    path("points/claims/new/", points.claim_new, name="claim_new"),
    path("points/claims/<int:claim_id>/", points.claim, name="claim"),
    path("points/claims/<int:claim_id>/evidence/", points.claim_evidence, name="claim_evidence"),
    path("points/claims/<int:claim_id>/<str:decision>/", points.claim_decide, name="claim_decide"),
]
