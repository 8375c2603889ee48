from django.urls import URLPattern, path

from chuangxian.appraisal.views import ballots, schemes, staff

app_name = "appraisal"
urlpatterns: list[URLPattern] = [
    path("", staff.rounds, name="rounds"),
    path("new/", staff.round_new, name="round_new"),
    path("schemes/", schemes.schemes, name="schemes"),
    path("schemes/new/", schemes.scheme_new, name="scheme_new"),
    path(
        "schemes/from-standards/",
        schemes.scheme_from_standards_view,
        name="scheme_from_standards",
    ),
    path("schemes/<int:scheme_id>/", schemes.scheme_detail, name="scheme"),
    path("schemes/<int:scheme_id>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("schemes/<int:scheme_id>/copy/", schemes.scheme_copy_view, name="scheme_copy"),
    path("<int:round_id>/", staff.round_detail, name="round"),
    path("<int:round_id>/do/<str:action>/", staff.round_action, name="round_action"),
    path("<int:round_id>/close/", staff.round_close_confirm, name="round_close_confirm"),
    path("<int:round_id>/meetings/", staff.round_meetings, name="round_meetings"),
    path("<int:round_id>/tokens/", staff.tokens_new, name="tokens_new"),
    path("<int:round_id>/ballot/<str:role>/", ballots.ballot, name="ballot"),
    path("<int:round_id>/results/", staff.results, name="results"),
    path("<int:round_id>/results/export/", staff.export, name="export"),
    path("<int:round_id>/subjects/<int:subject_id>/", staff.subject, name="subject"),
    path("<int:round_id>/report/", staff.report, name="report"),
]
