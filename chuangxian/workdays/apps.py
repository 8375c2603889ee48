from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "chuangxian.workdays"
    verbose_name = _("节假日安排")
