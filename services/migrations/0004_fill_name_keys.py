"""Fills the pinyin search columns of the beneficiaries registered before they existed."""

from django.db import migrations

from accounts.people import fill_name_keys


def fill(apps, schema_editor):
    fill_name_keys(apps.get_model("services", "Beneficiary"))


class Migration(migrations.Migration):
    dependencies = [("services", "0003_people_name_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
