import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_rollups"),
        ("stations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="kind",
            field=models.CharField(
                choices=[
                    ("station_profile", "Station profile"),
                    ("evaluation", "Evaluation result"),
                    ("monthly", "Monthly report"),
                    ("quarterly", "Quarterly report"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="ReportBatch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("station_profile", "Station profile"),
                            ("evaluation", "Evaluation result"),
                            ("monthly", "Monthly report"),
                            ("quarterly", "Quarterly report"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("period", models.CharField(max_length=10, verbose_name="period")),
                ("scope_key", models.CharField(editable=False, max_length=40)),
                ("total", models.PositiveIntegerField(default=0, verbose_name="reports")),
                (
                    "trigger",
                    models.CharField(
                        default="beat", help_text="e.g. beat, admin", max_length=60, verbose_name="started by"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: every region.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_batches",
                        to="stations.region",
                        verbose_name="region",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="report_batches",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="started by",
                    ),
                ),
            ],
            options={
                "verbose_name": "report batch",
                "verbose_name_plural": "report batches",
                "ordering": ["-created_at", "-pk"],
                "permissions": [("retry_reportbatch", "Can retry the failed reports of a batch")],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "scope_key", "period"), name="report_batch_once")
                ],
            },
        ),
        migrations.AddField(
            model_name="report",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                help_text="The scheduled run that produced the report (none when asked for by a person).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reports",
                to="reports.reportbatch",
                verbose_name="batch",
            ),
        ),
    ]
