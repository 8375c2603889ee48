from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonorsConfig(AppConfig):
    name = "chuangxian.honors"
    verbose_name = _("评先评优与积分")

    def ready(self) -> None:
        # honors is above appraisal: it adds its metric to appraisal's registry, never the
        # other way round.
        from chuangxian.honors import metrics

        metrics.register()
