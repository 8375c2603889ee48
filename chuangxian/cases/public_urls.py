from django.urls import path

from chuangxian.cases.views import public

app_name = "public_cases"
urlpatterns = [
    path("", public.index, name="index"),
    path("files/<uuid:token>/", public.file, name="file"),
    path("<int:case_id>/", public.case, name="case"),
]
