from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "chuangxian.appraisal"
    verbose_name = "考评"
