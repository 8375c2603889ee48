from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "chuangxian.operations"
    verbose_name = "运维（备份、恢复、密钥轮换）"
