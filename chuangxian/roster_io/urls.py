from django.urls import path

from chuangxian.roster_io import views

app_name = "roster"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<int:job_id>/", views.job_page, name="job"),
    path("import/<int:job_id>/errors.xlsx", views.job_errors, name="job_errors"),
    path("template.xlsx", views.template_download, name="template"),
    path("export.xlsx", views.export, name="export"),
    path("worker-status/", views.worker_status, name="worker_status"),
]
