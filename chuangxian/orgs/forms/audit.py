import datetime as dt
import json
from typing import Any

from django import forms
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import BATCH
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
            # A batch event (many members created at once) names its objects inside `changes`,
            # stored as JSON text: with non-ASCII as is, or escaped (\uXXXX) as the ORM
            # writes it on SQLite; both spellings are looked for.
            escaped = json.dumps(text)[1:-1]
            in_batch = Q(changes_text__icontains=text) | Q(changes_text__icontains=escaped)
            events = events.annotate(changes_text=Cast("changes", TextField())).filter(
                Q(object_label__icontains=text)
                | Q(object_id=text)
                | Q(actor_label__icontains=text)
                | (Q(changes__has_key=BATCH) & in_batch)
            )
        return events
