from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "chuangxian.campaigns"
    verbose_name = "创先争优活动"
