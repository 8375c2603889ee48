from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "chuangxian.orglife"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from chuangxian.orglife import duty_reminders, reminders  # noqa: F401  (register producers)
