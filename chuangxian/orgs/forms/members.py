import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.orgs.forms.fields import OrganizationChoiceField, date_field
from chuangxian.orgs.models import (
    Education,
    Gender,
    Member,
    MemberCategory,
    MemberStatus,
)
from chuangxian.orgs.rules import ETHNIC_GROUPS, MemberValues


class MemberForm(forms.Form):
    """The member's own fields. On edit the ID number may be left empty to keep it: the form
    never shows the stored number, so editing a record is not a way around the audited reveal."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(
        label=_("民族"), choices=[(e, _(e)) for e in ETHNIC_GROUPS], initial="汉族"
    )
    id_number = forms.CharField(label=_("公民身份号码"), max_length=40)
    birth_date = date_field(_("出生日期"), help_text=_("不填则按公民身份号码自动取得"))
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", "—"), *Education.choices], required=False
    )
    category = forms.ChoiceField(label=_("人员类别"), choices=MemberCategory.choices)
    joined_on = date_field(_("入党日期"), required=True)
    confirmed_on = date_field(_("转正日期"), help_text=_("预备党员不填"))
    party_post = forms.CharField(label=_("党内职务"), max_length=50, required=False)
    work_post = forms.CharField(label=_("工作单位及职务"), max_length=100, required=False)
    in_hardship = forms.BooleanField(label=_("困难党员"), required=False)
    is_mobile = forms.BooleanField(label=_("流动党员"), required=False)
    status = forms.ChoiceField(
        label=_("党籍状态"), choices=MemberStatus.choices, initial=MemberStatus.ACTIVE
    )

    def __init__(self, *args: Any, editing: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        id_field = self.fields["id_number"]
        id_field.widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        if editing is None:
            # A new member is 在册; the other states are reached by editing or transferring.
            del self.fields["status"]
        else:
            id_field.required = False
            id_field.help_text = _("留空则保持原号码（%(masked)s）不变") % {
                "masked": editing.id_number_masked
            }

    @classmethod
    def initial_from(cls, member: Member) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name != "id_number"]
        return {name: getattr(member, name) for name in names}

    def values(self) -> MemberValues:
        data = dict(self.cleaned_data)
        if self.editing is not None and not data.get("id_number"):
            data["id_number"] = self.editing.id_number
        data.setdefault("status", MemberStatus.ACTIVE)
        return MemberValues(**data)


class MemberTransferForm(forms.Form):
    to_organization = OrganizationChoiceField(
        label=_("转入组织（本系统内）"),
        required=False,
        empty_label=_("（转往系统外组织）"),
    )
    destination_text = forms.CharField(
        label=_("转往的系统外组织"),
        max_length=200,
        required=False,
        help_text=_("转入组织不在本系统时填写，如“某省某市某党支部”"),
    )
    transferred_on = date_field(_("转接日期"), required=True)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(
        self, *args: Any, destinations: Any, today: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = destinations
        if today is not None:
            self.fields["transferred_on"].initial = today
