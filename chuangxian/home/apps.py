from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "chuangxian.home"
    label = "home"
    verbose_name = "首页"
