"""Reads for roster export and the import pages. Every read for a user starts from the access
layer; `user=None` is the system, used by the command line without --user."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from chuangxian.orgs.access import can_view_id_number, members_for, organizations_for
from chuangxian.orgs.models import Member, Organization
from chuangxian.roster_io.models import ImportJob, ImportStatus, WorkerHeartbeat

RECENT_JOBS = 20
# The staff pages warn when no worker supervisor has written its heartbeat for this long.
WORKER_SILENCE = dt.timedelta(minutes=1)


def subtree_organizations(user: Any, org: Organization) -> QuerySet[Organization]:
    visible = Organization.objects.all() if user is None else organizations_for(user)
    return visible.filter(path__startswith=org.path).select_related("parent").order_by("path")


def subtree_members(user: Any, org: Organization) -> QuerySet[Member]:
    visible = Member.objects.all() if user is None else members_for(user)
    return (
        visible.filter(organization__path__startswith=org.path)
        .select_related("organization")
        .order_by("organization__path", "name", "id")
    )


def org_export_rows(orgs: QuerySet[Organization]) -> Iterator[list[Any]]:
    for org in orgs:
        yield [
            org.code,
            org.name,
            org.parent.code if org.parent else "",
            org.kind,
            org.sector,
            org.established_on,
            org.term_started_on,
            org.term_ends_on,
        ]


def member_export_rows(user: Any, members: QuerySet[Member]) -> Iterator[list[Any]]:
    """One row per member in the template's column order. The ID number is in full only for
    those allowed to see it (管理员, 书记); otherwise masked, and such a file cannot be
    imported back."""
    for member in members.iterator(chunk_size=2000):
        unmasked = user is None or can_view_id_number(user, member)
        yield [
            member.name,
            member.gender,
            member.ethnicity,
            member.birth_date,
            member.id_number if unmasked else member.id_number_masked,
            member.phone,
            member.education,
            member.joined_on,
            member.confirmed_on,
            member.category,
            member.organization.code,
            member.party_post,
            member.work_post,
            member.in_hardship,
            member.is_mobile,
            member.status,
        ]


def recent_jobs(user: Any) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(created_by=user)
        .defer("content")
        .order_by("-created_at")[:RECENT_JOBS]
    )


def worker_seen_recently(now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__gte=now - WORKER_SILENCE).exists()


def job_lost_its_worker(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """A running job whose lease has run out (see services/jobs.import_jobs_recover)."""
    if job.status != ImportStatus.RUNNING:
        return False
    renewed = job.heartbeat_at or job.started_at
    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    return renewed is None or renewed < (now or timezone.now()) - lease
