from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "chuangxian.campaigns"
    verbose_name = "创先争优活动"

    def ready(self) -> None:
        from chuangxian.campaigns import reminders  # noqa: F401  (registers its producer)
