from django.urls import path

from chuangxian.openness.views import cards, consultations, public

app_name = "public_openness"
urlpatterns = [
    path("photos/<uuid:token>/", public.photo, name="photo"),
    path("cards/<uuid:token>/", cards.public_card, name="card"),
    path("cards/<uuid:token>/rate/", cards.public_rate, name="card_rate"),
    path("cards/<uuid:token>/photo/", cards.public_photo, name="card_photo"),
    path("<str:code>/", public.wall, name="wall"),
    path("<str:code>/opinions/new/", public.submit, name="submit"),
    path("<str:code>/opinions/<int:opinion_id>/report/", public.report, name="report"),
    path("<str:code>/follow/<str:token>/", public.follow, name="follow"),
    path("<str:code>/follow/<str:token>/rate/", public.rate, name="rate"),
    path("<str:code>/follow/<str:token>/reopen/", public.reopen, name="reopen"),
    path("<str:code>/disclosures/<int:disclosure_id>/", public.disclosure, name="disclosure"),
    path("<str:code>/qr/", public.qr_sheet, name="qr"),
    path(
        "<str:code>/consultations/<int:consultation_id>/",
        consultations.public_detail,
        name="consultation",
    ),
    path(
        "<str:code>/consultations/<int:consultation_id>/comment/",
        consultations.public_comment,
        name="consultation_comment",
    ),
]
