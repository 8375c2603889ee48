from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "chuangxian.support"
    verbose_name = "帮扶与保障"

    def ready(self) -> None:
        from chuangxian.support import reminders  # noqa: F401  (registers its producer)
