from typing import Any

from django.apps import AppConfig
from django.core import checks


def check_field_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from chuangxian.orgs.keycheck import field_key_problem

    problem = field_key_problem()
    if problem is None:
        return []
    return [checks.Critical(problem, id="chuangxian.E001")]


class OrgsConfig(AppConfig):
    name = "chuangxian.orgs"
    verbose_name = "党组织与党员"

    def ready(self) -> None:
        checks.register(check_field_key)
