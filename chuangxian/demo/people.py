"""Demo members: plausible people for each branch, valid against chuangxian.orgs.rules.

Each branch has a profile that shapes its people: villages are older, mostly men, with two
dominant clan surnames and less schooling; schools and the health centre are younger, with more
women and degrees. ID numbers are built from the birth date and gender, so they always agree.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from chuangxian.demo import names
from chuangxian.demo.dates import add_years, age_on
from chuangxian.demo.township import NEARBY_REGIONS, OrgSpec
from chuangxian.orgs import idnumber
from chuangxian.orgs.models import Education, MemberCategory, MemberStatus
from chuangxian.orgs.rules import MIN_JOIN_AGE, MemberValues

MIN_AGE, MAX_AGE = 20, 90


@dataclass(frozen=True)
class Profile:
    ages: tuple[float, float, float]  # triangular low, high, mode
    male_share: float
    local_share: float  # born in the branch's own county
    rural: bool  # villagers and residents: 困难党员, 流动党员, less schooling
    jobs: tuple[str, ...]
    retired_job: str


PROFILES: dict[str, Profile] = {
    "village": Profile(
        (22, 90, 64),
        0.75,
        0.97,
        True,
        ("村民", "村民", "村民", "村民小组组长", "种植大户", "养殖户", "个体经营户", "乡村医生"),
        "村民",
    ),
    "community": Profile(
        (24, 88, 58),
        0.6,
        0.85,
        True,
        ("居民", "居民", "个体工商户", "网格员", "物业公司职工", "企业职工"),
        "退休职工",
    ),
    "organ": Profile(
        (23, 59, 40),
        0.68,
        0.6,
        False,
        ("科员", "科员", "办事员", "财政所干部", "民政办干部", "综合执法队队员", "经管站站长"),
        "退休干部",
    ),
    "institution": Profile(
        (23, 60, 42), 0.66, 0.7, False, ("农技员", "农技员", "畜牧兽医员", "职工"), "退休职工"
    ),
    "school": Profile(
        (23, 60, 40),
        0.48,
        0.6,
        False,
        ("教师", "教师", "教师", "班主任", "教导主任", "后勤主任"),
        "退休教师",
    ),
    "hospital": Profile(
        (23, 60, 38),
        0.42,
        0.6,
        False,
        ("医生", "医生", "护士", "护士长", "药剂师", "检验师"),
        "退休职工",
    ),
    "enterprise": Profile(
        (22, 58, 35),
        0.7,
        0.8,
        False,
        ("员工", "员工", "技术员", "车间主任", "销售经理", "会计"),
        "",
    ),
    "joint": Profile(
        (22, 66, 42), 0.72, 0.85, False, ("便民超市", "农资店", "汽修店", "餐馆", "快递站"), ""
    ),
}
SECRETARY_TITLES = {
    "village": "党支部书记、村民委员会主任",
    "community": "党支部书记、居民委员会主任",
    "organ": "党政综合办公室主任",
    "institution": "主任",
    "school": "校长",
    "hospital": "院长",
    "enterprise": "副总经理",
    "joint": "个体工商户",
}
COMMITTEE_POSTS = {
    5: ("书记", "副书记", "组织委员", "宣传委员", "纪检委员"),
    3: ("书记", "组织委员", "宣传委员"),
    1: ("书记",),
}
ETHNIC_GROUPS = ("汉族", "土家族", "苗族", "侗族", "瑶族", "回族", "满族")
ETHNIC_WEIGHTS = (93.0, 2.5, 2.0, 1.0, 0.8, 0.4, 0.3)
MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (
        *range(130, 140), 150, 151, 152, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177,
        180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199,
    )
)  # fmt: skip
MIGRANT_DESTINATIONS = ("广东省深圳市", "广东省东莞市", "浙江省宁波市", "上海市", "长沙市")


@dataclass
class DemoMember:
    organization_id: int
    values: MemberValues


class PeopleGenerator:
    """Makes members for branches in order; one instance per demo so ID numbers stay unique."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.used_numbers: set[int] = set()
        # The last day someone can have joined and already be confirmed a year later.
        self.latest_full_join = add_years(today, -1) - dt.timedelta(days=1)

    def branch_members(self, branch: OrgSpec) -> Iterator[DemoMember]:
        rng = self.rng
        profile = PROFILES[branch.profile]
        count = branch.member_count
        committee = 5 if count >= 20 else 3 if count >= 7 else 1
        posts = COMMITTEE_POSTS[committee]
        clans = [names.surname(rng), names.surname(rng)] if branch.profile == "village" else []
        group_leaders = set(branch.group_ids)
        for index in range(count):
            post = posts[index] if index < len(posts) else ""
            organization_id = branch.id
            if branch.group_ids and not post:
                organization_id = branch.group_ids[(index - len(posts)) % len(branch.group_ids)]
                if organization_id in group_leaders:
                    group_leaders.discard(organization_id)
                    post = "党小组组长"
            values = self.person(branch, profile, clans, officer=index < len(posts), post=post)
            yield DemoMember(organization_id, values)

    def person(
        self, branch: OrgSpec, profile: Profile, clans: list[str], *, officer: bool, post: str
    ) -> MemberValues:
        rng, today = self.rng, self.today
        male = rng.random() < (max(profile.male_share, 0.6) if officer else profile.male_share)
        gender = "男" if male else "女"
        low, high, mode = (28, 62, 48) if officer else profile.ages
        age = min(MAX_AGE, max(MIN_AGE, int(rng.triangular(low, high, mode))))
        born = dt.date(today.year - age, 1, 1) + dt.timedelta(days=rng.randrange(365))
        if age_on(born, today) < MIN_AGE:
            born = add_years(born, -1)
        age = age_on(born, today)
        region = branch.region if rng.random() < profile.local_share else rng.choice(NEARBY_REGIONS)
        number = self.id_number(region, born, male)

        surname = rng.choice(clans) if clans and rng.random() < 0.45 else names.surname(rng)
        name = surname + names.given_name(rng, gender=gender, birth_year=born.year)

        probationary_chance = 0.0 if officer else 0.2 if age < 35 else 0.04 if age < 50 else 0.005
        earliest_join = add_years(born, MIN_JOIN_AGE)
        if earliest_join > self.latest_full_join or rng.random() < probationary_chance:
            category = MemberCategory.PROBATIONARY
            joined = max(earliest_join, today - dt.timedelta(days=rng.randint(20, 350)))
            confirmed = None
        else:
            category = MemberCategory.FULL
            joined = self.join_date(born, age, earliest_join)
            confirmed = add_years(joined, 1)

        status = MemberStatus.ACTIVE
        if not officer and rng.random() < 0.015:
            status = rng.choices(
                (
                    MemberStatus.TRANSFERRED_OUT,
                    MemberStatus.DECEASED,
                    MemberStatus.SUSPENDED,
                    MemberStatus.LEFT,
                ),
                weights=(35, 50, 10, 5) if age >= 65 else (70, 0, 15, 15),
            )[0]
        mobile = (
            profile.rural
            and not officer
            and age <= 55
            and status == MemberStatus.ACTIVE
            and rng.random() < 0.12
        )
        hardship = rng.random() < (0.07 if profile.rural and age >= 60 else 0.003)
        return MemberValues(
            name=name,
            gender=gender,
            ethnicity=rng.choices(ETHNIC_GROUPS, weights=ETHNIC_WEIGHTS)[0],
            birth_date=born,
            id_number=number,
            joined_on=joined,
            category=category,
            phone=self.phone(age),
            education=self.education(branch.profile, born.year),
            confirmed_on=confirmed,
            party_post=post,
            work_post=self.work_post(branch, profile, post, age, mobile=mobile),
            in_hardship=hardship,
            is_mobile=mobile,
            status=status,
        )

    def id_number(self, region: str, born: dt.date, male: bool) -> str:
        """A valid, unused number: 6-digit region, birth date, sequence (odd for men), check."""
        start = self.rng.randrange(500)
        base = f"{region}{born:%Y%m%d}"
        for step in range(500):
            sequence = ((start + step) % 500) * 2 + (1 if male else 0)
            first17 = f"{base}{sequence:03d}"
            key = int(first17)
            if key not in self.used_numbers:
                self.used_numbers.add(key)
                return first17 + idnumber.check_digit(first17)
        raise RuntimeError(f"no free ID number for {region} {born}")

    def join_date(self, born: dt.date, age: int, earliest: dt.date) -> dt.date:
        rng = self.rng
        oldest_join_age = max(MIN_JOIN_AGE + 1, min(age - 1, 60))
        join_age = rng.triangular(MIN_JOIN_AGE, oldest_join_age, min(26, oldest_join_age))
        joined = born + dt.timedelta(days=int(join_age * 365.25))
        joined = min(max(joined, earliest), self.latest_full_join)
        # Admissions cluster around 七一.
        if rng.random() < 0.3:
            july_first = dt.date(joined.year, 7, 1)
            if earliest <= july_first <= self.latest_full_join:
                joined = july_first
        return joined

    def phone(self, age: int) -> str:
        rng = self.rng
        if rng.random() >= (0.96 if age < 60 else 0.85 if age < 75 else 0.6):
            return ""
        return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"

    def education(self, profile: str, birth_year: int) -> str:
        rng = self.rng
        if profile in ("organ", "school", "hospital", "institution"):
            if birth_year >= 1985:
                options: tuple[str, ...] = (
                    Education.MASTER,
                    Education.BACHELOR,
                    Education.JUNIOR_COLLEGE,
                )
                weights: tuple[float, ...] = (15, 65, 20)
            else:
                options = (
                    Education.BACHELOR,
                    Education.JUNIOR_COLLEGE,
                    Education.SECONDARY_VOCATIONAL,
                )
                weights = (50, 35, 15)
        elif birth_year < 1955:
            options = (Education.PRIMARY, Education.JUNIOR_HIGH, Education.HIGH_SCHOOL)
            weights = (45, 42, 13)
        elif birth_year < 1975:
            options = (
                Education.PRIMARY,
                Education.JUNIOR_HIGH,
                Education.HIGH_SCHOOL,
                Education.SECONDARY_VOCATIONAL,
            )
            weights = (8, 50, 30, 12)
        else:
            options = (
                Education.JUNIOR_HIGH,
                Education.HIGH_SCHOOL,
                Education.JUNIOR_COLLEGE,
                Education.BACHELOR,
            )
            weights = (10, 28, 35, 27)
        return rng.choices(options, weights=weights)[0]

    def work_post(
        self, branch: OrgSpec, profile: Profile, post: str, age: int, *, mobile: bool
    ) -> str:
        rng = self.rng
        if post == "书记":
            return f"{branch.place}{SECRETARY_TITLES[branch.profile]}"
        if mobile:
            return f"外出务工（{rng.choice(MIGRANT_DESTINATIONS)}）"
        if age >= 62 and profile.retired_job:
            return f"{branch.place}{profile.retired_job}"
        if branch.profile == "village" and post and post != "党小组组长":
            return f"{branch.place}村民委员会委员"
        if branch.profile == "joint":
            return f"{branch.township}{rng.choice(profile.jobs)}经营者"
        return f"{branch.place}{rng.choice(profile.jobs)}"
