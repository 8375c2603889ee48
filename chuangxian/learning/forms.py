"""Forms of the learning pages. Choices of organizations, campaigns and courses are set by the
view from the access layer; forms only parse, services decide."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chuangxian.campaigns.models import Campaign
from chuangxian.learning.models import Course, QuestionKind
from chuangxian.learning.services.exams import ExamValues
from chuangxian.learning.services.questions import QuestionValues, parse_answer
from chuangxian.orgs.forms.fields import OrganizationChoiceField
from chuangxian.roster_io.uploads import upload_problem

HOURS_HELP = _("全天8学时，半天4学时，其余按1小时1学时；以0.5为单位。")


def hours_field(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal(80),
        required=required,
        help_text=HOURS_HELP,
    )


class OrganizationForm(forms.Form):
    organization = OrganizationChoiceField(label=_("党组织"), empty_label=None)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class PlanForm(OrganizationForm):
    campaign: forms.ModelChoiceField[Campaign] = forms.ModelChoiceField(
        label=_("创先争优活动周期"), queryset=Campaign.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("计划名称"), max_length=100)
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns


class PlanItemForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("月份"),
        choices=[(m, format_lazy(_("{month}月"), month=m)) for m in range(1, 13)],
        coerce=int,
    )
    topic = forms.CharField(label=_("学习专题"), max_length=200)
    materials = forms.CharField(
        label=_("学习材料"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    hours = hours_field(_("计划学时"), required=False)
    course: forms.ModelChoiceField[Course] = forms.ModelChoiceField(
        label=_("对应网络课程"), queryset=Course.objects.none(), required=False
    )

    def __init__(self, *args: Any, courses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["course"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = courses


class CourseForm(OrganizationForm):
    title = forms.CharField(label=_("课程名称"), max_length=100)
    description = forms.CharField(
        label=_("课程简介"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    hours = hours_field(_("学时"))


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=100)
    file = forms.FileField(
        label=_("文档"),
        required=False,
        help_text=_("PDF、Word、Excel、PowerPoint 或图片，10 MB 以内。"),
    )
    url = forms.CharField(
        label=_("视频链接"),
        max_length=500,
        required=False,
        help_text=_("只保存链接文字，页面上显示为链接，不嵌入外部内容。"),
    )


class CreditForm(forms.Form):
    hours = hours_field(_("认定学时"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx、.xls、.csv）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入（试导入）"), required=False)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        content: bytes = upload.read()
        if problem := upload_problem(upload.name, content):
            raise forms.ValidationError(problem)
        self.file_name: str = upload.name
        return content


class XuexiImportForm(ImportForm):
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        help_text=_("文件中没有“年度”列时，积分记入此年度。"),
    )


class QuestionImportForm(ImportForm, OrganizationForm):
    pass


class QuestionForm(OrganizationForm):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题干"), widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label=_("选项"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("每行一个选项（依次为A、B、C…）；判断题不填。"),
    )
    answer = forms.CharField(
        label=_("答案"), max_length=20, help_text=_("如 B、ACD；判断题填“正确”或“错误”。")
    )
    tags = forms.CharField(label=_("标签"), max_length=100, required=False)
    explanation = forms.CharField(
        label=_("解析"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        options = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        data["option_list"] = [] if kind == QuestionKind.JUDGE else options
        if kind and "answer" in data:
            try:
                data["answer_list"] = parse_answer(kind, data["answer"], len(data["option_list"]))
            except ValueError as error:
                self.add_error("answer", str(error))
        return data

    def values(self) -> QuestionValues:
        data = self.cleaned_data
        return QuestionValues(
            kind=data["kind"],
            text=data["text"],
            options=data["option_list"],
            answer=data["answer_list"],
            tags=data["tags"],
            explanation=data["explanation"],
        )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


class ExamForm(OrganizationForm):
    title = forms.CharField(label=_("考试名称"), max_length=100)
    opens_at = _datetime_field(_("开始时间"))
    closes_at = _datetime_field(_("截止时间"))
    time_limit_minutes = forms.IntegerField(label=_("答题时限（分钟）"), min_value=1, max_value=300)
    pass_mark = forms.IntegerField(
        label=_("及格分（百分制）"), min_value=0, max_value=100, initial=60
    )
    attempt_limit = forms.IntegerField(
        label=_("允许作答次数"), min_value=1, max_value=10, initial=1
    )
    single_count = forms.IntegerField(label=_("单选题数"), min_value=0, max_value=200, initial=0)
    multiple_count = forms.IntegerField(label=_("多选题数"), min_value=0, max_value=200, initial=0)
    judge_count = forms.IntegerField(label=_("判断题数"), min_value=0, max_value=200, initial=0)
    tag = forms.CharField(
        label=_("只抽取标签"),
        max_length=30,
        required=False,
        help_text=_("留空则从全部试题中抽取。"),
    )

    @staticmethod
    def initial_times(now: dt.datetime) -> dict[str, Any]:
        local = timezone.localtime(now).replace(second=0, microsecond=0)
        return {"opens_at": local, "closes_at": local + dt.timedelta(days=7)}

    def values(self) -> ExamValues:
        data = self.cleaned_data
        return ExamValues(
            title=data["title"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            time_limit_minutes=data["time_limit_minutes"],
            pass_mark=data["pass_mark"],
            attempt_limit=data["attempt_limit"],
            single_count=data["single_count"],
            multiple_count=data["multiple_count"],
            judge_count=data["judge_count"],
            tag=data["tag"],
        )
