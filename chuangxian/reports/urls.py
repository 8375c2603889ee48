from django.urls import path

from chuangxian.reports import views, views_calendar, views_periodic

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_view, name="home"),
    path("<int:org_id>/", views.dashboard_view, name="dashboard"),
    path("<int:org_id>/export/<str:group_key>/", views.dashboard_export, name="export"),
    path("calendar/", views_calendar.calendar_page, name="calendar_home"),
    path("calendar/<int:org_id>/", views_calendar.calendar_page, name="calendar"),
    path("periodic/", views_periodic.report_list, name="periodic_list"),
    path(
        "periodic/<int:org_id>/<str:kind>/<str:period_code>/",
        views_periodic.report_page,
        name="periodic",
    ),
    path(
        "periodic/<int:org_id>/<str:kind>/<str:period_code>/return/",
        views_periodic.report_return_view,
        name="periodic_return",
    ),
    path(
        "periodic/<int:org_id>/<str:kind>/<str:period_code>/export/",
        views_periodic.report_export,
        name="periodic_export",
    ),
]
