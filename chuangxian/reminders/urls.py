from django.urls import path

from chuangxian.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.reminder_list, name="list"),
    path("<int:reminder_id>/open/", views.reminder_open, name="open"),
]
