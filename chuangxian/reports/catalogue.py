"""The figures a dashboard shows: what each is called, what it is a share of, and which page
lists the records behind it (the module's own scoped list, so a user who follows a figure sees
exactly the records they may see)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    # The figure it is a share of ("" for a plain count).
    base: str = ""
    # Whether more is worse (shown as such, and never by colour alone).
    lower_is_better: bool = False
    # (url name, query parameter naming the organization or "" for a path argument, extra query)
    detail: tuple[str, str, str] = ("", "", "")

    def detail_url(self, org_id: int, year: int) -> str:
        name, param, extra = self.detail
        if not name:
            return ""
        if not param:
            url = reverse(name, args=[org_id])
            return f"{url}?year={year}{extra}"
        return f"{reverse(name)}?{param}={org_id}{extra.replace('{year}', str(year))}"


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    figures: tuple[Figure, ...]


GROUPS: tuple[Group, ...] = (
    Group(
        "coverage",
        _("组织覆盖"),
        (
            Figure("members", _("在册党员"), detail=("orgs:organization", "", "&below=1")),
            Figure("branches", _("党支部")),
            Figure(
                "no_secretary",
                _("未配书记的党支部"),
                base="branches",
                lower_is_better=True,
            ),
            Figure("term_overdue", _("换届超期的党组织"), lower_is_better=True),
        ),
    ),
    Group(
        "meetings",
        _("组织生活"),
        (
            Figure(
                "meetings_ok",
                _("组织生活全部按期落实的支部和党小组"),
                base="meetings_orgs",
                detail=("orglife:compliance", "org", "&period={year}"),
            ),
            Figure("meetings_orgs", _("参加统计的支部和党小组")),
        ),
    ),
    Group(
        "study",
        _("学习"),
        (
            Figure(
                "study_met",
                _("学时达标的党员"),
                base="study_members",
                detail=("learning:ledger", "", ""),
            ),
            Figure("study_members", _("参加学时统计的党员")),
        ),
    ),
    Group(
        "dues",
        _("党费"),
        (
            Figure(
                "dues_paid",
                _("本月已交党费的党员"),
                base="dues_owing",
                detail=("dues:statement", "", ""),
            ),
            Figure("dues_owing", _("本月应交党费的党员")),
            Figure(
                "article9",
                _("党章第九条预警的党员"),
                lower_is_better=True,
                detail=("dues:flags", "org", ""),
            ),
        ),
    ),
)

FIGURES: dict[str, Figure] = {f.key: f for g in GROUPS for f in g.figures}
