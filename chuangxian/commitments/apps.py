from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "chuangxian.commitments"
    verbose_name = "公开承诺"
