"""Fills the pinyin search columns of the staff and volunteers registered before they existed."""

from django.db import migrations

from accounts.people import fill_name_keys


def fill(apps, schema_editor):
    fill_name_keys(apps.get_model("staffing", "StaffMember"))
    fill_name_keys(apps.get_model("staffing", "Volunteer"))


class Migration(migrations.Migration):
    dependencies = [("staffing", "0004_people_name_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
