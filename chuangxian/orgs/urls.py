from django.urls import path

from chuangxian.orgs.views import accounts, audit, auth, members, organizations, tree, two_factor

app_name = "orgs"
urlpatterns = [
    path("accounts/password/", auth.password_change, name="password_change"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path(
        "users/<int:account_id>/two-factor/reset/",
        two_factor.account_two_factor_reset,
        name="account_two_factor_reset",
    ),
    path("tree/", tree.tree, name="tree"),
    path("tree/<int:org_id>/children/", tree.tree_children, name="tree_children"),
    path("orgs/suggest/", tree.organization_suggestions, name="organization_suggestions"),
    path("orgs/new/", organizations.organization_create_view, name="organization_create"),
    path("orgs/<int:org_id>/", organizations.organization, name="organization"),
    path("orgs/<int:org_id>/edit/", organizations.organization_edit, name="organization_edit"),
    path("orgs/<int:org_id>/move/", organizations.organization_move_view, name="organization_move"),
    path("members/new/", members.member_create_view, name="member_create"),
    path("members/<int:member_id>/", members.member, name="member"),
    path("members/<int:member_id>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:member_id>/transfer/", members.member_transfer_view, name="member_transfer"),
    path("members/<int:member_id>/reveal-id/", members.member_reveal_id, name="member_reveal_id"),
    path("users/", accounts.accounts, name="accounts"),
    path("users/new/", accounts.account_create_view, name="account_create"),
    path("users/<int:account_id>/", accounts.account, name="account"),
    path("users/<int:account_id>/grant/", accounts.account_grant, name="account_grant"),
    path(
        "users/<int:account_id>/grants/<int:grant_id>/revoke/",
        accounts.account_revoke,
        name="account_revoke",
    ),
    path("users/<int:account_id>/active/", accounts.account_set_active_view, name="account_active"),
    path("audit/", audit.audit, name="audit"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("audit/<int:pk>/", audit.audit_event, name="audit_event"),
]
