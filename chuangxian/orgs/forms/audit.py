import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.forms.fields import date_field


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"), choices=[("", _("全部")), *AuditAction.choices], required=False
    )
    date_from = date_field(_("起始日期"))
    date_to = date_field(_("截止日期"))
    text = forms.CharField(
        label=_("对象或操作人"),
        required=False,
        max_length=100,
        help_text=_("姓名、组织名称、编号或操作人账号"),
    )

    def filter(self, events: QuerySet[AuditEvent], *, tz: Any) -> QuerySet[AuditEvent]:
        """Narrow an already scoped queryset by the filters (all optional)."""
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz)
            events = events.filter(at__gte=start)
        if data["date_to"]:
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
            events = events.filter(at__lt=end)
        if text := data["text"].strip():
            events = events.filter(
                Q(object_label__icontains=text) | Q(object_id=text) | Q(actor_label__icontains=text)
            )
        return events
