"""Where each dashboard figure comes from: for a subtree and a year, every organization's
value rolled up over its own subtree. Each source reads its module's own subtree figures
(`orglife.compliance`, `learning.figures`, `dues.figures`, `dues.checks`) or one grouped query,
so a figure here is the same number the module's own page shows."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from chuangxian.dues.checks import WARN_MONTHS, check_members
from chuangxian.dues.figures import organization_dues
from chuangxian.dues.months import month_of
from chuangxian.learning.figures import organization_study_summaries
from chuangxian.orglife.compliance import compute_compliance
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind
from chuangxian.orgs.models.organization import BRANCH_KINDS
from chuangxian.orgs.posts import is_branch_secretary

Values = dict[int, Counter[str]]


@dataclass(frozen=True)
class Subtree:
    """The organizations of one subtree: what every source needs to roll its values up."""

    root: Organization
    paths: dict[int, str]

    @classmethod
    def of(cls, root: Organization) -> "Subtree":
        rows = Organization.objects.filter(path__startswith=root.path).values_list("id", "path")
        return cls(root=root, paths=dict(rows))

    def roll_up(self, own: Iterable[tuple[int, str, int]]) -> Values:
        """(organization, key, value) of each organization alone → summed over subtrees."""
        totals: Values = defaultdict(Counter)
        depth = self.root.path.count("/") - 2
        for org_id, key, value in own:
            path = self.paths.get(org_id)
            if path is None or not value:
                continue
            for part in path.strip("/").split("/")[depth:]:
                totals[int(part)][key] += value
        return totals


def as_of(year: int, today: dt.date) -> dt.date:
    """The day a year's figures describe: today for the current year, its last day before."""
    return min(today, dt.date(year, 12, 31))


def structure(tree: Subtree, year: int, today: dt.date) -> Values:
    """Branches, those without a secretary on the roster, and organizations whose term is over
    (换届 overdue) as of the year's day."""
    day = as_of(year, today)
    orgs = Organization.objects.filter(pk__in=tree.paths.keys())
    own: list[tuple[int, str, int]] = []
    branch_ids = set(orgs.filter(kind__in=BRANCH_KINDS).values_list("id", flat=True))
    with_secretary = {
        org_id
        for org_id, post in Member.objects.filter(
            organization_id__in=branch_ids, status=MemberStatus.ACTIVE
        )
        .exclude(party_post="")
        .values_list("organization_id", "party_post")
        if is_branch_secretary(post)
    }
    for org_id in branch_ids:
        own.append((org_id, "branches", 1))
        if org_id not in with_secretary:
            own.append((org_id, "no_secretary", 1))
    overdue = (
        orgs.exclude(kind=OrgKind.GROUP).filter(term_ends_on__lt=day).values_list("id", flat=True)
    )
    own.extend((org_id, "term_overdue", 1) for org_id in overdue)
    return tree.roll_up(own)


def members(tree: Subtree, year: int, today: dt.date) -> Values:
    """Members on the roster (在册), full and probationary."""
    counts = (
        Member.objects.filter(organization_id__in=tree.paths.keys(), status=MemberStatus.ACTIVE)
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return tree.roll_up((org_id, "members", n) for org_id, n in counts)


def meetings(tree: Subtree, year: int, today: dt.date) -> Values:
    """Branches and 党小组 that met every cadence rule so far in the year, of those counted."""
    report = compute_compliance(root=tree.root, period=Period(year, 1, 12), today=today)
    own: list[tuple[int, str, int]] = []
    for row in report.rows:
        own.append((row.org_id, "meetings_orgs", 1))
        if row.ok:
            own.append((row.org_id, "meetings_ok", 1))
    return tree.roll_up(own)


def study(tree: Subtree, year: int, today: dt.date) -> Values:
    """Members who met their yearly study-hour requirement, of the active members."""
    totals: Values = defaultdict(Counter)
    for org_id, summary in organization_study_summaries(tree.root, year).items():
        totals[org_id]["study_members"] = summary.members
        totals[org_id]["study_met"] = summary.members_met
    return totals


def dues(tree: Subtree, year: int, today: dt.date) -> Values:
    """The last month of the year so far: members who owed dues and those who paid; and
    members with a 党章第九条 flag (three months or more without dues or organizational life,
    good reasons excluded) as of the year's day."""
    day = as_of(year, today)
    totals: Values = defaultdict(Counter)
    for org_id, month in organization_dues(tree.root, month_of(day), today=today).items():
        totals[org_id]["dues_owing"] = month.owing
        totals[org_id]["dues_paid"] = month.paid_members
    flagged = Counter(
        check.organization_id
        for check in check_members(Q(organization__path__startswith=tree.root.path), today=day)
        if max(check.dues.unexcused, check.orglife.unexcused) >= WARN_MONTHS
    )
    for org_id, values in tree.roll_up(
        (org_id, "article9", n) for org_id, n in flagged.items()
    ).items():
        totals[org_id].update(values)
    return totals


SOURCES: tuple[Callable[[Subtree, int, dt.date], Values], ...] = (
    structure,
    members,
    meetings,
    study,
    dues,
)


def compute(root: Organization, year: int, today: dt.date) -> Values:
    """Every figure of every organization of `root`'s subtree for `year`."""
    tree = Subtree.of(root)
    totals: Values = defaultdict(Counter)
    for source in SOURCES:
        for org_id, values in source(tree, year, today).items():
            if org_id in tree.paths:
                totals[org_id].update(values)
    return totals
