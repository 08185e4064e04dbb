"""The shipped scorecards: the station evaluation modelled on the Jiaxing local standard, and the two small
scorecards of the two-way assessment (Suzhou). Names are data, kept in Chinese; officials draft new versions.

Existing assignments (which had only a free-text period) are pinned to the station scorecard and given the year
their period names.
"""

import re
from decimal import Decimal

from django.db import migrations

# (dimension code, dimension name, [(indicator code, name, max points, source, guidance, evidence expected)])
STATION_EVALUATION = [
    ("A", "服务设施", [
        ("A1", "场地固定且使用面积不少于500平方米", "5", "standard",
         "实地查看场地，核对建设标准清单中“场地固定且面积不少于500平方米”一项。", "场地使用协议或产权证明、平面图、现场照片"),
        ("A2", "“四统一”（名称、logo、全科接待、服务标识）", "4", "standard",
         "逐项核对统一对外名称、统一服务logo、统一全科接待、统一服务标识，每缺一项扣1分。", "门牌与标识照片、接待窗口照片"),
        ("A3", "功能分区合理，设有无障碍设施", "3", "",
         "查看接待、办公、活动、个案、督导等功能区是否齐全，是否有无障碍通道。", "功能区照片"),
        ("A4", "设施设备与信息化条件", "3", "",
         "查看办公设备、活动器材、档案柜，服务记录是否在平台及时录入。", "设备清单、平台录入情况"),
    ]),
    ("B", "人员配备", [
        ("B1", "专职社工配备达到“6430”标准", "6", "staffing",
         "按平台人员配备标准核对专职社工人数、持证人数、志愿者人数和承接机构等级，参考不达标的日期。", "花名册、劳动合同、社保缴纳记录"),
        ("B2", "持证社工比例与专业能力", "5", "staffing",
         "核对持证社工人数是否不少于4人，抽查社工专业能力。", "职业资格证书"),
        ("B3", "站长、副站长岗位明确，职责清晰", "3", "",
         "站长由镇街分管领导担任，副站长由承接机构负责人担任，职责上墙。", "任命文件、岗位职责"),
        ("B4", "督导与培训", "3", "",
         "查看“1+1”督导落实情况和年度培训记录。", "督导记录、培训签到表"),
        ("B5", "志愿者队伍建设", "3", "",
         "查看志愿者注册、服务时长记录和激励措施。", "志愿者名册、服务时长记录"),
    ]),
    ("C", "服务内容", [
        ("C1", "“123X”项目体系完整", "8", "portfolio",
         "1个兜底服务项目、2个赋能与治理项目、3个以上社区、X个自选项目，参考平台项目组合校验结果。", "项目计划书、项目台账"),
        ("C2", "重点对象每月探访", "7", "visits",
         "重点对象每月探访率应达到目标（默认100%），参考平台每月探访率与未达标月份。", "探访记录"),
        ("C3", "个案服务成效", "7", "cases",
         "查看结案个案的前后测评分变化，抽查个案档案。", "个案档案、前后测评表"),
        ("C4", "服务记录与服务人次", "6", "services",
         "查看全年服务记录数与服务人次，抽查服务记录的证明材料。", "服务记录、签到表、照片"),
        ("C5", "社区重点问题解决", "4", "focus_problems",
         "查看年度社区重点问题的登记和解决情况。", "问题清单、解决情况说明"),
        ("C6", "服务需求调研", "3", "",
         "查看年度需求调研的开展与分析报告。", "调研问卷、需求分析报告"),
    ]),
    ("D", "运行管理", [
        ("D1", "制度建设完善", "4", "",
         "查看需求调研、项目管理、督导评估、档案管理等制度。", "制度汇编"),
        ("D2", "项目全流程管理", "4", "",
         "需求调研→项目设计→评审→实施→监测→绩效评估，各环节资料齐全。", "项目各阶段资料"),
        ("D3", "档案资料规范", "4", "",
         "服务档案分类归档、及时完整，个人信息妥善保管。", "档案目录、抽查记录"),
        ("D4", "经费使用规范", "3", "",
         "人员经费不超过项目经费的70%，支出凭证齐全。", "预算、支出凭证"),
    ]),
    ("E", "评价监督", [
        ("E1", "服务对象满意度", "7", "satisfaction",
         "参考平台满意度调查的平均分与回收份数，回收不足时可补充访谈。", "满意度调查结果"),
        ("E2", "双向考核结果", "3", "",
         "参考镇街对运营机构、站点对镇街支持的双向考核评分。", "双向考核表"),
        ("E3", "月报与季度例会", "3", "",
         "月报按时报送，季度例会按期召开。", "月报、会议纪要"),
        ("E4", "特色与创新", "2", "",
         "有可复制推广的特色服务或创新做法。", "案例材料、媒体报道"),
    ]),
]

OPERATOR_RATING = [
    ("O", "镇街对运营机构的考核", [
        ("O1", "服务成效与群众口碑", "30", "", "", ""),
        ("O2", "人员稳定与到岗情况", "20", "", "", ""),
        ("O3", "配合镇街中心工作", "20", "", "", ""),
        ("O4", "资料台账规范", "15", "", "", ""),
        ("O5", "资源链接与志愿者动员", "15", "", "", ""),
    ]),
]

SUPPORT_RATING = [
    ("S", "站点对镇街支持的评价", [
        ("S1", "场地与设施保障", "25", "", "", ""),
        ("S2", "经费按时拨付", "25", "", "", ""),
        ("S3", "工作协调与沟通", "20", "", "", ""),
        ("S4", "政策支持与资源对接", "15", "", "", ""),
        ("S5", "村社区配合", "15", "", "", ""),
    ]),
]

SHIPPED = [
    ("station-evaluation", "乡镇（街道）社会工作站评估指标", "evaluation",
     "参照嘉兴市乡镇（街道）社会工作站建设地方标准的五个维度：服务设施、人员配备、服务内容、运行管理、评价监督。",
     STATION_EVALUATION),
    ("two-way-operator", "双向考核：镇街对运营机构", "operator_rating", "苏州“双向考核”：镇街评价承接机构。", OPERATOR_RATING),
    ("two-way-support", "双向考核：站点对镇街支持", "support_rating", "苏州“双向考核”：承接机构评价镇街支持。", SUPPORT_RATING),
]


def ship(apps, schema_editor):
    ScorecardTemplate = apps.get_model("evaluation", "ScorecardTemplate")
    Dimension = apps.get_model("evaluation", "Dimension")
    Indicator = apps.get_model("evaluation", "Indicator")
    for code, name, purpose, description, dimensions in SHIPPED:
        template, created = ScorecardTemplate.objects.get_or_create(
            code=code,
            version=1,
            defaults={"name": name, "purpose": purpose, "description": description, "status": "active"},
        )
        if not created:
            continue
        for dimension_order, (dimension_code, dimension_name, indicators) in enumerate(dimensions, start=1):
            dimension = Dimension.objects.create(
                template=template, order=dimension_order, code=dimension_code, name=dimension_name
            )
            for order, (indicator_code, indicator_name, points, source, guidance, evidence) in enumerate(
                indicators, start=1
            ):
                Indicator.objects.create(
                    template=template,
                    dimension=dimension,
                    order=order,
                    code=indicator_code,
                    name=indicator_name,
                    max_points=Decimal(points),
                    source=source,
                    guidance=guidance,
                    evidence_expected=evidence,
                )
    default = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    Assignment = apps.get_model("evaluation", "Assignment")
    for assignment in Assignment.objects.filter(template__isnull=True):
        found = re.search(r"(20\d\d)", assignment.period or "")
        assignment.year = int(found.group(1)) if found else assignment.starts_on.year
        assignment.template = default
        assignment.save(update_fields=["year", "template"])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_scorecards_evaluations_surveys")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
