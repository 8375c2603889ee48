from django.urls import path

from chuangxian.commitments.views import public

app_name = "public_commitments"
urlpatterns = [
    path("", public.index, name="index"),
    path("files/<uuid:token>/", public.evidence, name="evidence"),
    path("<str:code>/", public.wall, name="wall"),
    path("<str:code>/cards/", public.cards, name="cards"),
    path("<str:code>/items/<int:item_id>/", public.item, name="item"),
    path("<str:code>/items/<int:item_id>/rate/", public.rate, name="rate"),
]
