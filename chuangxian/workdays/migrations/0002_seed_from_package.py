"""Every install starts with the holiday schedules the `chinese-calendar` package ships
(2004 to its last year); later years are entered by an administrator (or `chuangxian
workdays seed` after upgrading the package)."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    years = set()
    days = []
    for day, name in constants.holidays.items():
        years.add(day.year)
        days.append(SpecialDay(date=day, kind="holiday", name=NAMES.get(str(name), str(name))[:36]))
    for day, name in constants.workdays.items():
        years.add(day.year)
        label = NAMES.get(str(name), str(name))[:36] + "调休"
        days.append(SpecialDay(date=day, kind="workday", name=label))
    SpecialDay.objects.bulk_create(days)
    CalendarYear.objects.bulk_create(CalendarYear(year=y, source="package") for y in sorted(years))


def unseed(apps, schema_editor):
    apps.get_model("workdays", "SpecialDay").objects.all().delete()
    apps.get_model("workdays", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
