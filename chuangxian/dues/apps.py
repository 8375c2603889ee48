from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "chuangxian.dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from chuangxian.dues import alerts  # noqa: F401  (registers its reminder producer)
