"""The English catalog: switching the language shows English, the default stays Chinese, and
every message in the catalog has a translation."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def _pages(tree) -> list[str]:  # type: ignore[no-untyped-def]
    return ["/", "/tree/", f"/orgs/{tree.branch_a1.pk}/", "/public/?q=甲镇"]


# (Chinese, English) pairs that must appear on every page for a logged-in county admin:
# the brand and the main navigation from the shared layout.
CHROME = [
    ("首页", "Home"),
    ("组织架构", "Organization structure"),
    ("公开承诺", "Public commitments"),
    ("组织生活", "Organizational life"),
    ("党费", "Party dues"),
    ("审计日志", "Audit log"),
    ("退出", "Log out"),
]


def _switch_to_english(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_english_after_choosing_it(client, tree):
    client.force_login(tree.county_admin)
    _switch_to_english(client)
    for url in _pages(tree):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert '<html lang="en">' in body, url
        assert "Strive for Excellence" in body, url
        for chinese, english in CHROME:
            assert english in body, (url, english)
            assert f">{chinese}<" not in body, (url, chinese)


def test_english_page_specific_text(client, tree):
    client.force_login(tree.county_admin)
    _switch_to_english(client)
    assert "Party organizations I manage" in client.get("/").content.decode()
    assert "Search by name or code" in client.get("/tree/").content.decode()
    org_page = client.get(f"/orgs/{tree.branch_a1.pk}/").content.decode()
    assert "Export roster" in org_page
    assert "Include subordinate organizations" in org_page
    public = client.get("/public/", {"q": "甲镇"}).content.decode()
    assert "Party organization public search" in public
    assert "甲镇一村党支部" in public  # data stays as entered


def test_public_page_in_english_by_cookie_without_login(client, tree):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/public/", {"q": "甲镇"}).content.decode()
    assert "Party organization public search" in body
    assert "党组织公开查询" not in body
    login = client.get("/accounts/login/").content.decode()
    assert "Log in" in login
    assert "Forgot your password?" in login


def test_chinese_by_default(client, tree):
    client.force_login(tree.county_admin)
    for url in _pages(tree):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert '<html lang="zh-hans">' in body, url
        for chinese, english in CHROME:
            assert chinese in body, (url, chinese)
            assert f">{english}<" not in body, (url, english)
    public = client.get("/public/", {"q": "甲镇"}).content.decode()
    assert "党组织公开查询" in public
    assert "Party organization public search" not in public


def _entries(text: str) -> list[dict[str, str]]:
    """The entries of a .po file as {keyword: unquoted string}; enough for our own catalog."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields:
            entries.append(fields | {"_comments": block})
    return entries


def test_catalog_is_complete():
    text = (CATALOG / "django.po").read_text(encoding="utf-8")
    entries = _entries(text)
    header = entries[0]
    assert header["msgid"] == ""
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    messages = entries[1:]
    assert len(messages) > 500
    assert "#, fuzzy" not in text
    placeholder = re.compile(r"%(?:\([^)]*\))?[sd%]")
    for entry in messages:
        msgid = entry["msgid"]
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        if "msgid_plural" in entry:
            assert len(translations) == 2, msgid
        assert translations, msgid
        for value in translations:
            assert value.strip(), msgid
            assert sorted(placeholder.findall(value)) == sorted(placeholder.findall(msgid)), msgid
    assert (CATALOG / "django.mo").stat().st_size > 0


def test_model_labels_follow_the_language():
    from chuangxian.campaigns.models import ACTION_LABELS, Campaign
    from chuangxian.dues.rates import DuesCategory
    from chuangxian.orglife.models import Meeting, MeetingType

    assert str(MeetingType.LECTURE.label) == "党课"
    assert str(Meeting._meta.get_field("topic").verbose_name) == "主题"
    with translation.override("en"):
        assert str(MeetingType.LECTURE.label) == "Party lecture"
        assert str(MeetingType.THEME_DAY.label) == "Theme Party day"
        assert str(Meeting._meta.get_field("topic").verbose_name) == "Topic"
        assert str(Campaign._meta.verbose_name) != "创先争优活动"
        assert str(DuesCategory.RETIRED.label) == "Retired"
        assert str(ACTION_LABELS["award"]) == "Selection and commendation"
    # Stored values never change with the language.
    assert MeetingType.LECTURE.value == "lecture"


def test_stored_study_titles_stay_chinese_under_english(tree):
    from chuangxian.learning.models import StudyRecord
    from chuangxian.learning.services.hours import study_hours_sync
    from chuangxian.orglife.models import MeetingType
    from tests.learning.conftest import at, attend, held_meeting

    lecture = held_meeting(tree.branch_a1, MeetingType.LECTURE, at(2026, 3, 10), topic="学党章")
    attend(lecture, tree.member_a1)
    with translation.override("en"):
        assert study_hours_sync(year=2026).created == 1
    assert StudyRecord.objects.get().title == "党课：学党章"
    assert study_hours_sync(year=2026).changed == 0
