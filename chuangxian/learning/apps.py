from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "chuangxian.learning"
    verbose_name = "学习教育"

    def ready(self) -> None:
        from chuangxian.learning import reminders  # noqa: F401  (registers its producer)
