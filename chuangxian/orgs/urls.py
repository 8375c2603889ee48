from django.urls import URLPattern

app_name = "orgs"
urlpatterns: list[URLPattern] = []
