from django.urls import path

from chuangxian.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.year_list, name="years"),
    path("<int:year>/", views.year_edit, name="year"),
]
