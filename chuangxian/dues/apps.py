from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "chuangxian.dues"
    verbose_name = "党费"
