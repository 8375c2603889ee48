from django.urls import path

from chuangxian.campaigns.views import campaigns, letters, standards, targets

app_name = "campaigns"
urlpatterns = [
    path("", campaigns.campaign_list_view, name="list"),
    path("new/", campaigns.campaign_create_view, name="create"),
    path("<int:campaign_id>/", campaigns.campaign_page, name="campaign"),
    path("<int:campaign_id>/edit/", campaigns.campaign_edit, name="edit"),
    path(
        "<int:campaign_id>/activate/",
        campaigns.campaign_transition,
        {"action": "activate"},
        name="activate",
    ),
    path(
        "<int:campaign_id>/close/",
        campaigns.campaign_transition,
        {"action": "close"},
        name="close",
    ),
    # standards
    path("<int:campaign_id>/standards/", standards.standards_general, name="standards"),
    path(
        "<int:campaign_id>/standards/refine/", standards.standards_refine, name="standards_refine"
    ),
    path(
        "<int:campaign_id>/standards/sector/<str:sector>/",
        standards.standards_sector,
        name="standards_sector",
    ),
    path(
        "<int:campaign_id>/standards/org/<int:org_id>/",
        standards.standards_org,
        name="standards_org",
    ),
    path("standards/<int:item_id>/edit/", standards.standard_item_edit, name="standard_edit"),
    path("standards/<int:item_id>/delete/", standards.standard_item_remove, name="standard_delete"),
    # targets
    path("<int:campaign_id>/org/<int:org_id>/targets/", targets.targets_page, name="targets"),
    path(
        "<int:campaign_id>/org/<int:org_id>/targets/new/",
        targets.target_set_view,
        name="target_set",
    ),
    path(
        "<int:campaign_id>/org/<int:org_id>/export/",
        targets.targets_export_view,
        name="export",
    ),
    path("targets/<int:item_id>/", targets.target_page, name="target"),
    path("targets/<int:item_id>/edit/", targets.target_edit, name="target_edit"),
    path("targets/<int:item_id>/delete/", targets.target_remove, name="target_delete"),
    path("targets/<int:item_id>/decompose/", targets.target_decompose_view, name="decompose"),
    path("targets/<int:item_id>/progress/", targets.target_progress_view, name="progress"),
    path("evidence/<str:token>/", targets.evidence_file, name="evidence"),
    # letters
    path("letters/<int:letter_id>/", letters.letter_page, name="letter"),
    path("letters/<int:letter_id>/sign/<str:side>/", letters.letter_sign_view, name="sign"),
    path("letters/<int:letter_id>/self-check/", letters.letter_self_check_view, name="self_check"),
    path("letters/<int:letter_id>/review/", letters.letter_review_view, name="review"),
]
