from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "chuangxian.learning"
    verbose_name = "学习教育"
