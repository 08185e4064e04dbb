"""The construction standard (建设标准) items of DOMAIN.md section 2, as shipped defaults.

Administrators can deactivate or add items later; item names are data, kept in Chinese.
"""

from django.db import migrations

ITEMS = [
    ("site_area", "场地固定且面积不少于500平方米", "站点场地固定，使用面积不少于500平方米"),
    ("unified_name", "统一对外名称", "统一使用“××镇（街道）社会工作站”名称"),
    ("unified_logo", "统一服务logo", "统一使用社会工作站服务标志"),
    ("unified_reception", "统一全科接待", "设置全科接待窗口，统一接待群众"),
    ("unified_signage", "统一服务标识", "门牌、指引、制度上墙等统一标识"),
    ("fixed_premises", "场所固定", "有固定的办公和服务场所"),
    ("sound_organisation", "机构完善", "站长、副站长、专职社工等岗位齐全"),
    ("clear_positioning", "定位准确", "服务定位于困难群众和特殊群体"),
    ("sound_mechanisms", "机制健全", "建立需求调研、项目管理、督导评估等制度"),
    ("strong_support", "保障有力", "经费、场地、人员保障到位"),
]


def add_items(apps, schema_editor):
    StandardItem = apps.get_model("stations", "StandardItem")
    for order, (code, name, description) in enumerate(ITEMS, start=1):
        StandardItem.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(add_items, migrations.RunPython.noop)]
