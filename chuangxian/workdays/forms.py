from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.workdays.schedule import ScheduledDay, ScheduleError, parse_schedule


class ScheduleForm(forms.Form):
    schedule = forms.CharField(
        label=_("节假日和调休安排"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        required=False,
        help_text=_(
            "每行一个日期或日期范围：“2027-10-01~2027-10-07 休 国庆节”，"
            "调休上班写“2027-09-26 班 国庆节调休”。"
            "只写与“周一至周五上班”不同的日子。"
        ),
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.days: list[ScheduledDay] = []

    def clean_schedule(self) -> str:
        text: str = self.cleaned_data["schedule"]
        try:
            self.days = parse_schedule(text, year=self.year)
        except ScheduleError as error:
            raise forms.ValidationError(error.problems)
        return text
