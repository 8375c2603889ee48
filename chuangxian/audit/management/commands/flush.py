"""Django's flush, able to empty the audit tables too (their triggers refuse DELETE, which
SQLite's flush uses; PostgreSQL's TRUNCATE fires no row trigger): flush deletes every row of
every table, the trail included. Used by tests between transactional tests and by
`seed_demo --force`."""

from typing import Any

from django.core.management.commands import flush

from chuangxian.audit.protection import audit_unlocked


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with audit_unlocked("flush", using=options["database"]):
            super().handle(**options)
