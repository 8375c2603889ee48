from django.urls import URLPattern

app_name = "public_commitments"
urlpatterns: list[URLPattern] = []
