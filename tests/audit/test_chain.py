import datetime as dt
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from chuangxian.audit import chain
from chuangxian.audit.archive import AuditArchiveError, audit_archive, verify_archive
from chuangxian.audit.models import AuditAction, AuditCheckpoint, AuditEvent
from chuangxian.audit.protection import audit_unlocked, missing_triggers
from chuangxian.audit.services import SYSTEM, Actor, audit_bulk_create, audit_record
from chuangxian.orgs.models import User
from chuangxian.roster_io.services.imports import roster_import
from tests.factories import make_user
from tests.roster_io import files

pytestmark = pytest.mark.django_db


def record(n: int, **kwargs) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return [
        audit_record(
            actor=kwargs.get("actor", SYSTEM),
            action=AuditAction.UPDATE,
            object_type="thing",
            object_id=str(i),
            object_label=f"第{i}号",
            org_path="/1/",
            changes={"名称": ["旧", f"新{i}"], "n": [i, i + 0.5], "z": None, "a": True},
            reason="测试",
        )
        for i in range(n)
    ]


def verify_command() -> str:
    call_command("audit_verify", stdout=(out := _Out()))
    return out.text


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def tamper(sql: str, params: list[object]) -> None:
    """What someone with the database's owner rights could do: step past the triggers."""
    with audit_unlocked("test"), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_events_are_chained_in_order_and_verify() -> None:
    events = record(5)
    assert [event.seq for event in events] == [1, 2, 3, 4, 5]
    stored = list(AuditEvent.objects.order_by("seq"))
    # The hash computed on insert is the one recomputed from what the database gives back.
    previous = chain.GENESIS
    for event in stored:
        assert chain.event_digest(previous, event) == event.row_hash
        previous = event.row_hash
    result = chain.verify()
    assert result.broken is None and result.checked == 5 and result.head.seq == 5
    assert "审计链完整" in verify_command()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = 'changed'",
        "UPDATE audit_auditevent SET actor_label = 'someone else'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_the_database_refuses_changes_to_events(statement: str) -> None:
    record(2)
    with (
        pytest.raises(DatabaseError, match="审计记录只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(reason="测试").count() == 2


def test_querysets_cannot_change_events_either() -> None:
    record(1)
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditEvent.objects.update(reason="x")
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_checkpoints_are_protected_too() -> None:
    AuditCheckpoint.objects.create(
        seq=1, row_hash="a" * 64, before=dt.date(2020, 1, 1), first_seq=1, count=1,
        file_name="x", file_sha256="b" * 64,
    )  # fmt: skip
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditCheckpoint.objects.all().delete()
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditCheckpoint.objects.update(seq=5)


def test_deleting_an_account_only_empties_the_link_and_the_chain_holds() -> None:
    user = make_user("leaving")
    record(2, actor=Actor(user=user))
    User.objects.filter(pk=user.pk).delete()
    assert list(AuditEvent.objects.values_list("actor_id", "actor_label")) == [
        (None, "leaving"),
        (None, "leaving"),
    ]
    assert chain.verify().broken is None
    # Only emptied: pointing the events at another account is refused.
    other = make_user("other")
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditEvent.objects.update(actor=other)


def test_triggers_are_installed_by_the_migrations() -> None:
    assert missing_triggers() == []


def test_a_changed_event_is_found_and_the_command_fails() -> None:
    events = record(5)
    tamper("UPDATE audit_auditevent SET object_label = %s WHERE id = %s", ["改过", events[2].pk])
    result = chain.verify()
    assert result.broken is not None
    assert (result.broken.seq, result.broken.event_id, result.checked) == (3, events[2].pk, 2)
    with pytest.raises(CommandError, match=f"审计链断裂：序号 3（记录 id {events[2].pk}）"):
        verify_command()


def test_a_changed_json_value_is_found() -> None:
    events = record(3)
    tamper(
        "UPDATE audit_auditevent SET changes = %s WHERE id = %s",
        [json.dumps({"名称": ["旧", "别的"]}), events[1].pk],
    )
    broken = chain.verify().broken
    assert broken is not None and broken.seq == 2


def test_a_deleted_event_is_found() -> None:
    events = record(5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    broken = chain.verify().broken
    assert broken is not None and broken.seq == 3 and "序号 2 至 2 的记录缺失" in broken.reason


def test_a_recomputed_chain_or_a_cut_tail_is_found_with_an_anchor() -> None:
    record(4)
    head = chain.verify().head
    anchor = f"{head.seq}:{head.row_hash}"
    last = AuditEvent.objects.get(seq=4)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    assert chain.verify().broken is None  # a cut tail leaves a consistent chain…
    with pytest.raises(CommandError, match="末尾被删除"):  # …that the anchor gives away
        call_command("audit_verify", anchor=[anchor], stdout=_Out())


def test_a_committed_unlock_is_reported() -> None:
    record(1)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_unlock (reason) VALUES ('left open')")
    with pytest.raises(CommandError, match="审计保护被关闭"):
        verify_command()


def test_bulk_events_and_the_roster_import_extend_the_chain(tree) -> None:  # type: ignore[no-untyped-def]
    record(1)
    audit_bulk_create(
        [AuditEvent(actor_label="批量", action=AuditAction.CREATE, object_type="t") for _ in "ab"]
    )
    report = roster_import(
        actor=Actor(label="导入", ip_address="::ffff:10.0.0.1"),
        source=files.xlsx(
            orgs=[files.org("N1", "A", 组织类别="党支部")],
            members=[
                files.member("N1", 姓名="周七"),
                files.member("A1", 姓名="吴八"),
                files.member("A1", 姓名="郑九"),
            ],
        ),
    )
    assert report.ok, report.error_lines()
    record(1)
    result = chain.verify()
    assert result.broken is None, result.broken
    assert result.checked == AuditEvent.objects.count()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def _old_events(days_ago: int, count: int) -> None:
    at = timezone.now() - dt.timedelta(days=days_ago)
    audit_bulk_create(
        [
            AuditEvent(at=at, actor_label="旧", action=AuditAction.UPDATE, object_type="t",
                       object_id=str(i), changes={"k": [i, i + 1]})
            for i in range(count)
        ]
    )  # fmt: skip


def test_archive_moves_old_events_to_a_file_and_the_chain_still_verifies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _old_events(400, 3)
    _old_events(300, 2)
    _old_events(10, 2)
    before = timezone.localdate() - dt.timedelta(days=200)
    call_command(
        "audit_archive", str(tmp_path / "a.jsonl"), before=before.isoformat(), stdout=_Out()
    )
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [6, 7, 8]
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.first_seq, checkpoint.seq, checkpoint.count) == (1, 5, 5)
    # The archive itself is an audited event (seq 8), on the chain after the checkpoint.
    assert AuditEvent.objects.get(seq=8).object_label == "审计记录归档 1–5"
    result = chain.verify()
    assert result.broken is None and result.start.seq == 5 and result.checked == 3
    assert verify_archive(tmp_path / "a.jsonl")[1] == chain.Link(5, checkpoint.row_hash)
    record(1)
    assert chain.verify().broken is None
    # A second archive starts where the first ended.
    later = timezone.localdate() - dt.timedelta(days=183)
    with pytest.raises(AuditArchiveError, match="没有"):
        audit_archive(before=later, path=tmp_path / "b.jsonl", actor=SYSTEM)
    assert not (tmp_path / "b.jsonl").exists()


def test_archive_refuses_the_retention_period_an_existing_file_and_a_broken_chain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _old_events(400, 3)
    with pytest.raises(CommandError, match="至少保留 183 天"):
        call_command(
            "audit_archive",
            str(tmp_path / "a.jsonl"),
            before=(timezone.localdate() - dt.timedelta(days=100)).isoformat(),
        )
    (tmp_path / "exists.jsonl").write_text("")
    before = timezone.localdate() - dt.timedelta(days=200)
    with pytest.raises(AuditArchiveError, match="已存在"):
        audit_archive(before=before, path=tmp_path / "exists.jsonl", actor=SYSTEM)
    tamper("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2", [])
    with pytest.raises(AuditArchiveError, match="序号 2 处断裂"):
        audit_archive(before=before, path=tmp_path / "a.jsonl", actor=SYSTEM)
    assert AuditEvent.objects.count() == 3 and not AuditCheckpoint.objects.exists()
    assert not (tmp_path / "a.jsonl").exists()


def test_a_changed_archive_file_is_found(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _old_events(400, 3)
    path = tmp_path / "a.jsonl"
    audit_archive(before=timezone.localdate() - dt.timedelta(days=200), path=path, actor=SYSTEM)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace('"旧"', '"新"')
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="第 3 行（序号 2）与链不符"):
        call_command("audit_verify", archive=path)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_as_truncate_does() -> None:
    record(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert missing_triggers() == []
    record(1)
    assert AuditEvent.objects.get().seq == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, where a second writer "
    "fails at once instead of waiting; SQLite serializes writers by BEGIN IMMEDIATE anyway",
)
def test_concurrent_writers_never_share_a_place_in_the_chain() -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    audit_record(
                        actor=SYSTEM, action=AuditAction.UPDATE, object_type="t",
                        object_id=f"{worker}-{i}",
                    )  # fmt: skip
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 41)
    )
    assert chain.verify().broken is None
