from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "chuangxian.portal"
    verbose_name = "公开门户"
