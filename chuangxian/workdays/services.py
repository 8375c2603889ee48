"""Writes to the working-day calendar. Each is atomic and audited."""

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.workdays.models import CalendarSource, CalendarYear, DayKind, SpecialDay
from chuangxian.workdays.schedule import ScheduledDay


@transaction.atomic
def calendar_year_replace(
    *, year: int, days: list[ScheduledDay], actor: Actor, org_path: str = ""
) -> CalendarYear:
    """Make `days` the whole schedule of `year` (what was there before is replaced) and mark
    the year as entered by `actor`. `days` come from `schedule.parse_schedule`, so every one
    lies in `year`."""
    if any(day.date.year != year for day in days):
        raise ValueError("every day must lie in the year replaced")
    existing = SpecialDay.objects.filter(date__year=year)
    before = sorted(f"{d:%Y-%m-%d}{k}" for d, k in existing.values_list("date", "kind"))
    existing.delete()
    SpecialDay.objects.bulk_create(
        SpecialDay(date=day.date, kind=day.kind, name=day.name) for day in days
    )
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "source": CalendarSource.MANUAL,
            "updated_by": actor.user if actor.user is not None and actor.user.pk else None,
        },
    )
    after = sorted(f"{d.date:%Y-%m-%d}{d.kind}" for d in days)
    holidays = sum(1 for d in days if d.kind == DayKind.HOLIDAY)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=calendar_year,
        object_type="calendaryear",
        object_label=f"{year} 年节假日安排",
        org_path=org_path,
        changes={
            "节假日": [None, holidays],
            "调休上班": [None, len(days) - holidays],
            "变动": [len(set(before) - set(after)), len(set(after) - set(before))],
        },
    )
    return calendar_year


@transaction.atomic
def calendar_seed_from_package(*, actor: Actor) -> list[int]:
    """Add every year the `chinese-calendar` package knows and the table does not; a year
    already in the table (entered by hand, or seeded before) is never touched. Returns the
    years added."""
    from chinese_calendar import constants

    by_year: dict[int, list[SpecialDay]] = {}
    for day, name in constants.holidays.items():
        by_year.setdefault(day.year, []).append(
            SpecialDay(date=day, kind=DayKind.HOLIDAY, name=_chinese_name(name))
        )
    for day, name in constants.workdays.items():
        by_year.setdefault(day.year, []).append(
            SpecialDay(date=day, kind=DayKind.WORKDAY, name=_chinese_name(name) + "调休")
        )
    known = set(CalendarYear.objects.values_list("year", flat=True))
    added = sorted(set(by_year) - known)
    for year in added:
        SpecialDay.objects.filter(date__year=year).delete()
        SpecialDay.objects.bulk_create(by_year[year])
        CalendarYear.objects.create(year=year, source=CalendarSource.PACKAGE)
    if added:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="calendaryear",
            object_id=",".join(str(y) for y in added),
            object_label=f"节假日安排 {added[0]}–{added[-1]} 年（随软件提供）",
            changes={"年度": [None, len(added)]},
        )
    return added


_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _chinese_name(name: object) -> str:
    text = str(getattr(name, "value", name))
    return _NAMES.get(text, text)[:36]
