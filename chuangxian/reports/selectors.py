"""Reading the dashboard: an organization's figures and its children's, this year and last."""

from collections import defaultdict
from dataclasses import dataclass, field

from chuangxian.orgs.models import Organization
from chuangxian.reports.catalogue import FIGURES, GROUPS, Figure, Group
from chuangxian.reports.models import BuildState, FigureValue


@dataclass
class Cell:
    value: int
    base: int | None = None

    @property
    def percent(self) -> float | None:
        if self.base is None:
            return None
        return round(100 * self.value / self.base, 1) if self.base else None


@dataclass
class FigureRow:
    figure: Figure
    current: Cell
    previous: Cell
    # Each child's cell this year, in the order of `Dashboard.children`.
    children: list[Cell] = field(default_factory=list)
    detail_url: str = ""

    @property
    def change(self) -> float | None:
        """This year against last, in points for a share and in units for a count."""
        if self.figure.base:
            now, before = self.current.percent, self.previous.percent
            if now is None or before is None:
                return None
            return round(now - before, 1)
        return self.current.value - self.previous.value

    @property
    def change_size(self) -> float | None:
        change = self.change
        return None if change is None else abs(change)


@dataclass
class GroupRows:
    group: Group
    rows: list[FigureRow]
    # One line per child: the child and its cell of each figure, in the order of `rows`.
    lines: list[tuple[Organization, list[Cell]]] = field(default_factory=list)


@dataclass
class Dashboard:
    org: Organization
    year: int
    children: list[Organization]
    groups: list[GroupRows]
    state: BuildState | None


def _values(org_ids: list[int], years: tuple[int, ...]) -> dict[tuple[int, int], dict[str, int]]:
    values: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    rows = FigureValue.objects.filter(organization_id__in=org_ids, year__in=years)
    for org_id, year, key, value in rows.values_list("organization_id", "year", "key", "value"):
        values[(org_id, year)][key] = value
    return values


def _cell(values: dict[str, int], figure: Figure) -> Cell:
    return Cell(
        value=values.get(figure.key, 0),
        base=values.get(figure.base, 0) if figure.base else None,
    )


def dashboard(org: Organization, year: int, children: list[Organization]) -> Dashboard:
    """`org`'s figures for `year` and `year - 1`, and each of `children`'s for `year` (the
    children come from the caller, already scoped to what the viewer may see). Two queries."""
    kids = children
    ids = [org.pk, *(child.pk for child in kids)]
    values = _values(ids, (year, year - 1))
    groups = []
    for group in GROUPS:
        rows = []
        for figure in group.figures:
            rows.append(
                FigureRow(
                    figure=figure,
                    current=_cell(values.get((org.pk, year), {}), figure),
                    previous=_cell(values.get((org.pk, year - 1), {}), figure),
                    children=[_cell(values.get((c.pk, year), {}), figure) for c in kids],
                    detail_url=figure.detail_url(org.pk, year),
                )
            )
        lines = [(child, [row.children[i] for row in rows]) for i, child in enumerate(kids)]
        groups.append(GroupRows(group=group, rows=rows, lines=lines))
    state = BuildState.objects.filter(year=year).first()
    return Dashboard(org=org, year=year, children=kids, groups=groups, state=state)


def figure_or_none(key: str) -> Figure | None:
    return FIGURES.get(key)
