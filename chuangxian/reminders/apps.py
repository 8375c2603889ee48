from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "chuangxian.reminders"
    verbose_name = "提醒"

    def ready(self) -> None:
        from chuangxian.reminders import terms  # noqa: F401  (registers its producer)
