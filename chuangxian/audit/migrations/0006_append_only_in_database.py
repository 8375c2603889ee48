"""The audit trail refuses UPDATE and DELETE in the database itself (see audit/protection.py)."""

import django.utils.timezone
from django.db import migrations, models

from chuangxian.audit.protection import install_sql, uninstall_sql


def install(apps, schema_editor):
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_hash_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True)),
                ("row_hash", models.CharField(max_length=64)),
                ("archived_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("before", models.DateField()),
                ("first_seq", models.BigIntegerField()),
                ("count", models.PositiveIntegerField()),
                ("file_name", models.CharField(max_length=255)),
                ("file_sha256", models.CharField(max_length=64)),
            ],
            options={"ordering": ["-seq"]},
        ),
        migrations.RunPython(install, uninstall),
    ]
