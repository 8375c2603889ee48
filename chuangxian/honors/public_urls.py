from django.urls import path

from chuangxian.honors.views import public

app_name = "public_honors"
urlpatterns = [
    path("", public.index, name="index"),
    path("notices/<int:batch_id>/", public.notice, name="notice"),
    path("<str:code>/", public.honor_roll, name="roll"),
]
