from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "chuangxian.commitments"
    verbose_name = "公开承诺"

    def ready(self) -> None:
        from chuangxian.commitments import reminders  # noqa: F401  (registers its producer)
