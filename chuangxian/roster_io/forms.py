from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.roster_io.uploads import upload_problem


class ImportForm(forms.Form):
    file = forms.FileField(label=_("花名册文件（.xlsx、.xls、.csv）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入（试导入）"), required=False)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        content: bytes = upload.read()
        if problem := upload_problem(upload.name, content):
            raise forms.ValidationError(problem)
        self.file_name: str = upload.name
        return content
