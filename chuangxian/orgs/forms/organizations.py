from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.orgs.forms.fields import OrganizationChoiceField, date_field
from chuangxian.orgs.models import Organization, OrgKind, Sector
from chuangxian.orgs.services.organizations import OrganizationValues


class OrganizationForm(forms.Form):
    code = forms.CharField(label=_("组织编码"), max_length=32)
    name = forms.CharField(label=_("组织名称"), max_length=100)
    kind = forms.ChoiceField(label=_("组织类别"), choices=OrgKind.choices)
    sector = forms.ChoiceField(label=_("所属领域"), choices=Sector.choices)
    established_on = date_field(_("成立日期"))
    term_started_on = date_field(_("本届开始日期"))
    term_ends_on = date_field(
        _("本届届满日期"), help_text=_("村、社区党组织每届5年，其他党组织每届3年。")
    )

    @classmethod
    def initial_from(cls, org: Organization) -> dict[str, Any]:
        return {name: getattr(org, name) for name in cls.base_fields}

    def values(self) -> OrganizationValues:
        return OrganizationValues(**self.cleaned_data)


class OrganizationMoveForm(forms.Form):
    new_parent = OrganizationChoiceField(label=_("新的上级组织"), empty_label=None)
    reason = forms.CharField(label=_("调整原因"), max_length=200, required=False)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = parents
