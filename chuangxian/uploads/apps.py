from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "chuangxian.uploads"
    verbose_name = "附件"
