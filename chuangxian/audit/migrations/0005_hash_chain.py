from django.db import migrations, models
import django.utils.timezone


def chain_existing_events(apps, schema_editor):
    """Put the events recorded before the chain existed on it, in the order they were made."""
    from chuangxian.audit.chain import GENESIS, event_digest

    AuditEvent = apps.get_model("audit", "AuditEvent")
    previous = GENESIS
    batch = []
    for seq, event in enumerate(AuditEvent.objects.order_by("id").iterator(chunk_size=1000), 1):
        event.seq = seq
        event.row_hash = previous = event_digest(previous, event)
        batch.append(event)
        if len(batch) >= 1000:
            AuditEvent.objects.bulk_update(batch, ["seq", "row_hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["seq", "row_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_login_and_two_factor_actions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
