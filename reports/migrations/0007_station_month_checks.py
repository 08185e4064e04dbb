from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_report_batches"),
    ]

    operations = [
        migrations.AddField(
            model_name="stationmonth",
            name="checks",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="rollupdirty",
            name="part",
            field=models.CharField(
                choices=[
                    ("all", "all"),
                    ("services", "services"),
                    ("staffing", "staffing"),
                    ("spending", "spending"),
                    ("budget", "budget"),
                    ("grades", "grades"),
                ],
                default="all",
                max_length=8,
            ),
        ),
        migrations.RemoveConstraint(
            model_name="rollupdirty",
            name="rollup_dirty_once",
        ),
        migrations.AddConstraint(
            model_name="rollupdirty",
            constraint=models.UniqueConstraint(fields=("station", "month", "part"), name="rollup_dirty_once"),
        ),
    ]
