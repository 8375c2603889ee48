from django.db import migrations, models
from django.db.models import F


def mark_past_attendance_recorded(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Meetings that took place before this field existed had their attendance kept the old
    way (everyone absent unless recorded), so their record stands as it is: the attendance
    page must not start them as all present."""
    Meeting = apps.get_model("orglife", "Meeting")
    Meeting.objects.filter(status__in=["held", "submitted", "approved", "returned"]).update(
        attendance_recorded_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="attendance_recorded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="出席登记时间"),
        ),
        migrations.RunPython(mark_past_attendance_recorded, migrations.RunPython.noop),
    ]
