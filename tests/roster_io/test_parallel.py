"""The importer's second process: forced on for small files here, it must change nothing."""

import datetime as dt
import gc
import json
import os
import time
import weakref

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import SYSTEM, batch_entries, diff_fields
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.models import Member, MemberTransfer, Organization
from chuangxian.orgs.services.members import SENSITIVE_FIELDS, member_snapshot
from chuangxian.roster_io import member_plan, parallel
from chuangxian.roster_io.reader import read_roster
from chuangxian.roster_io.services import imports
from chuangxian.roster_io.services.imports import roster_import
from tests.factories import make_id_number
from tests.roster_io import files
from tests.roster_io.audit import creation_of

needs_fork = pytest.mark.skipif(not parallel.fork_is_safe(), reason="fork is not safe here")
# pytest-django runs database tests before the others, among which the browser tests leave
# Playwright's threads running for the rest of the session, and a process with threads must
# not fork (parallel.fork_is_safe). A test that must fork but needs no database is marked as
# a database test anyway, so that it runs while forking is still allowed.
fork_early = pytest.mark.django_db


@pytest.fixture
def forced(monkeypatch):  # type: ignore[no-untyped-def]
    """Every import forks, with tiny chunks, and the test checks that it did."""
    monkeypatch.setattr(member_plan, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(member_plan, "CHILD_CHUNK", 3)
    monkeypatch.setattr(member_plan, "PREPARE_CHUNK", 4)
    forks: list[bool] = []
    start = parallel.ForkedChunks.start.__func__  # type: ignore[attr-defined]

    def recording_start(cls, compute, tasks, *, fork=True):  # type: ignore[no-untyped-def]
        chunks = start(cls, compute, tasks, fork=fork)
        forks.append(chunks.forked)
        return chunks

    monkeypatch.setattr(parallel.ForkedChunks, "start", classmethod(recording_start))
    return forks


def _mixed_file(tree) -> bytes:  # type: ignore[no-untyped-def]
    born = dt.date(1990, 1, 1)
    dup = make_id_number(born, 31)
    existing = tree.member_a1
    changed = files.member(
        "A2",  # a transfer
        姓名=existing.name,
        公民身份号码=existing.id_number,
        born=existing.birth_date,
        入党日期=existing.joined_on.isoformat(),
        转正日期=existing.confirmed_on.isoformat() if existing.confirmed_on else "",
    )
    members = [files.member("A1", 姓名=f"新{i}") for i in range(9)]
    members[2] = files.member("A1", 入党日期="2010-02-30")
    members[4] = files.member("A1", 公民身份号码=dup, born=born)
    members[7] = files.member("A1", 公民身份号码=dup, born=born, 性别="未知")
    members.insert(5, changed)
    members.append(files.member("NOPE"))
    return files.xlsx(orgs=[files.org("X1", "A")], members=members, banner_rows=1)


@needs_fork
@pytest.mark.django_db
def test_a_forked_check_reports_exactly_what_one_process_reports(tree, forced) -> None:  # type: ignore[no-untyped-def]
    content = _mixed_file(tree)
    parallel_report = roster_import(actor=SYSTEM, source=content, dry_run=True)
    assert forced == [True]
    member_plan.PARALLEL_MIN_ROWS = 10**9  # restored by monkeypatch
    serial_report = roster_import(actor=SYSTEM, source=content, dry_run=True)
    assert forced == [True]  # not asked to fork this time
    assert parallel_report.error_lines() == serial_report.error_lines()
    assert parallel_report.error_lines() == [
        "第5行 [入党日期] “2010-02-30”不是真实存在的日期",
        "第7行 [公民身份号码] 公民身份号码在文件中重复：第7行、第11行",
        "第11行 [性别] 应为“男”或“女”",
        "第11行 [公民身份号码] 公民身份号码在文件中重复：第7行、第11行",
        "第13行 [所在党组织编码] 找不到组织编码为“NOPE”的党组织（文件和系统中都没有）",
    ]
    assert parallel_report.counts == serial_report.counts


@needs_fork
@pytest.mark.django_db
def test_forked_import_writes_what_one_process_writes(tree, forced) -> None:  # type: ignore[no-untyped-def]
    header = [h for h in files.MEMBER_HEADER if h != "工作单位及职务"]  # an incomplete file
    existing = tree.member_a1
    members = [files.member("A1", 姓名=f"新{i}") for i in range(7)]
    members.append(
        files.member(
            "A1",
            姓名="改名",
            公民身份号码=existing.id_number,
            born=existing.birth_date,
            入党日期=existing.joined_on.isoformat(),
            转正日期=existing.confirmed_on.isoformat() if existing.confirmed_on else "",
        )
    )
    content = files.xlsx(members=members, member_header=header)
    report = roster_import(actor=SYSTEM, source=content)
    assert report.ok, report.error_lines()
    assert forced == [True]  # the child reads and checks the rows and builds the new ones
    assert (report.counts.members_created, report.counts.members_updated) == (7, 1)
    created = list(Member.objects.filter(name__startswith="新").order_by("pk"))
    assert [m.name for m in created] == [f"新{i}" for i in range(7)]
    ciphertexts = {m.id_number_ciphertext for m in created}
    assert len(ciphertexts) == 7
    numbers = {row["公民身份号码"] for row in members[:7]}
    for member in created:
        assert member.id_number in numbers
        assert member.id_number_hash == fieldcrypto.keyed_hash(member.id_number)
        event, entry = creation_of(member)
        assert entry.changes == diff_fields({}, member_snapshot(member), masked=SENSITIVE_FIELDS)
        assert event.org_path == member.organization.path
    existing.refresh_from_db()
    assert existing.name == "改名"
    assert existing.work_post == tree.member_a1.work_post  # absent column kept
    again = roster_import(actor=SYSTEM, source=content)
    assert again.ok and again.counts.changed == 0


def _double(task: int) -> int:
    return task * 2


@fork_early
def test_results_are_complete_when_the_child_fails() -> None:
    if not parallel.fork_is_safe():
        pytest.skip("fork is not safe here")
    parent = os.getpid()

    def failing(task: int) -> int:
        if os.getpid() != parent and task == 3:
            raise RuntimeError("boom")
        return task * 2

    def dying(task: int) -> int:
        if os.getpid() != parent and task == 2:
            os._exit(3)
        return task * 2

    for compute in (_double, failing, dying):
        chunks = parallel.ForkedChunks.start(compute, list(range(6)))
        assert chunks.forked
        assert list(chunks.results()) == [0, 2, 4, 6, 8, 10]


def test_unforked_and_abandoned_chunks() -> None:
    assert list(parallel.ForkedChunks.start(_double, [1, 2], fork=False).results()) == [2, 4]

    def slow(task: int) -> int:
        time.sleep(30)
        return task

    chunks = parallel.ForkedChunks.start(slow, [1, 2])
    started = time.monotonic()
    chunks.close()  # ends a child that is still working
    assert time.monotonic() - started < 10


def _written() -> tuple[object, ...]:
    """What an import left behind, keyed so that two runs compare (not by database key)."""
    members = sorted(
        (
            m.id_number,
            m.name,
            m.organization.code,
            m.birth_date,
            m.joined_on,
            m.confirmed_on,
            m.phone,
            m.work_post,
            m.status,
        )
        for m in Member.objects.select_related("organization")
    )
    code_of = dict(Organization.objects.values_list("path", "code"))
    created = sorted(
        (code_of[event.org_path], entry.label, json.dumps(entry.changes, sort_keys=True))
        for event in AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="member")
        for entry in batch_entries(event.changes)
    )
    updated = sorted(
        (event.object_label, json.dumps(event.changes, sort_keys=True))
        for event in AuditEvent.objects.filter(action=AuditAction.UPDATE)
    )
    transfers = sorted(
        (t.member.name, t.from_organization.code, t.to_organization.code)
        for t in MemberTransfer.objects.select_related(
            "member", "from_organization", "to_organization"
        )
    )
    return members, created, updated, transfers, Organization.objects.count()


def _valid_file(tree, header: list[str]) -> bytes:  # type: ignore[no-untyped-def]
    existing = tree.member_a1
    members = [files.member("A1" if i % 2 else "X1", 姓名=f"新{i}") for i in range(9)]
    members.insert(
        4,
        files.member(
            "A2",  # a transfer, and a new name
            姓名="改名",
            公民身份号码=existing.id_number,
            born=existing.birth_date,
            入党日期=existing.joined_on.isoformat(),
            转正日期=existing.confirmed_on.isoformat() if existing.confirmed_on else "",
        ),
    )
    members.append(  # unchanged
        files.member(
            tree.member_b1.organization.code,
            姓名=tree.member_b1.name,
            性别=tree.member_b1.gender,
            民族=tree.member_b1.ethnicity,
            公民身份号码=tree.member_b1.id_number,
            born=tree.member_b1.birth_date,
            手机号码=tree.member_b1.phone,
            学历=tree.member_b1.education,
            入党日期=tree.member_b1.joined_on.isoformat(),
            转正日期=tree.member_b1.confirmed_on.isoformat() if tree.member_b1.confirmed_on else "",
            人员类别=tree.member_b1.category,
            党内职务=tree.member_b1.party_post,
            工作单位及职务=tree.member_b1.work_post,
            困难党员="是" if tree.member_b1.in_hardship else "否",
            流动党员="是" if tree.member_b1.is_mobile else "否",
            党籍状态=tree.member_b1.status,
        )
    )
    return files.xlsx(orgs=[files.org("X1", "A")], members=members, member_header=header)


@needs_fork
@pytest.mark.django_db
@pytest.mark.parametrize("complete", [True, False])
def test_an_eager_import_writes_what_reading_first_writes(tree, forced, complete) -> None:  # type: ignore[no-untyped-def]
    header = [h for h in files.MEMBER_HEADER if complete or h != "党内职务"]
    content = _valid_file(tree, header)
    outcomes = []
    for eager in (True, False):
        with transaction.atomic():
            report = roster_import(actor=SYSTEM, source=content, eager=eager)
            assert report.ok, report.error_lines()
            outcomes.append((report.counts, _written()))
            transaction.set_rollback(True)
    assert forced == [True, True]
    for first, second in zip(outcomes[0][1], outcomes[1][1], strict=True):
        assert first == second
    assert outcomes[0][0] == outcomes[1][0]
    counts = outcomes[0][0]
    assert (counts.members_created, counts.members_updated, counts.members_unchanged) == (9, 1, 1)
    assert counts.orgs_created == 1


@needs_fork
@pytest.mark.django_db
def test_an_eager_import_with_a_late_error_writes_nothing(tree, forced) -> None:  # type: ignore[no-untyped-def]
    """The first chunks are written before the bad rows are read: all of it is rolled back,
    and the report is the one a check alone gives."""
    members = [files.member("X1", 姓名=f"新{i}") for i in range(20)]
    members.append(files.member("A1", 入党日期="2010-02-30"))
    members.append(dict(members[3]))  # a repeated ID number, after its first row was written
    content = files.xlsx(orgs=[files.org("X1", "A")], members=members)
    before = _written()
    events = AuditEvent.objects.count()
    written: list[int] = []
    insert = imports._NewMembers.insert

    def recording_insert(self, planned):  # type: ignore[no-untyped-def]
        insert(self, planned)
        written.append(self.written)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(imports._NewMembers, "insert", recording_insert)
        report = roster_import(actor=SYSTEM, source=content, eager=True)
    assert written and max(written) > 0  # members were inserted before the error was seen
    check = roster_import(actor=SYSTEM, source=content, dry_run=True)
    assert not report.ok
    assert report.error_lines() == check.error_lines()
    assert report.error_lines() == [
        "第5行 [公民身份号码] 公民身份号码在文件中重复：第5行、第23行",
        "第22行 [入党日期] “2010-02-30”不是真实存在的日期",
        "第23行 [公民身份号码] 公民身份号码在文件中重复：第5行、第23行",
    ]
    assert _written() == before
    assert AuditEvent.objects.count() == events


@needs_fork
@pytest.mark.django_db
def test_an_eager_import_into_an_empty_roster_looks_nothing_up(tree, forced, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    Member.objects.all().delete()
    lookups: list[int] = []
    fetch = member_plan.fetch_existing

    def counting_fetch(hashes):  # type: ignore[no-untyped-def]
        lookups.append(1)
        return fetch(hashes)

    monkeypatch.setattr(member_plan, "fetch_existing", counting_fetch)
    rows = [files.member("A1" if i % 2 else "X1", 姓名=f"新{i}") for i in range(12)]
    repeated = files.xlsx(orgs=[files.org("X1", "A")], members=[*rows, dict(rows[7])])
    report = roster_import(actor=SYSTEM, source=repeated, eager=True)
    assert report.error_lines() == [
        "第9行 [公民身份号码] 公民身份号码在文件中重复：第9行、第14行",
        "第14行 [公民身份号码] 公民身份号码在文件中重复：第9行、第14行",
    ]
    assert not Member.objects.exists()
    content = files.xlsx(orgs=[files.org("X1", "A")], members=rows)
    outcomes = []
    for eager in (True, False):
        with transaction.atomic():
            report = roster_import(actor=SYSTEM, source=content, eager=eager)
            assert report.ok and report.counts.members_created == 12, report.error_lines()
            outcomes.append(_written())
            transaction.set_rollback(True)
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][0]) == 12
    assert sum(lookups) == 1  # only the read-first import looked (once); the eager ones never


@needs_fork
@pytest.mark.django_db
@pytest.mark.parametrize("eager", [True, False])
def test_a_forked_import_without_statuses(tree, forced, eager) -> None:  # type: ignore[no-untyped-def]
    """党籍状态 is optional: a missing column or a blank cell means 在册, in the child too."""
    header = [h for h in files.MEMBER_HEADER if h != "党籍状态"]
    rows = [files.member("A1", 姓名=f"无状态{i}") for i in range(5)]
    blank = [files.member("A1", 姓名=f"空状态{i}", 党籍状态="") for i in range(5)]
    for content in (
        files.xlsx(members=rows, member_header=header),
        files.xlsx(members=blank),
    ):
        report = roster_import(actor=SYSTEM, source=content, eager=eager)
        assert report.ok, report.error_lines()
        assert report.counts.members_created == 5
    assert forced == [True, True]
    created = Member.objects.filter(name__contains="状态")
    assert created.count() == 10
    assert set(created.values_list("status", flat=True)) == {"在册"}


@pytest.mark.django_db
def test_member_look_ups_leave_the_planner_settings_alone(tree) -> None:  # type: ignore[no-untyped-def]
    hashes = [tree.member_a1.id_number_hash, "0" * 64]
    found = member_plan.fetch_existing(hashes)
    assert set(found) == {tree.member_a1.id_number_hash}
    with transaction.atomic():
        assert set(member_plan.fetch_existing(hashes)) == {tree.member_a1.id_number_hash}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW enable_seqscan")
                assert cursor.fetchone()[0] == "on"


@given(start=st.integers(0, 50), length=st.integers(0, 500), size=st.integers(1, 64))
def test_the_child_sends_every_row_once_and_ends_with_a_small_piece(start, length, size) -> None:  # type: ignore[no-untyped-def]
    bounds = member_plan.child_chunks(start, start + length, size)
    covered = [row for low, high in bounds for row in range(low, high)]
    assert covered == list(range(start, start + length))
    assert all(low < high <= low + size for low, high in bounds)
    if length >= size >= 8:
        last_low, last_high = bounds[-1]
        assert last_high - last_low <= size // 8 + 3


@needs_fork
@fork_early
def test_a_closed_reader_lets_go_of_the_sheet_without_the_cycle_collector(forced) -> None:  # type: ignore[no-untyped-def]
    """The child's task must not hold the reader itself (a cycle would keep the whole parsed
    sheet alive until a sweep of the collector, which the import switches off)."""
    sheet = read_roster(files.xlsx(members=[files.member("A1", 姓名=f"甲{i}") for i in range(7)]))
    member_sheet = weakref.ref(sheet.members)
    enabled = gc.isenabled()
    gc.disable()
    try:
        rows = member_plan.MemberRows.start(sheet.members, today=dt.date(2026, 1, 1))
        assert len(rows.collect()) == 7
        rows.close()
        del rows, sheet
        assert member_sheet() is None
    finally:
        if enabled:
            gc.enable()
    assert forced == [True]


@needs_fork
@pytest.mark.django_db
def test_the_child_encrypts_for_an_empty_roster(tree, forced, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Counted in this process only: the child's own calls stay in the child."""
    calls: list[str] = []
    encrypter = fieldcrypto.encrypter

    def counting_encrypter():  # type: ignore[no-untyped-def]
        encrypt = encrypter()

        def counted(plaintext: str) -> str:
            calls.append(plaintext)
            return encrypt(plaintext)

        return counted

    monkeypatch.setattr(fieldcrypto, "encrypter", counting_encrypter)
    rows = [files.member("A1", 姓名=f"乙{i}") for i in range(9)]
    report = roster_import(actor=SYSTEM, source=files.xlsx(members=rows), eager=True)
    assert report.ok and report.counts.members_created == 9, report.error_lines()
    assert len(calls) == 9  # the roster held members: the writer encrypted each new one
    Member.objects.all().delete()
    calls.clear()
    report = roster_import(actor=SYSTEM, source=files.xlsx(members=rows), eager=True)
    assert report.ok and report.counts.members_created == 9, report.error_lines()
    assert calls == []
    stored = {m.name: m.id_number for m in Member.objects.all()}
    assert stored == {row["姓名"]: row["公民身份号码"] for row in rows}
