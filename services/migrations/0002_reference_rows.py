"""The shipped reference rows of DOMAIN.md section 4: the target groups and the Suzhou service catalogue.

Suzhou's "menu" (苏州 城乡社区服务社会化试点) has three categories, 基础类 / 增能类 / 治理类; the items below are
those the source names (寒暑假兴趣班, 4点半课堂, 社区资源地图, 公益集市, 群租房, 高空抛物, 联心·议事亭, 睦邻空间...)
completed with the basic services of Haining's station (困难家庭, 孤寡老人, 困境儿童, 残疾人). Administrators edit
and extend the catalogue (a 4th category may be added); names are data, kept in Chinese.
"""

from django.db import migrations

TARGET_GROUPS = [
    ("difficult_family", "困难家庭"),
    ("low_income", "低收入"),
    ("elderly_alone", "孤寡/独居老人"),
    ("child_in_difficulty", "困境儿童"),
    ("left_behind_child", "留守儿童"),
    ("disabled", "残疾人"),
    ("new_resident", "新居民"),
    ("at_risk_youth", "问题青少年"),
    ("other", "其他"),
]

# (code, name, [(sub-item, [items])])
CATALOG = [
    (
        "basic",
        "基础类",
        [
            ("困难家庭服务", ["困难家庭需求评估", "低保及低边家庭生活帮扶", "困难家庭子女学业辅导"]),
            ("为老服务", ["孤寡、独居老人定期探访", "老年人精神慰藉", "居家养老支持"]),
            ("困境儿童服务", ["困境儿童关爱保护", "留守儿童陪伴成长", "儿童安全教育"]),
            ("残疾人服务", ["残疾人康复训练", "残疾人就业支持"]),
            ("社会救助服务", ["救助政策宣传与对接", "急难个案救助"]),
        ],
    ),
    (
        "empowerment",
        "增能类",
        [
            ("居民需求调研与资源开发", ["社区需求调查", "社区资源地图制作"]),
            ("居民参与和社区互动", ["寒暑假兴趣班", "4点半课堂", "新知识新技能讲座", "公益集市"]),
            ("社区公益基金筹建", ["社区公益基金筹建", "社区爱心志愿服务队建设"]),
            ("社区社会组织培育", ["社区社会组织孵化", "社区骨干能力培训"]),
        ],
    ),
    (
        "governance",
        "治理类",
        [
            ("社区环境治理", ["群租房治理", "毁绿种菜整治", "高空抛物防治", "楼道安全隐患整治"]),
            ("睦邻友好", ["宠物扰民调解", "“睦邻空间”营造", "邻里互助"]),
            ("党团阵地建设", ["党建服务阵地建设", "党员社工服务先锋"]),
            ("多方共治", ["“联心·议事亭”居民议事", "无物业管理小区自治", "社情民意在线平台"]),
        ],
    ),
]


def add_rows(apps, schema_editor):
    TargetGroup = apps.get_model("services", "TargetGroup")
    CatalogCategory = apps.get_model("services", "CatalogCategory")
    CatalogSubItem = apps.get_model("services", "CatalogSubItem")
    CatalogItem = apps.get_model("services", "CatalogItem")
    for order, (code, name) in enumerate(TARGET_GROUPS, start=1):
        TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for order, (code, name, sub_items) in enumerate(CATALOG, start=1):
        category = CatalogCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})[0]
        for sub_order, (sub_name, items) in enumerate(sub_items, start=1):
            sub_item = CatalogSubItem.objects.update_or_create(
                category=category, name=sub_name, defaults={"order": sub_order}
            )[0]
            for item_order, item_name in enumerate(items, start=1):
                CatalogItem.objects.update_or_create(sub_item=sub_item, name=item_name, defaults={"order": item_order})


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(add_rows, migrations.RunPython.noop)]
