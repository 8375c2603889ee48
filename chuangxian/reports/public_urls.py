from django.urls import path

from chuangxian.reports import views_calendar

# The feeds a phone's calendar app fetches without a login: the signed token is the key.
app_name = "reports_feeds"
urlpatterns = [
    path("<str:token>.ics", views_calendar.feed, name="feed"),
]
