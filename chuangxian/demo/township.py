"""The demo organization tree, as plain data (no database).

Up to SINGLE_TOWNSHIP_MAX members the tree is one township: a 镇党委 with about 40 branches
(mostly villages, then communities, organs, schools, the health centre, enterprises, one joint
branch), two 党总支 with branches under them, and 党小组 in the largest villages. Above that the
same township is repeated, about MEMBERS_PER_SCALED_TOWNSHIP members each (≈17 per branch), under
counties (5-7 townships, ≈4,000 members), cities and, when there are many counties, a province.
Ids are assigned here, so each node's path is known before anything is written.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from chuangxian.demo.dates import add_years
from chuangxian.demo.names import COMPANY_TRADES, place_names
from chuangxian.orgs.models import OrgKind, Sector

SINGLE_TOWNSHIP_MAX = 3_000
MEMBERS_PER_SCALED_TOWNSHIP = 680
COUNTIES_PER_CITY = 18
MIN_BRANCH_MEMBERS = 3
# Of every 15 organizations with a term, one is overdue and one due within the alert window.
TERM_PATTERN = ("overdue", "due_soon", *["current"] * 13)
# The largest village branches of each township are split into 党小组.
VILLAGES_WITH_GROUPS = 6
MIN_MEMBERS_FOR_GROUPS = 12

# County region codes (GB/T 2260 style suffixes) used in ID numbers; the first is the home county.
HOME_REGION = "430121"
NEARBY_REGIONS = ("430102", "430103", "430104", "430105", "430111", "430112", "430181", "430182")
COUNTY_SUFFIXES = (
    "02", "03", "04", "05", "11", "12", "21", "22", "23",
    "24", "25", "26", "27", "81", "82", "83", "84", "85",
)  # fmt: skip


@dataclass
class OrgSpec:
    id: int
    code: str
    name: str
    kind: str
    sector: str
    parent_id: int | None
    path: str
    depth: int
    established_on: dt.date | None = None
    term_started_on: dt.date | None = None
    term_ends_on: dt.date | None = None
    # For branches: how the members look (see people.PROFILES), their count, the name of the
    # village or unit used in 工作单位及职务, the home region code and the 党小组 ids under it.
    profile: str = ""
    member_count: int = 0
    place: str = ""
    township: str = ""
    region: str = HOME_REGION
    group_ids: list[int] = field(default_factory=list)

    @property
    def is_branch(self) -> bool:
        return self.kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)


@dataclass
class _Branch:
    """A branch before ids: its name, kind and member share inside the township."""

    name: str
    sector: str
    profile: str
    weight: float
    place: str
    kind: str = OrgKind.BRANCH
    parent: str = ""  # the name of a 党总支 of the same township, or "" for the 党委


class TreeBuilder:
    def __init__(self, rng: random.Random, today: dt.date, first_id: int) -> None:
        self.rng = rng
        self.today = today
        self.next_id = first_id
        self.orgs: list[OrgSpec] = []
        self._term_states: list[str] = []

    def _next_term_state(self) -> str:
        if not self._term_states:
            self._term_states = list(TERM_PATTERN)
            self.rng.shuffle(self._term_states)
        return self._term_states.pop()

    def add(
        self,
        *,
        code: str,
        name: str,
        kind: str,
        sector: str,
        parent: OrgSpec | None,
        **extra: object,
    ) -> OrgSpec:
        org_id = self.next_id
        self.next_id += 1
        parent_path = parent.path if parent else "/"
        spec = OrgSpec(
            id=org_id,
            code=code,
            name=name,
            kind=kind,
            sector=sector,
            parent_id=parent.id if parent else None,
            path=f"{parent_path}{org_id}/",
            depth=parent_path.count("/") - 1,
            **extra,  # type: ignore[arg-type]
        )
        self._dates(spec, parent)
        self.orgs.append(spec)
        return spec

    def _dates(self, spec: OrgSpec, parent: OrgSpec | None) -> None:
        rng, today = self.rng, self.today
        first_years: dict[str, int] = {
            Sector.RURAL: 1952,
            Sector.ORGAN: 1956,
            Sector.SCHOOL: 1960,
            Sector.HOSPITAL: 1965,
            Sector.COMMUNITY: 1998,
            Sector.PUBLIC_INSTITUTION: 1985,
            Sector.PRIVATE_ENTERPRISE: 2006,
        }
        earliest = first_years.get(spec.sector, 1990)
        if spec.kind == OrgKind.GROUP and parent is not None and parent.established_on:
            earliest = max(2010, parent.established_on.year + 1)
        latest = today.year - (1 if spec.kind == OrgKind.GROUP else 4)
        spec.established_on = dt.date(
            rng.randint(min(earliest, latest), latest), rng.randint(1, 12), 1
        )
        if spec.kind == OrgKind.GROUP:
            return
        # 党章: local committees serve five years; branches five (villages, communities) or three.
        years = 5 if spec.sector in (Sector.RURAL, Sector.COMMUNITY) else 3
        if spec.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE):
            years = 5
        state = self._next_term_state()
        if state == "overdue":
            ends = today - dt.timedelta(days=rng.randint(1, 400))
        elif state == "due_soon":
            ends = today + dt.timedelta(days=rng.randint(1, 85))
        else:
            ends = today + dt.timedelta(days=rng.randint(91, years * 365 - 30))
        started = add_years(ends, -years)
        if started < spec.established_on:
            # Founded in the middle of what would have been the term: the founding counts as
            # the start of its first term, which keeps the end date (and so the alert).
            spec.established_on = started
        spec.term_started_on, spec.term_ends_on = started, ends


def township_branches(rng: random.Random, township: str) -> list[_Branch]:
    """The branches of one township, about 40, with their member weights."""
    villages = place_names(rng, 27)
    communities = place_names(rng, 5, taken=set(villages))
    trades = rng.sample(COMPANY_TRADES, 3)
    companies = [
        f"{place}{trade}有限公司" for place, trade in zip(villages[-3:], trades, strict=True)
    ]
    branches: list[_Branch] = []

    def add(name: str, sector: str, profile: str, weight: float, place: str, **kw: str) -> None:
        jitter = rng.uniform(0.7, 1.4)
        branches.append(_Branch(name, sector, profile, weight * jitter, place, **kw))

    gov = f"{township}人民政府"
    add(f"{township}机关第一党支部", Sector.ORGAN, "organ", 25, gov)
    add(f"{township}机关第二党支部", Sector.ORGAN, "organ", 20, gov)
    add(
        f"{township}农业综合服务中心党支部",
        Sector.PUBLIC_INSTITUTION,
        "institution",
        14,
        f"{township}农业综合服务中心",
    )
    add(f"{township}中心学校党支部", Sector.SCHOOL, "school", 28, f"{township}中心学校")
    add(f"{township}中学党支部", Sector.SCHOOL, "school", 22, f"{township}中学")
    add(f"{township}卫生院党支部", Sector.HOSPITAL, "hospital", 22, f"{township}卫生院")
    for company in companies:
        add(f"{company}党支部", Sector.PRIVATE_ENTERPRISE, "enterprise", 9, company)
    add(
        f"{township}非公企业联合党支部",
        Sector.PRIVATE_ENTERPRISE,
        "joint",
        11,
        f"{township}个体工商户",
        kind=OrgKind.JOINT_BRANCH,
    )
    for community in communities[:3]:
        add(f"{community}社区党支部", Sector.COMMUNITY, "community", 30, f"{community}社区")
    big_community = communities[3]
    for ordinal in "一二":
        add(
            f"{big_community}社区第{ordinal}党支部",
            Sector.COMMUNITY,
            "community",
            25,
            f"{big_community}社区",
            parent=f"{big_community}社区党总支",
        )
    big_village = villages[0]
    for ordinal in "一二三":
        add(
            f"{big_village}村第{ordinal}党支部",
            Sector.RURAL,
            "village",
            40,
            f"{big_village}村",
            parent=f"{big_village}村党总支",
        )
    for village in villages[1:23]:
        add(f"{village}村党支部", Sector.RURAL, "village", 45, f"{village}村")
    return branches


def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders), giving each at least
    `minimum` when the total allows it."""
    count = len(weights)
    floor = minimum if total >= minimum * count else 0
    rest = total - floor * count
    scale = sum(weights)
    shares = [rest * w / scale for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(count), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [c + floor for c in counts]


def build_township(
    builder: TreeBuilder,
    *,
    name: str,
    code: str,
    parent: OrgSpec | None,
    members: int,
    region: str,
    neighbours: tuple[str, ...],
) -> OrgSpec:
    rng = builder.rng
    root = builder.add(
        code=code, name=f"{name}党委", kind=OrgKind.COMMITTEE, sector=Sector.ORGAN, parent=parent
    )
    branches = township_branches(rng, name)
    counts = allocate(members, [b.weight for b in branches], MIN_BRANCH_MEMBERS)
    general: dict[str, OrgSpec] = {}
    serial = 0
    villages: list[OrgSpec] = []
    for branch, count in zip(branches, counts, strict=True):
        above = root
        if branch.parent:
            if branch.parent not in general:
                serial += 1
                general[branch.parent] = builder.add(
                    code=f"{code}{serial:03d}",
                    name=branch.parent,
                    kind=OrgKind.GENERAL_BRANCH,
                    sector=branch.sector,
                    parent=root,
                )
            above = general[branch.parent]
        serial += 1
        spec = builder.add(
            code=f"{code}{serial:03d}",
            name=branch.name,
            kind=branch.kind,
            sector=branch.sector,
            parent=above,
            profile=branch.profile,
            member_count=count,
            place=branch.place,
            township=name,
            region=region if branch.profile in ("village", "community") else rng.choice(neighbours),
        )
        if branch.profile == "village" and not branch.parent:
            villages.append(spec)
    largest = sorted(villages, key=lambda s: (-s.member_count, s.id))[:VILLAGES_WITH_GROUPS]
    for spec in sorted(largest, key=lambda s: s.id):
        if spec.member_count < MIN_MEMBERS_FOR_GROUPS:
            continue
        for number in range(1, min(4, max(2, spec.member_count // 15)) + 1):
            group = builder.add(
                code=f"{spec.code}{number:02d}",
                name=f"{spec.place}第{'一二三四'[number - 1]}党小组",
                kind=OrgKind.GROUP,
                sector=spec.sector,
                parent=spec,
            )
            spec.group_ids.append(group.id)
    return root


def build_tree(rng: random.Random, *, members: int, today: dt.date, first_id: int) -> list[OrgSpec]:
    """Every organization of the demo, parents before children, with ids from `first_id`."""
    builder = TreeBuilder(rng, today, first_id)
    if members <= SINGLE_TOWNSHIP_MAX:
        build_township(
            builder,
            name="青山镇",
            code="430121101",
            parent=None,
            members=members,
            region=HOME_REGION,
            neighbours=(HOME_REGION, HOME_REGION, *NEARBY_REGIONS),
        )
        return builder.orgs
    townships = max(2, round(members / MEMBERS_PER_SCALED_TOWNSHIP))
    per_county: list[int] = []
    while sum(per_county) < townships:
        per_county.append(min(rng.randint(5, 7), townships - sum(per_county)))
    per_township = allocate(members, [1.0] * townships, 0)
    counties = len(per_county)
    cities = math.ceil(counties / COUNTIES_PER_CITY)
    city_specs: list[OrgSpec | None]
    if counties == 1:
        city_specs = [None]
    elif cities == 1:
        city_specs = [
            builder.add(
                code="4301",
                name="云梦市委",
                kind=OrgKind.COMMITTEE,
                sector=Sector.ORGAN,
                parent=None,
            )
        ]
    else:
        root = builder.add(
            code="43", name="云梦省委", kind=OrgKind.COMMITTEE, sector=Sector.ORGAN, parent=None
        )
        city_specs = []
        for city_name in place_names(rng, cities):
            city_specs.append(
                builder.add(
                    code=f"43{len(city_specs) + 1:02d}",
                    name=f"{city_name}市委",
                    kind=OrgKind.COMMITTEE,
                    sector=Sector.ORGAN,
                    parent=root,
                )
            )
    township_index = 0
    county_names: list[str] = []
    for county_index, township_count in enumerate(per_county):
        city = city_specs[county_index // COUNTIES_PER_CITY]
        if county_index % COUNTIES_PER_CITY == 0:
            # County names are unique within a city, township names within a county.
            county_names = place_names(rng, COUNTIES_PER_CITY)
        city_code = city.code if city is not None and len(city.code) == 4 else "4301"
        region = city_code + COUNTY_SUFFIXES[county_index % COUNTIES_PER_CITY]
        county = builder.add(
            code=region,
            name=f"{county_names[county_index % COUNTIES_PER_CITY]}县委",
            kind=OrgKind.COMMITTEE,
            sector=Sector.ORGAN,
            parent=city,
        )
        neighbours = (region, region, region, city_code + "02", city_code + "03")
        for number, township_name in enumerate(place_names(rng, township_count), start=101):
            build_township(
                builder,
                name=f"{township_name}镇",
                code=f"{region}{number}",
                parent=county,
                members=per_township[township_index],
                region=region,
                neighbours=neighbours,
            )
            township_index += 1
    return builder.orgs
