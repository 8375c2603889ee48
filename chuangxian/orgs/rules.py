"""The rules a member record must satisfy, shared by the forms, the importer and the demo.

`check_member` returns every problem at once, as {field: Chinese message}, so the importer can
report all bad cells of a row and a form can show every error beside its field.
"""

import datetime as dt
from dataclasses import dataclass, fields

from django.utils.translation import gettext_noop

from chuangxian.orgs import idnumber
from chuangxian.orgs.models import Education, Gender, MemberCategory, MemberStatus
from chuangxian.orgs.phone import PhoneError, normalize_mobile

# The 56 ethnic groups as the national standard names them (GB 3304); marked for the
# catalog, shown through gettext (the stored value is always the Chinese name).
ETHNIC_GROUPS = [
    gettext_noop("汉族"),
    gettext_noop("蒙古族"),
    gettext_noop("回族"),
    gettext_noop("藏族"),
    gettext_noop("维吾尔族"),
    gettext_noop("苗族"),
    gettext_noop("彝族"),
    gettext_noop("壮族"),
    gettext_noop("布依族"),
    gettext_noop("朝鲜族"),
    gettext_noop("满族"),
    gettext_noop("侗族"),
    gettext_noop("瑶族"),
    gettext_noop("白族"),
    gettext_noop("土家族"),
    gettext_noop("哈尼族"),
    gettext_noop("哈萨克族"),
    gettext_noop("傣族"),
    gettext_noop("黎族"),
    gettext_noop("傈僳族"),
    gettext_noop("佤族"),
    gettext_noop("畲族"),
    gettext_noop("高山族"),
    gettext_noop("拉祜族"),
    gettext_noop("水族"),
    gettext_noop("东乡族"),
    gettext_noop("纳西族"),
    gettext_noop("景颇族"),
    gettext_noop("柯尔克孜族"),
    gettext_noop("土族"),
    gettext_noop("达斡尔族"),
    gettext_noop("仫佬族"),
    gettext_noop("羌族"),
    gettext_noop("布朗族"),
    gettext_noop("撒拉族"),
    gettext_noop("毛南族"),
    gettext_noop("仡佬族"),
    gettext_noop("锡伯族"),
    gettext_noop("阿昌族"),
    gettext_noop("普米族"),
    gettext_noop("塔吉克族"),
    gettext_noop("怒族"),
    gettext_noop("乌孜别克族"),
    gettext_noop("俄罗斯族"),
    gettext_noop("鄂温克族"),
    gettext_noop("德昂族"),
    gettext_noop("保安族"),
    gettext_noop("裕固族"),
    gettext_noop("京族"),
    gettext_noop("塔塔尔族"),
    gettext_noop("独龙族"),
    gettext_noop("鄂伦春族"),
    gettext_noop("赫哲族"),
    gettext_noop("门巴族"),
    gettext_noop("珞巴族"),
    gettext_noop("基诺族"),
]
_ETHNIC_SET = frozenset(ETHNIC_GROUPS)
MIN_JOIN_AGE = 18
# Frozen once: the importer checks 100,000 rows and rebuilding a choices list per row shows.
_GENDERS = frozenset(Gender.values)
_EDUCATIONS = frozenset(Education.values)
_CATEGORIES = frozenset(MemberCategory.values)
_STATUSES = frozenset(MemberStatus.values)
_PROBATIONARY = MemberCategory.PROBATIONARY.value
_MOBILE_SECOND = frozenset("3456789")
_EDUCATION_HINT = "应为：" + "、".join(Education.values)
_STATUS_HINT = "应为：" + "、".join(MemberStatus.values)

# The user-facing names of the fields, used in every message.
FIELD_LABELS = {
    "name": gettext_noop("姓名"),
    "gender": gettext_noop("性别"),
    "ethnicity": gettext_noop("民族"),
    "birth_date": gettext_noop("出生日期"),
    "id_number": gettext_noop("公民身份号码"),
    "phone": gettext_noop("手机号码"),
    "education": gettext_noop("学历"),
    "joined_on": gettext_noop("入党日期"),
    "confirmed_on": gettext_noop("转正日期"),
    "category": gettext_noop("人员类别"),
    "party_post": gettext_noop("党内职务"),
    "work_post": gettext_noop("工作单位及职务"),
    "in_hardship": gettext_noop("困难党员"),
    "is_mobile": gettext_noop("流动党员"),
    "status": gettext_noop("党籍状态"),
}


@dataclass
class MemberValues:
    """A member record's own fields (the organization is passed separately)."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date | None
    id_number: str
    joined_on: dt.date | None
    category: str
    phone: str = ""
    education: str = ""
    confirmed_on: dt.date | None = None
    party_post: str = ""
    work_post: str = ""
    in_hardship: bool = False
    is_mobile: bool = False
    status: str = MemberStatus.ACTIVE

    def as_model_fields(self) -> dict[str, object]:
        """Everything but the ID number, which the model stores encrypted."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "id_number"}


def normalize_ethnicity(raw: str) -> str:
    value = raw.strip()
    if value and value not in _ETHNIC_SET and f"{value}族" in _ETHNIC_SET:
        return f"{value}族"
    return value


def check_member(values: MemberValues, *, today: dt.date) -> dict[str, str]:
    """Validate and normalize `values` in place; return {field: message} for every problem.

    (The importer runs this for every row: fields are read into locals once.)"""
    errors: dict[str, str] = {}
    name = values.name = values.name.strip()
    if not name:
        errors["name"] = "不能为空"
    elif len(name) > 50:
        errors["name"] = "不能超过50个字"

    born_from_id: dt.date | None = None
    try:
        values.id_number, born_from_id = idnumber.validate_with_birth_date(
            values.id_number, today=today
        )
    except idnumber.IDNumberError as error:
        errors["id_number"] = str(error)

    gender = values.gender
    if gender not in _GENDERS:
        errors["gender"] = "应为“男”或“女”"
    elif born_from_id is not None and idnumber.gender_of(values.id_number) != gender:
        errors["gender"] = "与公民身份号码的性别位不一致"

    ethnicity = values.ethnicity
    if ethnicity not in _ETHNIC_SET:  # already the standard name: nothing to normalize
        ethnicity = values.ethnicity = normalize_ethnicity(ethnicity)
        if ethnicity not in _ETHNIC_SET:
            errors["ethnicity"] = "不是56个民族之一的规范名称（如“汉族”）"

    born = values.birth_date
    if born is None:
        if born_from_id is not None:
            born = values.birth_date = born_from_id
        else:
            errors.setdefault("birth_date", "不能为空")
    elif born_from_id is not None and born != born_from_id:
        errors["birth_date"] = f"与公民身份号码中的出生日期（{born_from_id:%Y-%m-%d}）不一致"

    phone = values.phone
    # Fast path for the common, already normal number; normalize_mobile gives the same answer.
    if phone and not (
        len(phone) == 11
        and phone.isascii()
        and phone.isdigit()
        and phone[0] == "1"
        and phone[1] in _MOBILE_SECOND
    ):
        try:
            values.phone = normalize_mobile(phone)
        except PhoneError as error:
            errors["phone"] = str(error)

    education = values.education
    if education and education not in _EDUCATIONS:
        errors["education"] = _EDUCATION_HINT

    category = values.category
    if category not in _CATEGORIES:
        errors["category"] = "应为“正式党员”或“预备党员”"

    joined = values.joined_on
    if joined is None:
        errors["joined_on"] = "不能为空"
    elif joined > today:
        errors["joined_on"] = "不能晚于今天"
    elif born is not None and (  # the age on joining
        joined.year - born.year - ((joined.month, joined.day) < (born.month, born.day))
        < MIN_JOIN_AGE
    ):
        errors["joined_on"] = f"入党时未满{MIN_JOIN_AGE}周岁"
    confirmed = values.confirmed_on
    if confirmed is not None:
        if category == _PROBATIONARY:
            errors["confirmed_on"] = "预备党员不应有转正日期"
        elif joined is not None and confirmed < joined:
            errors["confirmed_on"] = "转正日期早于入党日期"
        elif confirmed > today:
            errors["confirmed_on"] = "不能晚于今天"

    if values.status not in _STATUSES:
        errors["status"] = _STATUS_HINT
    party_post = values.party_post = values.party_post.strip()
    work_post = values.work_post = values.work_post.strip()
    if len(party_post) > 50:
        errors["party_post"] = "不能超过50个字"
    if len(work_post) > 100:
        errors["work_post"] = "不能超过100个字"
    return errors
