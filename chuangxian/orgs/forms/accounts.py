from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from chuangxian.orgs.forms.fields import OrganizationChoiceField
from chuangxian.orgs.models import Role


class RoleGrantForm(forms.Form):
    organization = OrganizationChoiceField(label=_("授权组织"), empty_label=None)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class AccountCreateForm(RoleGrantForm):
    """A new login and its first role, so the account lies in the creator's scope from the
    start (an account without a grant or a member would be invisible to every administrator)."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("手机号码"), max_length=20, required=False, help_text=_("可用手机号码登录")
    )
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "display_name", "phone", "password", "organization", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = " ".join(password_validators_help_texts())


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("用户名、姓名或手机号码"), required=False, max_length=50)
