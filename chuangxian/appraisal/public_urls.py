from django.urls import URLPattern

app_name = "public_appraisal"
urlpatterns: list[URLPattern] = []
