from django.urls import path

from chuangxian.dues.views import home, imports, members, organizations

app_name = "dues"
urlpatterns = [
    path("", home.home, name="home"),
    path("members/<int:member_id>/", members.member, name="member"),
    path("members/<int:member_id>/setting/", members.setting, name="setting"),
    path("members/<int:member_id>/pay/", members.payment_create, name="payment_create"),
    path("members/<int:member_id>/reason/", members.reason_create, name="reason_create"),
    path("reasons/<int:reason_id>/end/", members.reason_end, name="reason_end"),
    path("payments/<int:payment_id>/void/", members.payment_void_view, name="payment_void"),
    path("orgs/<int:org_id>/", organizations.statement, name="statement"),
    path("orgs/<int:org_id>/export/", organizations.statement_export, name="statement_export"),
    path("arrears/", organizations.arrears, name="arrears"),
    path("flags/", organizations.flags, name="flags"),
    path("import/", imports.import_page, name="import"),
    path("import/template/", imports.template_download, name="import_template"),
]
