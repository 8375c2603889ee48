from django.conf import settings
from django.urls import URLPattern, path

from chuangxian.appraisal.views import public

app_name = "public_appraisal"
urlpatterns: list[URLPattern] = [
    path("t/<str:token>/", public.ballot, name="ballot"),
    path("thanks/", public.thanks, name="thanks"),
]

# Only for bench/appraisal_intake.py, which switches it on in its own server process.
if getattr(settings, "CHUANGXIAN_BENCH_BARE_ENDPOINT", False):
    from chuangxian.appraisal.views import bench

    urlpatterns.append(path("bench-bare/", bench.bare, name="bench_bare"))
