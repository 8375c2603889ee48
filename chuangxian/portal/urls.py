from django.urls import path

from chuangxian.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("orgs/<str:code>/", views.organization, name="organization"),
]
