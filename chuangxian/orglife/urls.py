from django.urls import path

from chuangxian.orglife.views import checkin, compliance, meetings, my

app_name = "orglife"
urlpatterns = [
    path("", meetings.meeting_list, name="meetings"),
    path("new/", meetings.meeting_plan, name="plan"),
    path("<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("<int:meeting_id>/edit/", meetings.meeting_edit, name="edit"),
    path("<int:meeting_id>/hold/", meetings.meeting_hold, name="hold"),
    path("<int:meeting_id>/cancel/", meetings.meeting_cancel, name="cancel"),
    path("<int:meeting_id>/attendance/", meetings.meeting_attendance, name="attendance"),
    path("<int:meeting_id>/attendance/add/", meetings.meeting_attendee_add, name="attendee_add"),
    path("<int:meeting_id>/minutes/", meetings.meeting_minutes, name="minutes"),
    path(
        "<int:meeting_id>/attachments/",
        meetings.meeting_attachment_add,
        name="attachment_add",
    ),
    path(
        "<int:meeting_id>/attachments/<int:attachment_id>/",
        meetings.meeting_attachment,
        name="attachment",
    ),
    path(
        "<int:meeting_id>/attachments/<int:attachment_id>/remove/",
        meetings.meeting_attachment_remove,
        name="attachment_remove",
    ),
    path("<int:meeting_id>/submit/", meetings.meeting_submit, name="submit"),
    path("<int:meeting_id>/approve/", meetings.meeting_approve, name="approve"),
    path("<int:meeting_id>/return/", meetings.meeting_return, name="return"),
    path("<int:meeting_id>/qr/", meetings.meeting_qr, name="qr"),
    path("checkin/<str:token>/", checkin.checkin, name="checkin"),
    path("compliance/", compliance.compliance, name="compliance"),
    path("compliance/export/", compliance.compliance_export, name="compliance_export"),
    path("rules/", compliance.rules, name="rules"),
    path("exemptions/", compliance.exemptions, name="exemptions"),
    path(
        "exemptions/<int:exemption_id>/remove/",
        compliance.exemption_remove,
        name="exemption_remove",
    ),
    path("my/", my.my_orglife, name="my"),
]
