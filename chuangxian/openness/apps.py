from django.apps import AppConfig


class OpennessConfig(AppConfig):
    name = "chuangxian.openness"
    verbose_name = "党务公开与群众监督"

    def ready(self) -> None:
        from chuangxian.openness import metrics, reminders  # noqa: F401  (registers producers)

        metrics.register_openness_metrics()
