from django.urls import path

from chuangxian.commitments.views import items, staff

app_name = "commitments"
urlpatterns = [
    path("", staff.commitment_list, name="list"),
    path("new/", staff.sheet_new, name="sheet_new"),
    path("review/", staff.review_queue, name="review"),
    path("export/", staff.export, name="export"),
    path("sheets/<int:sheet_id>/", staff.sheet, name="sheet"),
    path("sheets/<int:sheet_id>/submit/", staff.sheet_submit, name="sheet_submit"),
    path("sheets/<int:sheet_id>/publish/", staff.sheet_publish, name="sheet_publish"),
    path("items/<int:item_id>/", items.item_detail, name="item"),
    path("items/<int:item_id>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:item_id>/delete/", items.item_delete, name="item_delete"),
    path("items/<int:item_id>/approve/", staff.item_approve, name="item_approve"),
    path("items/<int:item_id>/return/", staff.item_return, name="item_return"),
    path("items/<int:item_id>/publish/", staff.item_publish, name="item_publish"),
    path("items/<int:item_id>/progress/", items.progress_add, name="progress_add"),
    path("items/<int:item_id>/comments/", items.comment_add, name="comment_add"),
    path("items/<int:item_id>/outcome/", items.item_outcome, name="item_outcome"),
    path("items/<int:item_id>/rate/", items.item_rate, name="item_rate"),
    path("items/<int:item_id>/close/", items.item_close, name="item_close"),
]
