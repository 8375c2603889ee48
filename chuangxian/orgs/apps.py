from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "chuangxian.orgs"
    verbose_name = "党组织与党员"
