from django.urls import path

from chuangxian.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_view, name="home"),
    path("<int:org_id>/", views.dashboard_view, name="dashboard"),
    path("<int:org_id>/export/<str:group_key>/", views.dashboard_export, name="export"),
]
