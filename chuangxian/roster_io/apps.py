from django.apps import AppConfig


class RosterIoConfig(AppConfig):
    name = "chuangxian.roster_io"
    verbose_name = "花名册导入导出"
