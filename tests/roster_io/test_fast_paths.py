"""The importer's fast paths give exactly what the general code gives."""

import datetime as dt
import hashlib
import hmac
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import SYSTEM, batch_entries, diff_fields
from chuangxian.orgs import fieldcrypto, idnumber
from chuangxian.orgs.models import Member, Organization
from chuangxian.orgs.phone import PhoneError, normalize_mobile
from chuangxian.orgs.rules import FIELD_LABELS, MemberValues, check_member
from chuangxian.orgs.services.members import SENSITIVE_FIELDS, member_snapshot
from chuangxian.roster_io import cells
from chuangxian.roster_io.member_plan import (
    _BOOL_KEYS,
    _CHOICE_ALIASES,
    _converter,
    _read_column,
)
from chuangxian.roster_io.member_write import (
    MEMBER_COLUMNS,
    BatchJson,
    batch_json,
    member_row,
    sealed_row,
)
from chuangxian.roster_io.services.imports import roster_import
from tests.roster_io import files
from tests.roster_io.audit import creation_of

SAMPLE_CELLS: list[cells.Cell] = [
    None,
    "",
    "  ",
    "是",
    "否",
    " 是\u3000",
    "Y",
    "maybe",
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    20200701,
    "2020-07-01",
    "2020/7/1",
    "２０２０年７月１日",
    "202007",
    "2020-02-30",
    "not a date",
    dt.date(2020, 7, 1),
    dt.datetime(2020, 7, 1, 8, 30),
    "本科",
    "大专",
    "正式",
    "预备",
    "正常",
    "男",
    " Ａ１ ",
    "A 1",
    "13800138000",
    "１３８００１３８０００",
    "138 0013 8000",
    "+8613800138000",
    "430102199003077777",
    "43010219900307777x",
    "43010219900307777\n",
    "4.30102199001011E+17",
    4.30102199001011e17,
    " 张三 ",
    "张三\u3000",
]


def _reference(key: str):  # type: ignore[no-untyped-def]
    if key in ("birth_date", "joined_on", "confirmed_on"):
        return cells.date_value
    if key in _BOOL_KEYS:
        return cells.bool_value
    if key in _CHOICE_ALIASES:
        return lambda cell: cells.choice_text(cell, _CHOICE_ALIASES[key])
    if key == "id_number":
        return cells.id_number_text
    if key in ("name", "ethnicity", "party_post", "work_post"):
        return cells.free_text
    return cells.code_text


def _outcome(read, cell):  # type: ignore[no-untyped-def]
    try:
        value = read(cell)
    except cells.CellError as error:
        return ("error", str(error))
    return ("value", type(value), value)


@pytest.mark.parametrize(
    "key",
    [
        "birth_date",
        "joined_on",
        "in_hardship",
        "education",
        "category",
        "status",
        "gender",
        "id_number",
        "name",
        "phone",
        "org_code",
    ],
)
def test_cached_cell_readers_answer_like_the_cells_module(key: str) -> None:
    read = _converter(key)
    reference = _reference(key)
    for _ in range(2):  # the second round comes from the caches
        for cell in SAMPLE_CELLS:
            assert _outcome(read, cell) == _outcome(reference, cell), (key, cell)


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from([*FIELD_LABELS, "org_code"]),
    column=st.lists(
        st.sampled_from(SAMPLE_CELLS)
        | st.sampled_from([None, dt.date(1990, 1, 2), True, False, "是", "男", "A1"]),
        max_size=12,
    ),
)
def test_a_column_reads_as_its_cells_read_one_by_one(key: str, column: list[cells.Cell]) -> None:
    read = _converter(key)
    one_by_one = [_outcome(read, cell) for cell in column]
    failed = [outcome for outcome in one_by_one if outcome[0] == "error"]
    try:
        whole = _read_column(key, read, list(column))
    except cells.CellError as error:
        assert (("error", str(error))) in failed
    else:
        assert not failed
        assert [("value", type(value), value) for value in whole] == one_by_one


def _values(**overrides: object) -> MemberValues:
    born = dt.date(1985, 3, 9)
    values = MemberValues(
        name="测试党员",
        gender="男",
        ethnicity="汉族",
        birth_date=born,
        id_number=files.member(born=born)["公民身份号码"],
        joined_on=dt.date(2010, 7, 1),
        category="正式党员",
        phone="13800138000",
        education="大学本科",
        confirmed_on=dt.date(2011, 7, 1),
        work_post="某村村民",
    )
    for name, value in overrides.items():
        setattr(values, name, value)
    assert check_member(values, today=dt.date(2026, 1, 1)) == {}
    return values


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"confirmed_on": None, "category": "预备党员"},
        {"education": "", "phone": "", "work_post": ""},
        {"name": '王"五\\六', "work_post": "line\nbreak\ttab\x01", "party_post": "书记"},
        {"in_hardship": True, "is_mobile": True, "status": "已转出"},
    ],
)
def test_batch_entry_is_the_generic_diff(overrides: dict[str, object]) -> None:
    values = _values(**overrides)
    org = Organization(pk=9, code='A"1\\', name="甲", kind="党支部", sector="农村", path="/1/")
    member = Member(pk=12, organization=org, **values.as_model_fields())
    member.set_id_number(values.id_number)
    expected = diff_fields({}, member_snapshot(member), masked=SENSITIVE_FIELDS)
    unsealed = member_row(
        12, values, id_hash=member.id_number_hash, org_code=org.code, stamp="2026-01-01 00:00:00"
    )
    assert len(unsealed) == len(MEMBER_COLUMNS)
    row = sealed_row(unsealed, 9)
    assert row[MEMBER_COLUMNS.index("organization_id")] == 9
    ciphertext = row[MEMBER_COLUMNS.index("id_number_ciphertext")]
    assert fieldcrypto.decrypt(ciphertext) == values.id_number
    assert sealed_row(unsealed, 9, "given")[MEMBER_COLUMNS.index("id_number_ciphertext")] == "given"
    text = batch_json(org.code, [row])
    [entry] = batch_entries(json.loads(text))
    assert (entry.object_id, entry.label) == ("12", values.name)
    assert entry.changes == expected
    for secret in (values.id_number, ciphertext, member.id_number_hash):
        assert secret not in text


def test_a_batch_built_in_parts_is_the_batch_built_at_once() -> None:
    rows = []
    for number in range(7):
        values = _values(name=f'王"{number}\\', in_hardship=number % 2 == 0)
        unsealed = member_row(
            100 + number, values, id_hash=f"h{number}", org_code="A", stamp="2026-01-01 00:00:00"
        )
        rows.append(sealed_row(unsealed, 9, f"secret{number}"))
    code = 'A"1\\甲'
    for parts in ([], [rows], [rows[:1], [], rows[1:4], rows[4:]], [[row] for row in rows]):
        batch = BatchJson(code)
        for part in parts:
            batch.add(part)
        written = [row for part in parts for row in part]
        assert batch.count == len(written)
        assert batch.text() == batch_json(code, written)
        assert [e.object_id for e in batch_entries(json.loads(batch.text()))] == [
            str(row[0]) for row in written
        ]


def test_phone_fast_path_matches_normalize_mobile() -> None:
    for raw in [
        "13800138000",
        "12800138000",
        "1380013800",
        "138001380001",
        "１３８００１３８０００",
    ]:
        values = _values()
        values.phone = raw
        errors = check_member(values, today=dt.date(2026, 1, 1))
        try:
            assert values.phone == normalize_mobile(raw) and "phone" not in errors
        except PhoneError as error:
            assert errors["phone"] == str(error)


def test_check_digit_fast_path_matches_the_definition() -> None:
    rng = random.Random(7)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for _ in range(5000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
        assert idnumber.check_digit(first17) == "10X98765432"[total % 11]
    with pytest.raises(idnumber.IDNumberError, match="出生日期编码不是真实日期"):
        idnumber.validate("430102199002300000")
    with pytest.raises(idnumber.IDNumberError, match="出生日期编码不是真实日期"):
        idnumber.validate("430102199002300000")  # again, from the cache


def test_field_crypto_reuses_keys_but_not_nonces(settings) -> None:  # type: ignore[no-untyped-def]
    first, second = (
        fieldcrypto.encrypt("430102199003077777"),
        fieldcrypto.encrypt("430102199003077777"),
    )
    assert first != second
    assert fieldcrypto.decrypt(first) == fieldcrypto.decrypt(second) == "430102199003077777"
    _, hash_key = fieldcrypto._keys(settings.FIELD_ENCRYPTION_KEY, fieldcrypto.AES)
    expected = hmac.new(hash_key, b"430102199003077777", hashlib.sha256).hexdigest()
    assert fieldcrypto.keyed_hash("430102199003077777") == expected
    settings.FIELD_ENCRYPTION_KEY = "another key"
    assert fieldcrypto.keyed_hash("430102199003077777") != expected
    assert fieldcrypto.decrypt(fieldcrypto.encrypt("x")) == "x"


@pytest.mark.django_db
def test_new_members_get_fresh_keys_matching_their_audit_rows(tree) -> None:  # type: ignore[no-untyped-def]
    highest = Member.objects.order_by("-pk").first()
    assert highest is not None
    top = highest.pk
    Member.objects.filter(pk=top).delete()  # a key once used is not handed out again
    rows = [files.member("A1", 姓名=f"新{i}") for i in range(3)]
    report = roster_import(actor=SYSTEM, source=files.xlsx(members=rows))
    assert report.ok, report.error_lines()
    created = list(Member.objects.filter(name__startswith="新").order_by("pk"))
    assert [m.name for m in created] == ["新0", "新1", "新2"]
    assert all(m.pk > top for m in created)
    for member in created:
        event, entry = creation_of(member)
        assert entry.label == member.name
        assert entry.changes["name"] == [None, member.name]
        assert event.org_path == member.organization.path
        assert member.id_number_hash == fieldcrypto.keyed_hash(member.id_number)
    summary = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert summary.pk > max(
        AuditEvent.objects.filter(action=AuditAction.CREATE).values_list("pk", flat=True)
    )
