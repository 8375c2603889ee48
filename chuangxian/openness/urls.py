from django.urls import path

from chuangxian.openness.views import cards, consultations, notices, staff

app_name = "openness"
urlpatterns = [
    path("", staff.home, name="home"),
    path("moderation/", staff.moderation, name="moderation"),
    path("opinions/<int:opinion_id>/", staff.opinion, name="opinion"),
    path("opinions/<int:opinion_id>/answer/", staff.opinion_answer, name="opinion_answer"),
    path("opinions/<int:opinion_id>/moderate/", staff.opinion_moderate, name="opinion_moderate"),
    path("opinions/<int:opinion_id>/reject/", staff.opinion_reject, name="opinion_reject"),
    path("disclosures/", staff.disclosures, name="disclosures"),
    path("disclosures/new/", staff.disclosure_new, name="disclosure_new"),
    path("disclosures/<int:disclosure_id>/", staff.disclosure, name="disclosure"),
    path("disclosures/<int:disclosure_id>/edit/", staff.disclosure_edit, name="disclosure_edit"),
    path(
        "disclosures/<int:disclosure_id>/<str:step>/",
        staff.disclosure_step,
        name="disclosure_step",
    ),
    path("catalogue/<int:org_id>/", staff.catalogue, name="catalogue"),
    path("requests/", staff.requests, name="requests"),
    path("requests/<int:request_id>/", staff.request_detail, name="request"),
    path("requests/<int:request_id>/<str:step>/", staff.request_act, name="request_act"),
    path("consultations/", consultations.consultation_list, name="consultations"),
    path("consultations/new/", consultations.consultation_new, name="consultation_new"),
    path(
        "consultations/<int:consultation_id>/",
        consultations.consultation_detail,
        name="consultation",
    ),
    path(
        "consultations/<int:consultation_id>/comment/",
        consultations.consultation_comment,
        name="consultation_comment",
    ),
    path(
        "consultations/<int:consultation_id>/decide/",
        consultations.consultation_decide,
        name="consultation_decide",
    ),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/new/", notices.notice_new, name="notice_new"),
    path("notices/<int:notice_id>/", notices.notice_detail, name="notice"),
    path("notices/receipts/<int:receipt_id>/read/", notices.notice_read, name="notice_read"),
    path("reports/", notices.report_list, name="reports"),
    path("reports/<int:report_id>/", notices.report_detail, name="report"),
    path("reports/<int:report_id>/reply/", notices.report_reply, name="report_reply"),
    path("cards/", cards.card_list, name="cards"),
    path("cards/member/<int:member_id>/", cards.card_edit, name="card_edit"),
    path("cards/<int:card_id>/", cards.card_detail, name="card"),
    path("cards/<int:card_id>/print/", cards.card_print, name="card_print"),
    path("cards/<int:card_id>/deactivate/", cards.card_deactivate, name="card_deactivate"),
]
