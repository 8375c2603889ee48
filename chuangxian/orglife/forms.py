"""Forms of the meeting pages. They read and check input; the services decide."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangxian.orglife.models import CHECKIN_WINDOW_MINUTES, AttendeeScope, MeetingType
from chuangxian.orglife.roster import groups_of, roster_of
from chuangxian.orglife.services.meetings import GROUP_TYPES, MeetingValues
from chuangxian.orgs.models import Organization, OrgKind

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL_INPUT)


def _local_datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        **kwargs,
    )


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.name}（{obj.organization.name}）"
            if obj.organization.kind == OrgKind.GROUP
            else str(obj.name)
        )


class MeetingForm(forms.Form):
    meeting_type = forms.ChoiceField(label=_("会议类型"), choices=MeetingType.choices)
    topic = forms.CharField(label=_("主题"), max_length=200)
    planned_start = _local_datetime_field(_("计划时间"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    host = MemberChoiceField(label=_("主持人"), queryset=None, required=False)
    recorder = MemberChoiceField(label=_("记录人"), queryset=None, required=False)
    lecturer = forms.CharField(
        label=_("授课人"), max_length=50, required=False, help_text=_("党课必填")
    )
    attendee_scope = forms.ChoiceField(label=_("应到范围"), choices=AttendeeScope.choices)
    attendee_group: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("参会党小组"),
        queryset=None,
        required=False,
        help_text=_("应到范围为党小组成员时选择"),
        # static/chuangxian/app.js shows the field only for that scope (all show without JS).
        widget=forms.Select(attrs={"data-show-if": "attendee_scope=group"}),
    )
    chosen: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("指定人员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-show-if": "attendee_scope=chosen"}),
        help_text=_("应到范围为指定人员时勾选"),
    )
    checkin_window_minutes = forms.IntegerField(
        label=_("签到时段（开始前后分钟数）"),
        initial=CHECKIN_WINDOW_MINUTES,
        min_value=5,
        max_value=240,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roster = roster_of(organization).select_related("organization").order_by("name", "id")
        for name in ("host", "recorder", "chosen"):
            self.fields[name].queryset = roster  # type: ignore[attr-defined]
        self.fields["attendee_group"].queryset = groups_of(organization)  # type: ignore[attr-defined]
        if organization.kind == OrgKind.GROUP:
            allowed = [c for c in MeetingType.choices if c[0] in GROUP_TYPES]
            self.fields["meeting_type"].choices = allowed  # type: ignore[attr-defined]
            self.fields["attendee_scope"].choices = [  # type: ignore[attr-defined]
                c
                for c in AttendeeScope.choices
                if c[0] in (AttendeeScope.ALL_MEMBERS, AttendeeScope.CHOSEN)
            ]
            del self.fields["attendee_group"]
        else:
            self.fields["meeting_type"].choices = [  # type: ignore[attr-defined]
                c for c in MeetingType.choices if c[0] != MeetingType.GROUP
            ]

    @staticmethod
    def initial_from(meeting: Any) -> dict[str, Any]:
        return {
            "meeting_type": meeting.meeting_type,
            "topic": meeting.topic,
            "planned_start": timezone.localtime(meeting.planned_start),
            "place": meeting.place,
            "host": meeting.host_id,
            "recorder": meeting.recorder_id,
            "lecturer": meeting.lecturer,
            "attendee_scope": meeting.attendee_scope,
            "attendee_group": meeting.attendee_group_id,
            "chosen": list(meeting.attendances.values_list("member_id", flat=True))
            if meeting.attendee_scope == AttendeeScope.CHOSEN
            else [],
            "checkin_window_minutes": meeting.checkin_window_minutes,
        }

    def values(self) -> MeetingValues:
        data = self.cleaned_data
        return MeetingValues(
            meeting_type=data["meeting_type"],
            topic=data["topic"],
            planned_start=data["planned_start"],
            place=data["place"],
            host=data["host"],
            recorder=data["recorder"],
            lecturer=data["lecturer"],
            attendee_scope=data["attendee_scope"],
            attendee_group=data.get("attendee_group"),
            chosen=tuple(m.pk for m in data["chosen"]),
            checkin_window_minutes=data["checkin_window_minutes"],
        )


class HoldForm(forms.Form):
    held_start = _local_datetime_field(_("实际召开时间"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议记录"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_("纯文本；空一行为分段。"),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（图片、PDF、Word/Excel/PowerPoint）"))


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("审批意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttendeeAddForm(forms.Form):
    member = MemberChoiceField(label=_("增加应到人员"), queryset=None)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates  # type: ignore[attr-defined]


class ExemptionForm(forms.Form):
    organization_code = forms.CharField(label=_("组织编码"), max_length=32)
    meeting_type = forms.ChoiceField(
        label=_("会议类型"),
        choices=[("", _("全部会议")), *list(MeetingType.choices)],
        required=False,
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts, dt.date) and isinstance(ends, dt.date) and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期"))
        return data
