"""Cadence rules: how often each kind of organization must hold each type of meeting.

The defaults are those of DOMAIN.md (中国共产党支部工作条例（试行）, 2018). An administrator may
change any of them for their subtree (a CadenceRule row on the organization at its top); the
deepest row above an organization wins, and where there is none the default applies.

Decisions recorded here because they change who is flagged:
- 党小组会 is counted on the 党小组 itself (the meeting is recorded on the group), monthly; a
  branch without 党小组 has no 党小组会 to hold.
- 支部委员会 is required only of branches with 7 or more full members, the size from which a
  branch elects a committee; smaller branches have a secretary only.
- 谈心谈话 has no organization cadence by default (the rule is per member, once a year); an
  administrator may add one.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from chuangxian.orglife.models import CadenceRule, Frequency, MeetingType, OrgClass
from chuangxian.orgs.models import Organization, OrgKind
from chuangxian.orgs.models.organization import BRANCH_KINDS

COMMITTEE_MIN_FULL_MEMBERS = 7


@dataclass(frozen=True)
class Rule:
    org_class: str
    meeting_type: str
    frequency: str
    min_full_members: int = 0

    @property
    def meeting_type_label(self) -> str:
        return str(MeetingType(self.meeting_type).label)

    @property
    def frequency_label(self) -> str:
        return str(Frequency(self.frequency).label)

    @property
    def key(self) -> tuple[str, str]:
        return (self.org_class, self.meeting_type)


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(OrgClass.BRANCH, MeetingType.GENERAL_MEETING, Frequency.QUARTER),
    Rule(OrgClass.BRANCH, MeetingType.COMMITTEE, Frequency.MONTH, COMMITTEE_MIN_FULL_MEMBERS),
    Rule(OrgClass.BRANCH, MeetingType.LECTURE, Frequency.QUARTER),
    Rule(OrgClass.BRANCH, MeetingType.THEME_DAY, Frequency.MONTH),
    Rule(OrgClass.BRANCH, MeetingType.LIFE_MEETING, Frequency.YEAR),
    Rule(OrgClass.BRANCH, MeetingType.APPRAISAL, Frequency.YEAR),
    Rule(OrgClass.BRANCH, MeetingType.TALK, Frequency.NONE),
    Rule(OrgClass.GROUP, MeetingType.GROUP, Frequency.MONTH),
)


def org_class_of(kind: str) -> str | None:
    if kind in BRANCH_KINDS:
        return OrgClass.BRANCH
    if kind == OrgKind.GROUP:
        return OrgClass.GROUP
    return None


def rule_from_row(row: CadenceRule) -> Rule:
    return Rule(row.org_class, row.meeting_type, row.frequency, row.min_full_members)


class RuleBook:
    """The effective rules for every organization of a subtree, from the defaults and the
    override rows above or inside it (read once)."""

    def __init__(self, overrides: Iterable[CadenceRule]) -> None:
        self._by_org: dict[int, list[Rule]] = {}
        for row in overrides:
            self._by_org.setdefault(row.organization_id, []).append(rule_from_row(row))
        self._cache: dict[tuple[str, tuple[int, ...]], tuple[Rule, ...]] = {}
        self._counted: dict[str, tuple[Rule, ...]] = {}
        self._counted_by_set: dict[tuple[str, int], tuple[Rule, ...]] = {}

    @classmethod
    def for_subtree(cls, root: Organization) -> "RuleBook":
        above = [*root.ancestor_ids, root.pk]
        rows = CadenceRule.objects.filter(organization_id__in=above) | CadenceRule.objects.filter(
            organization__path__startswith=root.path
        )
        return cls(rows)

    @property
    def has_overrides(self) -> bool:
        return bool(self._by_org)

    def _effective(self, org_class: str, path: str) -> tuple[Rule, ...]:
        """Every meeting type's rule for the class at this path, NONE included, in column
        order."""
        if self._by_org:
            ids = tuple(int(p) for p in path.strip("/").split("/") if int(p) in self._by_org)
        else:
            ids = ()
        key = (org_class, ids)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        effective = {(org_class, t): Rule(org_class, t, Frequency.NONE) for t in MeetingType.values}
        effective.update({r.key: r for r in DEFAULT_RULES if r.org_class == org_class})
        for org_id in ids:  # root first, so deeper rows overwrite
            for rule in self._by_org[org_id]:
                if rule.org_class == org_class:
                    effective[rule.key] = rule
        rules = tuple(sorted(effective.values(), key=_column_order))
        self._cache[key] = rules
        return rules

    def rules_for(self, kind: str, path: str) -> tuple[Rule, ...]:
        """The rules that count for an organization of this kind at this path."""
        if not self._by_org:  # the usual case: defaults everywhere, one look-up per kind
            found = self._counted.get(kind)
            if found is None:
                found = self._counted[kind] = self._counted_rules(kind, path)
            return found
        return self._counted_rules(kind, path)

    def _counted_rules(self, kind: str, path: str) -> tuple[Rule, ...]:
        org_class = org_class_of(kind)
        if org_class is None:
            return ()
        effective = self._effective(org_class, path)
        key = (org_class, id(effective))
        cached = self._counted_by_set.get(key)
        if cached is None:
            cached = tuple(r for r in effective if r.frequency != Frequency.NONE)
            self._counted_by_set[key] = cached
        return cached

    def all_rules_for(self, org_class: str, path: str) -> tuple[Rule, ...]:
        """Every meeting type's rule for the class at this path (for the rules page)."""
        return self._effective(org_class, path)


_TYPE_ORDER = {t: i for i, t in enumerate(MeetingType.values)}


def _column_order(rule: Rule) -> int:
    return _TYPE_ORDER[rule.meeting_type]
