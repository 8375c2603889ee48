from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "chuangxian.cases"
    verbose_name = "典型经验与示范点"
