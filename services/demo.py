"""Demo services of the Jiaxing stations (DOMAIN.md section 4): beneficiaries, the "123X" projects of this year and
the last, the service log of the 12 months up to today, cases and community focus problems, for every operating
station.

The picture is honest. 马桥街道 (the demo accounts' station) has a valid portfolio and visits every key target every
month, the current month being under way. 长安镇 has no governance brand and no project for children this year;
澉浦镇, run by two people, has neither brand project, and visits its key targets clearly below the goal. A few
stations' governance projects land in fewer communities than the township target asks.

Deterministic and idempotent, in the discipline of ``staffing.demo``. Each operating station takes exactly four
numbers from ``rng`` and seeds its own generators: one for who its beneficiaries are (names, ID numbers: the natural
keys, communities, target groups), one for its projects (names, catalogue items, communities, stages, targets), one
for its service log, one for its cases and focus problems. Every value is drawn whether or not its row exists.
Beneficiaries are keyed on (station, ID number) and projects on (station, year, name), and saved only when something
changed; a beneficiary's registration date, counted back from ``today``, is written when the row is created. The
log, the cases and the focus problems follow ``today``, so like the volunteers' hours they are written once, for a
station that has none yet; a project's stage only ever moves forward, through ``project_stage_advance``.

Speed (measured): ``service_record_create`` costs about 3 ms a record on SQLite and more on PostgreSQL, half a
minute or more for the ~9,000 records here, on top of the rest of the demo. So a record without volunteers is
written in bulk (the rows, then their beneficiary and staff through rows) once the model's own checks
(``clean_fields`` and ``clean``: no future date, a known kind, 1..1440 minutes, a project of the same station and
year) and the rule's (people of the station, someone served) have passed in memory; a demo that breaks one stops
with the error. A record with volunteers goes through ``service_record_create``, so every ``ServiceVolunteer`` has
its ``VolunteerHours`` row under the 24-hour rule; a refusal there drops the volunteers and logs the service without
them. Cases go through the case rules, focus problems through ``focus_problem_advance``.
"""

import calendar
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from staffing.choices import Gender, StaffRole
from staffing.demo import (
    FAMILY_NAMES,
    GIVEN_FEMALE,
    GIVEN_MALE,
    TRAINING_TOPICS,
    TWO_STAFF_TOWNSHIP,
    day_between,
    id_number,
    phone,
)
from staffing.models import StaffMember, Volunteer
from staffing.validators import id_number_birth_date
from stations.choices import StationStatus
from stations.demo import DEMO_TOWNSHIP, DemoStations, upsert
from stations.models import Region, Station

from .choices import STAGE_ORDER, FocusProblemStatus, ProjectCategory, ProjectStage, ProjectSubtype, ServiceKind
from .models import (
    Beneficiary,
    Case,
    CatalogItem,
    FocusProblem,
    Project,
    ProjectStageChange,
    ServicePolicy,
    ServiceRecord,
    ServiceVolunteer,
    TargetGroup,
)
from .rules import (
    case_assess,
    case_close,
    case_follow_up,
    case_open,
    case_plan,
    case_refer,
    focus_problem_advance,
    portfolio_check,
    project_stage_advance,
    service_record_create,
    visit_rate,
)

# Stations that log a lot (200-400 records a year); the rest log 60-150.
BUSY = {DEMO_TOWNSHIP, "硖石街道", "南湖街道", "新城街道", "魏塘街道", "梧桐街道"}
# This year's portfolio lacks these projects; last year's was complete everywhere.
INCOMPLETE = {
    "长安镇": {ProjectSubtype.GOVERNANCE, ProjectSubtype.CHILDREN},
    TWO_STAFF_TOWNSHIP: {ProjectSubtype.PROFESSIONAL, ProjectSubtype.GOVERNANCE},
}
# When a year's projects reach each stage (the year is the project's).
STAGE_MOVED = {
    ProjectStage.DESIGN: date(2000, 1, 12),
    ProjectStage.REVIEW: date(2000, 2, 20),
    ProjectStage.IMPLEMENTATION: date(2000, 3, 10),
    ProjectStage.MONITORING: date(2000, 7, 1),
    ProjectStage.EVALUATION: date(2000, 12, 15),
}
LOW_VISITS = TWO_STAFF_TOWNSHIP  # two people cannot visit every key target every month
GOVERNANCE_SHORT_SHARE = 0.12  # stations whose governance brand lands in too few communities
MONTHS = 12  # the log covers the 12 past months and the current one

# --- beneficiaries -----------------------------------------------------------------------------------

# Primary target group of a beneficiary and how common it is among those a station serves.
GROUP_WEIGHTS = {
    "elderly_alone": 30,
    "difficult_family": 18,
    "child_in_difficulty": 10,
    "left_behind_child": 8,
    "disabled": 10,
    "low_income": 9,
    "new_resident": 8,
    "at_risk_youth": 4,
    "other": 3,
}
# A second group some people also belong to.
ALSO = {
    "elderly_alone": ("low_income", 0.25),
    "difficult_family": ("low_income", 0.45),
    "child_in_difficulty": ("left_behind_child", 0.2),
    "disabled": ("difficult_family", 0.3),
    "left_behind_child": ("child_in_difficulty", 0.1),
}
BORN = {
    "elderly_alone": (1932, 1958),
    "difficult_family": (1955, 1990),
    "low_income": (1950, 1988),
    "disabled": (1950, 2000),
    "child_in_difficulty": (2009, 2021),
    "left_behind_child": (2010, 2021),
    "at_risk_youth": (2007, 2011),
    "new_resident": (1975, 2000),
    "other": (1945, 1995),
}
# Key targets (重点对象) come from these groups; KEY_SHARE of them, about 15 % of all.
KEY_GROUPS = {"elderly_alone", "difficult_family", "child_in_difficulty", "disabled"}
KEY_SHARE = 0.22
# Home counties of new residents (新居民): Anhui, Henan, Sichuan, Guizhou, Jiangxi.
NEW_RESIDENT_ORIGINS = ["341221", "412726", "511321", "522401", "362330"]
ELDER_FEMALE = ["秀英", "桂英", "玉英", "凤英", "金妹", "阿娥", "彩娥", "月娥", "美娟", "杏珍", "梅芳", "菊芬", "阿珍"]
ELDER_MALE = ["建国", "国华", "根林", "金生", "阿毛", "水根", "福林", "荣根", "永福", "炳荣", "志高", "德明", "阿三"]
CHILD_FEMALE = ["梓涵", "一诺", "欣妍", "雨桐", "思彤", "诗涵", "可馨", "语嫣", "若汐", "芷晴"]
CHILD_MALE = ["子轩", "浩宇", "梓睿", "沐阳", "宇轩", "俊熙", "一鸣", "皓轩", "博文", "奕辰"]
NOTES = {
    "elderly_alone": [
        "独居，子女在外地工作",
        "孤寡老人，患高血压多年",
        "独居，腿脚不便需助餐",
        "老伴去年去世，情绪低落",
    ],
    "difficult_family": ["低保家庭，户主患慢性病", "因病致困，孩子在读高中", "低边家庭，主要劳动力残疾"],
    "child_in_difficulty": ["父母离异，由祖父母监护", "父亲服刑，母亲外出务工", "事实无人抚养儿童"],
    "disabled": ["肢体二级残疾，独自居住", "精神残疾，由母亲照料", "视力残疾，需出行陪同"],
}

# --- projects ----------------------------------------------------------------------------------------

# Slot -> (category, subtype); a station runs one project per slot and year, plus 0-3 optional ones.
SLOTS = {
    "core": (ProjectCategory.CORE, ""),
    "professional": (ProjectCategory.BRAND, ProjectSubtype.PROFESSIONAL),
    "governance": (ProjectCategory.BRAND, ProjectSubtype.GOVERNANCE),
    "difficult_families": (ProjectCategory.BASIC, ProjectSubtype.DIFFICULT_FAMILIES),
    "elderly_alone": (ProjectCategory.BASIC, ProjectSubtype.ELDERLY_ALONE),
    "children": (ProjectCategory.BASIC, ProjectSubtype.CHILDREN),
}
# Slot -> [(name, catalogue items)]; the core project is tagged with empowerment items only, so the township's
# governance target is met by the governance brand or not at all.
PROJECT_NAMES = {
    "core": [
        ("“红社先锋”党管社工人才服务项目", ["社区骨干能力培训", "社区社会组织孵化"]),
        ("“党建引领·社工聚力”人才培育项目", ["社区骨干能力培训"]),
        ("“红领社工”党管社工人才赋能计划", ["社区骨干能力培训", "社区爱心志愿服务队建设"]),
    ],
    "professional": [
        ("“心晴驿站”心理健康服务品牌", ["新知识新技能讲座", "社区爱心志愿服务队建设"]),
        ("“银龄乐享”长者增能服务品牌", ["新知识新技能讲座", "社区社会组织孵化"]),
        ("“e路童行”青少年成长服务品牌", ["寒暑假兴趣班", "4点半课堂"]),
        ("“家庭支持+”专业社工服务品牌", ["社区需求调查", "社区资源地图制作"]),
    ],
    "governance": [
        ("“联心·议事亭”居民议事项目", ["“联心·议事亭”居民议事", "社情民意在线平台"]),
        ("“睦邻空间”邻里互助营造项目", ["“睦邻空间”营造", "邻里互助"]),
        ("“美丽楼道”微治理项目", ["楼道安全隐患整治", "高空抛物防治"]),
        ("“红色物业”无物业小区自治项目", ["无物业管理小区自治", "群租房治理"]),
    ],
    "difficult_families": [
        ("“温暖同行”困难家庭帮扶项目", ["困难家庭需求评估", "低保及低边家庭生活帮扶"]),
        ("“阳光助困”低保低边家庭支持项目", ["低保及低边家庭生活帮扶", "困难家庭子女学业辅导"]),
    ],
    "elderly_alone": [
        ("“银龄守护”独居老人关爱项目", ["孤寡、独居老人定期探访", "老年人精神慰藉"]),
        ("“暖心敲门”孤寡老人巡访项目", ["孤寡、独居老人定期探访", "居家养老支持"]),
    ],
    "children": [
        ("“护苗成长”困境儿童关爱项目", ["困境儿童关爱保护", "儿童安全教育"]),
        ("“童心港湾”留守儿童陪伴项目", ["留守儿童陪伴成长", "困境儿童关爱保护"]),
    ],
}
# Optional projects: (name, catalogue items, the target groups whose services they take).
OPTIONAL_PROJECTS = [
    ("“四点半课堂”假期托管项目", ["4点半课堂", "寒暑假兴趣班"], {"left_behind_child"}),
    ("“反诈护民”平安宣传项目", ["新知识新技能讲座"], set()),
    ("“融入嘉园”新居民服务项目", ["公益集市", "邻里互助"], {"new_resident"}),
    ("“阳光家园”残疾人康复支持项目", ["残疾人康复训练", "残疾人就业支持"], {"disabled"}),
    ("“青春护航”青少年成长项目", ["新知识新技能讲座"], {"at_risk_youth"}),
]
DESCRIPTIONS = {
    "core": "以党建引领社工人才队伍建设，开展社工继续教育、专业督导和党员社工先锋服务，提升{place}村（社区）社会工作服务能力。",
    "professional": "立足{place}居民需求，以专业社会工作方法打造服务品牌，开展小组工作、个案辅导和志愿者培育。",
    "governance": "围绕{place}社区焦点问题，搭建居民议事平台，培育社区社会组织，推动多方参与社区治理。",
    "difficult_families": "为{place}低保、低边及因病致困家庭提供需求评估、生活帮扶、资源链接和子女学业支持。",
    "elderly_alone": "为{place}孤寡、独居老人建立档案，开展定期探访、精神慰藉和居家安全检查，做到每月探访全覆盖。",
    "children": "为{place}困境儿童和留守儿童提供关爱保护、课业辅导、安全教育和家庭支持服务。",
    "optional": "结合{place}实际需求自选开展的服务项目，面向特定人群提供专项服务。",
}

# --- the service log ---------------------------------------------------------------------------------

# Group of a beneficiary -> the basic project its services belong to.
GROUP_SLOT = {
    "elderly_alone": "elderly_alone",
    "child_in_difficulty": "children",
    "left_behind_child": "children",
    "difficult_family": "difficult_families",
    "low_income": "difficult_families",
}
# Kinds of the records beyond the monthly key-target visits, which keep visits the most frequent kind.
OTHER_KINDS = {
    ServiceKind.VISIT: 8,
    ServiceKind.CONSULTATION: 16,
    ServiceKind.COMMUNITY: 16,
    ServiceKind.GROUP: 14,
    ServiceKind.CASE: 13,
    ServiceKind.TRAINING: 6,
    ServiceKind.REFERRAL: 5,
    ServiceKind.OTHER: 4,
}
MINUTES = {
    ServiceKind.VISIT: (30, 90),
    ServiceKind.GROUP: (90, 150),
    ServiceKind.COMMUNITY: (120, 240),
    ServiceKind.CASE: (45, 120),
    ServiceKind.CONSULTATION: (15, 45),
    ServiceKind.TRAINING: (90, 240),
    ServiceKind.REFERRAL: (30, 60),
    ServiceKind.OTHER: (60, 180),
}
VOLUNTEER_HOURS = [Decimal(h) for h in ("1.5", "2", "2", "2.5", "3", "3", "3.5", "4")]

THEMES = {  # the beneficiary's group -> the theme of the words used about their services
    "elderly_alone": "elderly",
    "child_in_difficulty": "child",
    "left_behind_child": "child",
    "at_risk_youth": "child",
    "difficult_family": "family",
    "low_income": "family",
    "disabled": "disabled",
}
VISITS = {
    "elderly": [
        "上门探访{names}，了解近期身体和饮食起居情况，检查家中用电、燃气安全，提醒按时服药。{first}反映{issue}，已记录并跟进。",
        "电话预约后入户走访{names}，陪同聊天约半小时并测量血压；{first}{issue}，已告知村（社区）网格员。",
        "走访独居老人{names}，{first}精神状态尚好，{issue}，社工讲解了居家养老服务补贴政策。",
    ],
    "child": [
        "入户探访{names}，与监护人沟通孩子近期学习和心理状况：{issue}。",
        "走访困境儿童{names}，查看作业完成情况并开展居家安全教育；{issue}。",
    ],
    "family": [
        "走访困难家庭{names}，核实家庭收入和支出变化：{issue}。",
        "上门了解{names}家庭近况，{issue}，社工协助整理相关申请材料。",
    ],
    "other": [
        "走访{names}，了解生活和就业需求，{issue}。",
        "入户走访{names}，建立联系卡并约定下月回访，{issue}。",
    ],
}
ISSUES = {
    "elderly": [
        "膝关节疼痛、行动不便",
        "子女在外地工作很少回家",
        "近期血压偏高",
        "家中水龙头漏水",
        "希望申请助餐服务",
        "夜间独处感到孤单",
        "对高龄津贴发放时间有疑问",
        "视力下降看不清药盒说明",
    ],
    "child": [
        "孩子数学成绩下滑，已联系志愿者课业辅导",
        "祖父母监护精力不足，建议孩子参加四点半课堂",
        "孩子性格内向，计划邀请参加成长小组",
        "防溺水安全教育已完成，安全承诺书已签",
        "困境儿童基本生活补贴已按时到账",
    ],
    "family": [
        "家中主要劳动力因病住院，拟申请临时救助",
        "低保年度复核材料已收齐",
        "孩子下学期学费有缺口，已对接慈善助学",
        "家庭成员就业意愿强，推荐参加技能培训",
        "房屋漏雨，已反映给村（社区）",
    ],
    "other": [
        "介绍了残疾人两项补贴政策",
        "提供了附近企业的就业岗位信息",
        "协助预约家庭医生签约服务",
        "讲解了子女入学积分政策",
    ],
}
GROUP_WORK = {  # theme -> [(title, [session topics])]
    "child": [
        ("“快乐成长”四点半课堂", ["作业辅导与阅读分享", "情绪认识与表达", "防溺水安全教育", "手工制作与团队合作"]),
        ("“小小志愿者”成长小组", ["认识自己的社区", "垃圾分类小课堂", "敬老院慰问准备", "成长分享会"]),
    ],
    "elderly": [
        ("“银龄乐学”智能手机学习小组", ["微信视频通话", "健康码与移动支付", "识别电信诈骗", "拍照与分享"]),
        ("“老友记”怀旧互助小组", ["老照片里的故事", "家乡味道分享", "互助结对", "生命回顾"]),
    ],
    "family": [("“携手同行”困难家庭互助小组", ["家庭理财与生活规划", "亲子沟通技巧", "求职技能分享", "压力舒缓"])],
    "disabled": [("“阳光伙伴”残疾人康乐小组", ["康复操练习", "手工编织", "社区融入外出活动", "才艺展示"])],
}
GROUP_SUMMARIES = [
    "开展{title}第{k}节活动，{n}名组员参加，围绕“{topic}”进行分享与练习，组员参与积极，社工做好过程记录和满意度测评。",
    "{title}第{k}节：以“{topic}”为主题，{n}名组员参加，通过游戏破冰、经验分享和小结回顾，组员之间互动明显增多。",
]
COMMUNITY_ACTIVITIES = [
    "“邻里节”睦邻游园会",
    "垃圾分类宣传进小区",
    "反诈宣传进村（社区）",
    "义诊义剪便民服务",
    "公益集市",
    "“联心·议事亭”居民议事会",
    "消防安全应急演练",
    "社区资源地图绘制活动",
    "文明养犬宣传",
    "电动自行车安全充电宣传",
]
SEASONAL = {
    1: "迎新春写春联送福字",
    2: "闹元宵猜灯谜",
    3: "学雷锋志愿服务日",
    6: "端午包粽子邻里情",
    7: "暑期防溺水安全宣传",
    9: "中秋游园会",
    10: "重阳敬老孝亲活动",
    12: "冬至包汤圆暖心宴",
}
COMMUNITY_SUMMARIES = [
    "在{place}开展{activity}，居民约{n}人参与{helpers}，现场发放宣传资料并收集居民意见建议{k}条。",
    "联合{community}党组织开展{activity}，{n}余名居民参与{helpers}，活动照片和签到表已归档。",
]
CASE_SUMMARIES = [
    "个案面谈：与{first}就{issue}进行沟通，运用优势视角梳理家庭和社区支持资源，共同商定下阶段目标。",
    "个案跟进：电话回访{first}，了解{issue}的进展，记录于个案跟进表，约定两周后面谈。",
]
CONSULTATIONS = [
    "低保申请条件",
    "临时救助办理流程",
    "残疾人两项补贴申领",
    "居家养老服务补贴",
    "困境儿童基本生活保障",
    "城乡居民医保缴费",
    "高龄津贴发放",
    "法律援助申请",
]
REFERRALS = {  # theme -> (need, agency pattern)
    "elderly": ("慢病管理和上门医疗", "{township}卫生院家庭医生团队"),
    "child": ("心理疏导", "{county}未成年人保护工作站"),
    "family": ("临时救助", "{township}社会救助服务联合体"),
    "disabled": ("康复辅具适配", "{county}残疾人联合会"),
    "other": ("就业帮扶", "{county}人力资源和社会保障局就业服务中心"),
}
OTHER_SERVICES = [
    "配合{township}开展防汛防台值守，协助转移安置困难群众。",
    "协助组织辖区高龄老人免费体检，做好现场引导和秩序维护。",
    "配合民政所开展低保家庭年度复核入户调查。",
    "参与{township}“民生议事”活动，收集居民对社工站服务的意见。",
]

# --- cases and focus problems -------------------------------------------------------------------------

CASE_TEXTS = {
    "elderly": {
        "intake": "{name}独居，子女在外地，近期跌倒一次后不敢出门，网格员转来求助。",
        "assessment": "生理：行动能力下降，有高血压；心理：孤独感强、害怕再次跌倒；社会支持：邻里关系尚可，子女联系少。",
        "plan": "一、联系家庭医生上门评估；二、申请居家适老化改造；三、链接邻里结对和助餐服务；四、每周电话关怀。",
        "follow_ups": [
            "家庭医生已上门评估，调整了用药。",
            "适老化改造完成：卫生间扶手、防滑垫已安装。",
            "老人开始每周到照料中心用餐两次，情绪好转。",
            "与在外地的女儿视频沟通，女儿承诺每周通话。",
        ],
        "outcome": "老人恢复独立出行，参加照料中心活动，孤独感明显减轻，转为常规探访。",
    },
    "child": {
        "intake": "{name}父母离异后随祖父母生活，学校老师反映其上课注意力差、与同学冲突。",
        "assessment": "学业：成绩中下；心理：情绪易激动、自我评价低；家庭：祖父母监护能力有限，父亲每月来电一次。",
        "plan": "一、每周一次情绪辅导；二、链接大学生志愿者课业辅导；三、邀请参加成长小组；四、与学校老师定期沟通。",
        "follow_ups": [
            "情绪辅导三次，能说出生气时的替代做法。",
            "志愿者每周二、四辅导作业，作业完成率提高。",
            "参加成长小组，结识两位新朋友。",
            "与班主任沟通，课堂表现较前改善。",
        ],
        "outcome": "学习和情绪状况明显改善，祖孙沟通增多，转入困境儿童常规关爱服务。",
    },
    "family": {
        "intake": "{name}家中丈夫患病住院，家庭收入骤减，孩子面临辍学风险，本人来站求助。",
        "assessment": "经济：医疗支出大、无稳定收入；家庭：夫妻关系良好，孩子懂事；资源：符合临时救助和助学条件。",
        "plan": "一、协助申请临时救助和低边认定；二、对接慈善助学金；三、推荐本人参加家政技能培训并就业。",
        "follow_ups": [
            "临时救助申请已提交，民政所受理。",
            "慈善助学金到位，孩子正常入学。",
            "本人参加家政培训并取得结业证书。",
            "经推荐在附近养老机构上岗，家庭收入趋稳。",
        ],
        "outcome": "家庭获得临时救助和低边认定，本人稳定就业，孩子正常上学，困境缓解。",
    },
    "disabled": {
        "intake": "{name}肢体残疾，长期居家，母亲年迈照料吃力，社区残疾人专职委员转介。",
        "assessment": "生理：下肢功能受限，需辅具；心理：自卑、回避社交；家庭：照料者负担重，喘息需求明显。",
        "plan": "一、申请辅具适配；二、链接残疾人之家日间照料；三、开展社交技能辅导；四、为照料者提供喘息服务。",
        "follow_ups": [
            "轮椅适配完成，可在小区内自行活动。",
            "每周三天到残疾人之家参加康复训练。",
            "参加手工小组，作品在公益集市义卖。",
            "母亲参加照料者支持小组，压力有所缓解。",
        ],
        "outcome": "服务对象走出家门参与社区活动，自我评价提升，照料者负担减轻。",
    },
}
FOCUS_PROBLEMS_COMMUNITY = [
    ("群租房消防安全隐患", "部分居民楼存在群租、隔断和电动车楼道充电现象，居民多次反映。"),
    ("居民楼高空抛物", "小区多次发生高空抛物，砸坏车辆，居民安全感下降。"),
    ("绿化带毁绿种菜", "部分老年居民在公共绿地种菜，影响环境并引发邻里矛盾。"),
    ("宠物扰民与犬只未牵绳", "夜间犬吠和遛狗不牵绳问题突出，居民投诉较多。"),
    ("楼道堆放杂物", "老旧小区楼道堆物严重，堵塞消防通道。"),
    ("无物业小区停车难", "无物业小区车辆乱停乱放，消防车无法进入。"),
    ("老旧小区加装电梯意见分歧", "加装电梯低层住户与高层住户意见不一，推进困难。"),
]
FOCUS_PROBLEMS_VILLAGE = [
    ("村道沿线乱堆乱放", "村道两侧柴草杂物堆放，影响通行和村容村貌。"),
    ("河道沿岸垃圾堆放", "河道沿岸生活垃圾堆放，夏季异味明显。"),
    ("出租房垃圾分类不到位", "外来租户集中的自然村垃圾分类准确率低。"),
    ("独居老人用电安全隐患", "部分独居老人家中电线老化、私拉乱接。"),
    ("村内停车无序", "节假日外来车辆增多，村内道路拥堵。"),
]


@dataclass
class DemoServices:
    """What the services demo holds, and the stations worth pointing at."""

    beneficiaries: int = 0
    key_targets: int = 0
    projects: int = 0
    records: int = 0
    volunteer_shares: int = 0
    cases: int = 0
    focus_problems: int = 0
    operating: int = 0
    incomplete_portfolios: list[str] = field(default_factory=list)
    # Station name -> key-target visit rate of last month (None: no key targets).
    last_month_rates: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def fully_visited(self) -> list[str]:
        return [name for name, rate in self.last_month_rates.items() if rate == 1]

    @property
    def lowest_visit_rate(self) -> tuple[str, Decimal] | None:
        rated = [(rate, name) for name, rate in self.last_month_rates.items() if rate is not None]
        return (min(rated)[1], min(rated)[0]) if rated else None


@dataclass
class Place:
    """What a station's generators need to know about it."""

    station: Station
    township: str
    county: str
    communities: list[Region]
    busy: bool
    demo: bool
    low_visits: bool


@dataclass
class ProjectSpec:
    year: int
    slot: str  # a key of SLOTS, or "optional"
    name: str
    category: str
    subtype: str
    items: list[str]
    groups: set[str]
    communities: list[Region]
    stage: str
    description: str
    factor: float  # target / what the log delivers (scaled to the full year for this year's)
    default_sessions: int
    default_beneficiaries: int

    @property
    def active(self) -> bool:
        """Services are logged against a project once it is being implemented."""
        return STAGE_ORDER.index(self.stage) >= STAGE_ORDER.index(ProjectStage.IMPLEMENTATION)


@dataclass
class Planned:
    """A service record to write: ``key`` names the project as (year, slot)."""

    date: date
    kind: str
    minutes: int
    key: tuple[int, str] | None
    people: list[Beneficiary]
    headcount: int
    staff: list[StaffMember]
    volunteers: list[tuple[Volunteer, Decimal]]
    place: str
    summary: str
    user: User | None = None


# --- beneficiaries -----------------------------------------------------------------------------------


def beneficiary_name(rng: random.Random, code: str, gender: str) -> str:
    born_from, _born_to = BORN[code]
    if born_from < 1960:
        given = ELDER_FEMALE if gender == Gender.FEMALE else ELDER_MALE
    elif born_from >= 2005:
        given = CHILD_FEMALE if gender == Gender.FEMALE else CHILD_MALE
    else:
        given = GIVEN_FEMALE if gender == Gender.FEMALE else GIVEN_MALE
    return rng.choice(FAMILY_NAMES) + rng.choice(given)


def address(rng: random.Random, community: Region | None) -> str:
    if community is None:
        return ""
    if community.name.endswith("村"):
        return f"{community.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
    return f"{community.name}{rng.randint(1, 30)}幢{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"


def seed_beneficiaries(
    brng: random.Random, place: Place, size: int, groups: dict[str, TargetGroup], today: date
) -> list[tuple[Beneficiary, list[str]]]:
    """The station's beneficiaries, in the order drawn, each with its target-group codes (primary first)."""
    station = place.station
    county6 = station.township.code[:6]
    used: set[str] = set()
    plans = []
    for _ in range(size):
        code = brng.choices(list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()))[0]
        codes = [code]
        also, share = ALSO.get(code, (None, 0))
        if brng.random() < share:
            codes.append(also)
        gender = Gender.FEMALE if brng.random() < (0.62 if code == "elderly_alone" else 0.5) else Gender.MALE
        name = beneficiary_name(brng, code, gender)
        origin = brng.choice(NEW_RESIDENT_ORIGINS) if code == "new_resident" else county6
        number = id_number(brng, origin, *BORN[code], gender, used)
        community = brng.choice(place.communities) if place.communities else None
        key = code in KEY_GROUPS and brng.random() < KEY_SHARE
        # Most key targets have been known for years; the rest registered within the past year.
        days_back = brng.randint(400, 1500) if brng.random() < (0.8 if key else 0.45) else brng.randint(10, 360)
        values = {
            "name": name,
            "gender": gender,
            "phone": phone(brng) if brng.random() < (0.55 if code == "elderly_alone" else 0.9) else "",
            "community": community,
            "address": address(brng, community),
            "key_target": key,
            "notes": brng.choice(NOTES[code]) if key and code in NOTES else "",
        }
        registered = max(station.opened_on, today - timedelta(days=days_back))
        plans.append((number, values, registered, codes))

    existing = {b.id_number: b for b in Beneficiary.objects.filter(station=station).select_related("community")}
    new, people = [], []
    for number, values, registered, codes in plans:
        person = existing.get(number)
        if person is None:
            person = Beneficiary(
                station=station,
                id_number=number,
                birth_date=id_number_birth_date(number),
                registered_on=registered,
                **values,
            )
            new.append(person)
        else:
            update_changed(person, values)
        people.append((person, codes))
    Beneficiary.objects.bulk_create(new)

    through = Beneficiary.target_groups.through
    linked = set(through.objects.filter(beneficiary__station=station).values_list("beneficiary_id", "targetgroup_id"))
    rows = [
        through(beneficiary_id=person.pk, targetgroup_id=groups[code].pk)
        for person, codes in people
        for code in codes
        if code in groups and (person.pk, groups[code].pk) not in linked
    ]
    through.objects.bulk_create(rows)
    return people


def update_changed(obj, values: dict) -> None:
    """Save ``obj`` with ``values`` when one of them differs (``stations.demo.upsert`` for a row already read)."""
    changed = []
    for name, value in values.items():
        attname = obj._meta.get_field(name).attname  # a foreign key is compared by id, without a query
        if getattr(obj, attname) != (value.pk if isinstance(value, models.Model) else value):
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)


# --- projects ----------------------------------------------------------------------------------------


def short_name(township: str) -> str:
    return township.removesuffix("街道").removesuffix("镇")


def project_specs(prng: random.Random, place: Place, today: date) -> list[ProjectSpec]:
    """This year's and last year's projects; the same brand and basic names both years (two-year cycles)."""
    communities = place.communities
    n = len(communities)
    names = {slot: prng.choice(choices) for slot, choices in PROJECT_NAMES.items()}
    governance_short = prng.random() < GOVERNANCE_SHORT_SHARE and not place.demo
    specs = []
    for year in (today.year - 1, today.year):
        optional = prng.sample(OPTIONAL_PROJECTS, prng.choice([0, 1, 1, 2, 2, 3]))
        wanted = [(slot, name, items, set()) for slot, (name, items) in names.items()]
        wanted += [("optional", name, items, groups) for name, items, groups in optional]
        for slot, name, items, groups in wanted:
            if slot == "governance" and governance_short:
                served = prng.sample(communities, min(3, n))
            elif slot in ("professional", "governance"):
                served = prng.sample(communities, prng.randint(min(4, n), n))
            elif slot == "children":
                served = prng.sample(communities, prng.randint(max(1, n - 2), n))
            elif slot == "optional":
                served = prng.sample(communities, prng.randint(min(1, n), min(3, n)))
            else:
                served = list(communities)
            if year < today.year:
                stage = ProjectStage.EVALUATION
                factor = prng.uniform(0.8, 1.0)  # last year's targets were met
            elif slot == "optional":
                stage = prng.choice([ProjectStage.DESIGN, ProjectStage.REVIEW] + [ProjectStage.IMPLEMENTATION] * 3)
                factor = prng.uniform(0.95, 1.2)
            else:
                stage = prng.choice([ProjectStage.IMPLEMENTATION] * 5 + [ProjectStage.MONITORING] * 4)
                factor = prng.uniform(0.95, 1.2)
            sessions, people = prng.randint(12, 36), prng.randint(20, 80)
            if year == today.year and SLOTS.get(slot, (None, None))[1] in INCOMPLETE.get(place.township, ()):
                continue
            category, subtype = SLOTS.get(slot, (ProjectCategory.OPTIONAL, ""))
            specs.append(
                ProjectSpec(
                    year=year,
                    slot=slot,
                    name=name,
                    category=category,
                    subtype=subtype,
                    items=items,
                    groups=groups,
                    communities=sorted(served, key=lambda region: region.code),
                    stage=stage,
                    description=DESCRIPTIONS[slot].format(place=place.township),
                    factor=factor,
                    default_sessions=sessions,
                    default_beneficiaries=people,
                )
            )
    return specs


def set_targets(specs: list[ProjectSpec], planned: list[Planned], today: date) -> dict[int, dict]:
    """Targets of each project from what the log delivers: met last year, on track for the full year this one.

    Returns id(spec) -> field values.
    """
    sessions, people, places = Counter(), defaultdict(set), defaultdict(set)
    for record in planned:
        if record.key:
            sessions[record.key] += 1
            people[record.key].update(person.id_number for person in record.people)
            places[record.key].update(person.community_id for person in record.people)
    elapsed = ((today - date(today.year, 1, 1)).days + 1) / (366 if calendar.isleap(today.year) else 365)
    targets = {}
    for spec in specs:
        key = (spec.year, spec.slot if spec.slot != "optional" else spec.name)
        scale = spec.factor / (elapsed if spec.year == today.year else 1)
        done, reached = sessions[key], len(people[key])
        if not done:  # not under way yet: the targets of its design
            values = (spec.default_sessions, spec.default_beneficiaries, len(spec.communities))
        else:  # a project that serves only a headcount (training) has no target of named people
            values = (round(done * scale), round(reached * scale), min(len(spec.communities), len(places[key])))
        targets[id(spec)] = dict(
            zip(("target_sessions", "target_beneficiaries", "target_communities"), values, strict=True)
        )
    return targets


def seed_projects(
    place: Place,
    specs: list[ProjectSpec],
    targets: dict[int, dict],
    items: dict[str, CatalogItem],
    user,
    today: date,
) -> dict[tuple[int, str], Project]:
    """Upsert the projects, tag them, move them to their stage; returns (year, slot or optional name) -> project."""
    station = place.station
    projects = {}
    for spec in specs:
        project, _ = upsert(
            Project,
            {"station": station, "year": spec.year, "name": spec.name},
            {
                "category": spec.category,
                "subtype": spec.subtype,
                "description": spec.description,
                **targets[id(spec)],
            },
        )
        project.communities.set(spec.communities)
        project.catalog_items.set([items[name] for name in spec.items if name in items])
        current = STAGE_ORDER.index(project.stage)
        for stage in STAGE_ORDER[current + 1 : STAGE_ORDER.index(spec.stage) + 1]:
            change = project_stage_advance(project=project, to_stage=stage, user=user)
            # Recorded now; dated as the year's plan would have it (a few days apart from station to station).
            moved = min(STAGE_MOVED[stage].replace(year=spec.year) + timedelta(days=station.pk % 9), today)
            ProjectStageChange.objects.filter(pk=change.pk).update(
                changed_at=timezone.make_aware(datetime.combine(moved, time(9, 30)))
            )
        project.stage = max(project.stage, spec.stage, key=STAGE_ORDER.index)
        key = (spec.year, spec.slot if spec.slot != "optional" else spec.name)
        projects[key] = project
    return projects


# --- the service log ---------------------------------------------------------------------------------


def month_starts(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months before today's and of today's, oldest first."""
    starts, year, month = [], today.year, today.month
    for _ in range(count + 1):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def theme_of(person: Beneficiary, codes: dict[str, list[str]]) -> str:
    return THEMES.get(codes[person.id_number][0], "other")


class LogPlanner:
    """Draws a station's service log of the 12 months up to today, in memory."""

    def __init__(self, lrng, place, people, staff, volunteers, specs, users, today):
        self.rng, self.place, self.today = lrng, place, today
        self.people = [person for person, _codes in people]
        self.codes = {person.id_number: codes for person, codes in people}
        self.staff = [s for s in staff if s.role != StaffRole.HEAD]
        self.volunteers = volunteers
        self.users = users
        # (year, slot) of the projects services can be logged against, and the optional projects' groups.
        self.active = {(spec.year, spec.slot) for spec in specs if spec.active and spec.slot != "optional"}
        self.optional = [
            (spec.year, spec.name, spec.groups) for spec in specs if spec.active and spec.slot == "optional"
        ]
        self.group_sessions = Counter()

    # who and what

    def staff_on(self, on: date, count: int) -> list[StaffMember]:
        present = [s for s in self.staff if s.hired_on <= on and (s.left_on is None or s.left_on > on)]
        return self.rng.sample(present, min(count, len(present)))

    def volunteers_on(self, on: date, count: int) -> list[tuple[Volunteer, Decimal]]:
        present = [v for v in self.volunteers if v.registered_on <= on and (v.left_on is None or v.left_on > on)]
        chosen = self.rng.sample(present, min(count, len(present)))
        return [(volunteer, self.rng.choice(VOLUNTEER_HOURS)) for volunteer in chosen]

    def registered(self, on: date, people=None) -> list[Beneficiary]:
        return [p for p in (self.people if people is None else people) if p.registered_on <= on]

    def key_for(self, on: date, slot: str | None, group: str | None = None) -> tuple[int, str] | None:
        """The project a service belongs to: the basic/brand one of ``slot``, or an optional one for ``group``."""
        for year, name, groups in self.optional:
            if year == on.year and group in groups:
                return (year, name)
        if slot == "optional":
            names = [name for year, name, _groups in self.optional if year == on.year]
            return (on.year, self.rng.choice(names)) if names else None
        return (on.year, slot) if (on.year, slot) in self.active else None

    def slot_of(self, person: Beneficiary) -> str | None:
        return next((GROUP_SLOT[c] for c in self.codes[person.id_number] if c in GROUP_SLOT), None)

    def minutes(self, kind: str) -> int:
        low, high = MINUTES[kind]
        return self.rng.randint(low // 5, high // 5) * 5

    def record(self, on, kind, *, key, people=(), headcount=0, staff=1, volunteers=0, place="", summary=""):
        return Planned(
            date=on,
            kind=kind,
            minutes=self.minutes(kind),
            key=key,
            people=list(people),
            headcount=headcount,
            staff=self.staff_on(on, staff),
            volunteers=self.volunteers_on(on, volunteers) if volunteers else [],
            place=place,
            summary=summary,
            user=self.rng.choice(self.users) if self.users else None,
        )

    # the log

    def plan(self, others: int) -> list[Planned]:
        """The monthly key-target visits, and ``others`` services of every kind spread over the 12 months."""
        planned = self.key_target_visits()
        first = month_starts(self.today, MONTHS)[0]
        for _ in range(others):
            on = day_between(self.rng, first, self.today)
            kind = self.rng.choices(list(OTHER_KINDS), weights=list(OTHER_KINDS.values()))[0]
            planned.append(getattr(self, f"plan_{kind}")(on))
        return sorted(planned, key=lambda record: record.date)

    def visit_share(self, start: date) -> float:
        """Share of the key targets visited in the month beginning ``start``."""
        rng = self.rng
        drawn = (
            rng.uniform(0.55, 0.75) if self.place.low_visits else 1.0 if rng.random() < 0.55 else rng.uniform(0.8, 0.97)
        )
        if self.place.demo:
            drawn = 1.0
        if start.year == self.today.year and start.month == self.today.month:
            progress = self.today.day / calendar.monthrange(start.year, start.month)[1]
            drawn *= min(0.9, 0.25 + 0.65 * progress)  # the month is under way
        return drawn

    def key_target_visits(self) -> list[Planned]:
        """Every month, a share of the key targets visited (all of them at 马桥).

        A busy station logs a visit per household or two, by community and project; the others log a round of
        a few neighbours at a time, by community.
        """
        planned = []
        keys = [p for p in self.people if p.key_target]
        per_record = [1, 2, 2] if self.place.busy else [2, 3, 4]
        for start in month_starts(self.today, MONTHS):
            end = min(start.replace(day=calendar.monthrange(start.year, start.month)[1]), self.today)
            due = [p for p in keys if p.registered_on <= end]
            visited = self.rng.sample(due, round(len(due) * self.visit_share(start)))
            batches = defaultdict(list)
            for person in sorted(visited, key=lambda p: p.id_number):
                slot = (self.slot_of(person) or "") if self.place.busy else ""
                batches[(person.community.code if person.community else "", slot)].append(person)
            for (_community, slot), group in sorted(batches.items()):
                while group:
                    size = self.rng.choice(per_record)
                    batch, group = group[:size], group[size:]
                    first = max([start, *(p.registered_on for p in batch)])
                    on = day_between(self.rng, first, end)
                    planned.append(self.visit(on, batch, slot or self.slot_of(batch[0])))
        return planned

    def visit(self, on: date, people: list[Beneficiary], slot: str | None) -> Planned:
        theme = theme_of(people[0], self.codes)
        theme = theme if theme in VISITS else "other"
        summary = self.rng.choice(VISITS[theme]).format(
            names="、".join(p.name for p in people), first=people[0].name, issue=self.rng.choice(ISSUES[theme])
        )
        group = self.codes[people[0].id_number][0]
        where = "服务对象家中" if self.rng.random() < 0.85 else f"{people[0].community.name}居家养老服务照料中心"
        record = self.record(
            on,
            ServiceKind.VISIT,
            key=self.key_for(on, slot, group),
            people=people,
            staff=self.rng.choice([1, 2, 2]),
            volunteers=1 if self.rng.random() < 0.04 else 0,
            place=where,
            summary=summary,
        )
        record.minutes = min(record.minutes * len(people), 240)
        return record

    def plan_visit(self, on: date) -> Planned:
        present = self.registered(on)
        if not present:
            return self.plan_other(on)
        first = self.rng.choice(present)
        neighbours = [p for p in present if p.community_id == first.community_id and p is not first]
        people = [first] + self.rng.sample(neighbours, min(len(neighbours), self.rng.choice([0, 0, 1])))
        return self.visit(on, people, self.slot_of(first))

    def plan_group(self, on: date) -> Planned:
        theme = self.rng.choice(list(GROUP_WORK))
        title, topics = self.rng.choice(GROUP_WORK[theme])
        members = [p for p in self.registered(on) if theme_of(p, self.codes) == theme]
        people = self.rng.sample(members, min(len(members), self.rng.randint(4, 10)))
        headcount = self.rng.randint(0, 3) if people else self.rng.randint(6, 12)
        self.group_sessions[title] += 1
        k = (self.group_sessions[title] - 1) % 8 + 1
        slot = {"child": "children", "elderly": "professional", "family": "difficult_families"}.get(theme, "optional")
        group = {"child": "left_behind_child", "disabled": "disabled"}.get(theme)
        where = self.rng.choice(
            ["社工站多功能活动室", f"{self.rng.choice(self.place.communities).name}党群服务中心活动室"]
        )
        return self.record(
            on,
            ServiceKind.GROUP,
            key=self.key_for(on, slot, group),
            people=people,
            headcount=headcount,
            staff=self.rng.choice([1, 2]),
            volunteers=self.rng.choice([0, 0, 0, 1, 2]),
            place=where,
            summary=self.rng.choice(GROUP_SUMMARIES).format(
                title=title, k=k, n=len(people) + headcount, topic=topics[(k - 1) % len(topics)]
            ),
        )

    def plan_community(self, on: date) -> Planned:
        rng = self.rng
        community = rng.choice(self.place.communities)
        activity = (
            SEASONAL[on.month] if on.month in SEASONAL and rng.random() < 0.4 else rng.choice(COMMUNITY_ACTIVITIES)
        )
        village = community.name.endswith("村")
        where = f"{community.name}{'文化礼堂' if village else rng.choice(['党群服务中心', '小广场'])}"
        local = [p for p in self.registered(on) if p.community_id == community.pk]
        people = rng.sample(local, min(len(local), rng.randint(0, 4)))
        headcount = rng.randint(30, 180)
        volunteers = rng.choice([0, 0, 2, 3, 4, 5])
        slot = rng.choices(["governance", "core", "optional", "professional", None], weights=[45, 10, 20, 10, 15])[0]
        record = self.record(
            on,
            ServiceKind.COMMUNITY,
            key=self.key_for(on, slot) if slot else None,
            people=people,
            headcount=headcount,
            staff=rng.choice([2, 2, 3]),
            volunteers=volunteers,
            place=where,
        )
        helpers = f"，{len(record.volunteers)}名志愿者协助" if record.volunteers else ""
        record.summary = rng.choice(COMMUNITY_SUMMARIES).format(
            place=where,
            community=community.name,
            activity=activity,
            n=headcount + len(people),
            helpers=helpers,
            k=rng.randint(2, 12),
        )
        return record

    def plan_case(self, on: date) -> Planned:
        present = self.registered(on)
        if not present:
            return self.plan_other(on)
        weights = [3 if p.key_target else 1 for p in present]
        person = self.rng.choices(present, weights=weights)[0]
        theme = theme_of(person, self.codes)
        issue = self.rng.choice(ISSUES[theme if theme in ISSUES else "other"])
        return self.record(
            on,
            ServiceKind.CASE,
            key=self.key_for(on, self.slot_of(person) or "professional", self.codes[person.id_number][0]),
            people=[person],
            place=self.rng.choice(["社工站个案工作室", "服务对象家中"]),
            summary=self.rng.choice(CASE_SUMMARIES).format(first=person.name, issue=issue),
        )

    def plan_consultation(self, on: date) -> Planned:
        present = self.registered(on)
        person = self.rng.choice(present) if present and self.rng.random() < 0.5 else None
        topic = self.rng.choice(CONSULTATIONS)
        return self.record(
            on,
            ServiceKind.CONSULTATION,
            key=None,
            people=[person] if person else [],
            headcount=0 if person else self.rng.randint(1, 3),
            place="社工站接待大厅",
            summary=f"接待{person.name if person else '居民'}来站咨询{topic}，解答政策要点并告知所需材料，已发放一次性告知单。",
        )

    def plan_training(self, on: date) -> Planned:
        topic = self.rng.choice(TRAINING_TOPICS)
        n = self.rng.randint(12, 40)
        return self.record(
            on,
            ServiceKind.TRAINING,
            key=self.key_for(on, "core"),
            headcount=n,
            staff=self.rng.choice([1, 2, 3]),
            place=self.rng.choice(["社工站培训室", f"{self.place.township}便民服务中心会议室"]),
            summary=f"组织开展“{topic}”专题培训，站内社工、村（社区）干部及志愿者{n}人参加，会后进行培训测评。",
        )

    def plan_referral(self, on: date) -> Planned:
        present = self.registered(on)
        if not present:
            return self.plan_other(on)
        person = self.rng.choice(present)
        need, agency = REFERRALS.get(theme_of(person, self.codes), REFERRALS["other"])
        agency = agency.format(township=self.place.township, county=self.place.county)
        return self.record(
            on,
            ServiceKind.REFERRAL,
            key=self.key_for(on, self.slot_of(person), self.codes[person.id_number][0]),
            people=[person],
            place="社工站",
            summary=f"经评估{person.name}存在{need}需求，转介至{agency}，已电话跟进对接情况。",
        )

    def plan_other(self, on: date) -> Planned:
        return self.record(
            on,
            ServiceKind.OTHER,
            key=None,
            headcount=self.rng.randint(5, 40),
            staff=self.rng.choice([1, 2]),
            place=self.place.township,
            summary=self.rng.choice(OTHER_SERVICES).format(township=self.place.township),
        )


def other_services(lrng: random.Random, place: Place) -> int:
    """How many services besides the key-target visits a station logs in the year."""
    if place.demo:
        return 190
    if place.busy:
        return lrng.randint(130, 180)
    if place.low_visits:
        return lrng.randint(25, 35)
    return lrng.randint(35, 75)


def write_log(station: Station, planned: list[Planned], projects: dict) -> tuple[int, int]:
    """Write the planned records (see the module docstring); returns (records, volunteer shares)."""
    plain, shares = [], 0
    for item in planned:
        project = projects.get(item.key) if item.key else None
        if item.volunteers:
            try:
                record = service_record_create(
                    station=station,
                    user=item.user,
                    date=item.date,
                    kind=item.kind,
                    duration_minutes=item.minutes,
                    project=project,
                    beneficiaries=item.people,
                    headcount=item.headcount,
                    staff=item.staff,
                    volunteers=[{"volunteer": v, "hours": hours} for v, hours in item.volunteers],
                    place=item.place,
                    summary=item.summary,
                )
            except ValidationError as error:
                if set(error.message_dict) != {"volunteers"}:
                    raise
            else:
                shares += len(item.volunteers)
                continue
        record = ServiceRecord(
            station=station,
            project=project,
            created_by=item.user,
            date=item.date,
            kind=item.kind,
            headcount=item.headcount,
            duration_minutes=item.minutes,
            place=item.place,
            summary=item.summary,
        )
        checked(record, item)
        plain.append((record, item))
    ServiceRecord.objects.bulk_create([record for record, _item in plain], batch_size=1000)
    people, staff = ServiceRecord.beneficiaries.through, ServiceRecord.staff.through
    people.objects.bulk_create(
        [people(servicerecord_id=r.pk, beneficiary_id=p.pk) for r, item in plain for p in item.people], batch_size=2000
    )
    staff.objects.bulk_create(
        [staff(servicerecord_id=r.pk, staffmember_id=s.pk) for r, item in plain for s in item.staff], batch_size=2000
    )
    return len(planned), shares


def checked(record: ServiceRecord, item: Planned) -> None:
    """The checks ``service_record_create`` makes, in memory: the model's own and the people's station."""
    record.clean_fields(exclude=["station", "project", "created_by"])
    record.clean()
    station_id = record.station_id
    strangers = [p for p in [*item.people, *item.staff] if p.station_id != station_id]
    if strangers or not (item.people or item.headcount):
        raise ValidationError(f"demo record of {record.date} names strangers or nobody served")


# --- cases and focus problems -------------------------------------------------------------------------


def draw_cases(crng: random.Random, place: Place, today: date) -> list[dict]:
    """Draw the station's cases: a status each (every status, more cases at 马桥), dates, scores, referrals."""
    if place.demo:
        statuses = ["intake", "assessment", "plan", "follow_up", "follow_up", "follow_up", "closed", "closed"]
    else:
        statuses = ["intake", "assessment", "plan", "follow_up", "closed"]
        statuses += crng.sample(["follow_up", "closed"], 2 if place.busy else crng.randint(0, 1))
    offsets = {"intake": (0, 8), "assessment": (14, 30), "plan": (30, 55), "follow_up": (70, 200), "closed": (160, 330)}
    drawn = []
    for status in statuses:
        opened = today - timedelta(days=crng.randint(*offsets[status]))
        plan = {
            "status": status,
            "opened": opened,
            "assessed": opened + timedelta(days=crng.randint(3, 10)),
            "before": crng.randint(28, 55),
            "gain": crng.randint(12, 35),
            "follow_ups": crng.randint(2, 5),
            "every": crng.randint(14, 35),
            "refer": crng.random() < 0.4,
            "close_after": crng.randint(7, 30),
            "person": crng.random(),
            "worker": crng.random(),
        }
        plan["planned"] = plan["assessed"] + timedelta(days=crng.randint(4, 12))
        drawn.append(plan)
    return drawn


def write_cases(place: Place, drawn: list[dict], people, staff, today: date) -> None:
    """Open each drawn case and take it through the case rules up to its status."""
    codes = {person.id_number: groups for person, groups in people}
    candidates = [person for person, groups in people if THEMES.get(groups[0]) in CASE_TEXTS]
    workers = [s for s in staff if s.role in (StaffRole.DEPUTY, StaffRole.FULL_TIME) and s.left_on is None]
    used = set()
    for plan in drawn:
        eligible = [p for p in candidates if p.registered_on <= plan["opened"] and p.pk not in used]
        present = [w for w in workers if w.hired_on <= plan["opened"]]
        if not eligible or not present:
            continue
        person = eligible[int(plan["person"] * len(eligible))]
        worker = present[int(plan["worker"] * len(present))]
        used.add(person.pk)
        texts = CASE_TEXTS[THEMES[codes[person.id_number][0]]]
        case = case_open(
            station=place.station,
            beneficiary=person,
            worker=worker,
            opened_on=plan["opened"],
            intake_notes=texts["intake"].format(name=person.name),
        )
        status = plan["status"]
        if status == "intake":
            continue
        case_assess(
            case=case,
            assessed_on=min(plan["assessed"], today),
            assessment=texts["assessment"],
            before_score=plan["before"],
        )
        if status == "assessment":
            continue
        planned_on = min(plan["planned"], today)
        case_plan(case=case, planned_on=planned_on, plan=texts["plan"])
        last = planned_on
        if plan["refer"]:
            need, agency = REFERRALS[THEMES[codes[person.id_number][0]]]
            last = min(planned_on + timedelta(days=5), today)
            case_refer(
                case=case,
                date=last,
                agency=agency.format(township=place.township, county=place.county),
                reason=f"服务对象有{need}需求，超出社工站服务范围。",
                result="对方已受理，社工每月跟进一次。",
            )
        if status == "plan":
            continue
        on = planned_on
        for n, content in enumerate(texts["follow_ups"][: plan["follow_ups"]]):
            on = on + timedelta(days=plan["every"])
            if on > today:
                break
            last = max(last, on)
            next_step = "" if n + 1 == plan["follow_ups"] else "按计划继续跟进。"
            case_follow_up(case=case, date=on, worker=worker, content=content, next_step=next_step)
        if status == "closed":
            case_close(
                case=case,
                closed_on=min(last + timedelta(days=plan["close_after"]), today),
                after_score=min(plan["before"] + plan["gain"], 95),
                outcome=texts["outcome"],
            )


def draw_focus_problems(crng: random.Random, place: Place, user, today: date) -> list[dict]:
    """Draw the station's focus problems: one in each status (two more at 马桥), in its villages or communities."""
    statuses = [FocusProblemStatus.REPORTED, FocusProblemStatus.IN_PROGRESS, FocusProblemStatus.SOLVED]
    if place.demo:
        statuses += [FocusProblemStatus.IN_PROGRESS, FocusProblemStatus.SOLVED]
    elif crng.random() < 0.5:
        statuses.append(crng.choice(statuses))
    drawn = []
    for status in statuses:
        community = crng.choice(place.communities)
        pool = FOCUS_PROBLEMS_VILLAGE if community.name.endswith("村") else FOCUS_PROBLEMS_COMMUNITY
        title, description = crng.choice(pool)
        reported = today - timedelta(days=crng.randint(20, 300))
        drawn.append(
            {
                "community": community,
                "title": f"{community.name}{title}",
                "description": description,
                "status": status,
                "reported_on": reported,
                "solved_on": min(reported + timedelta(days=crng.randint(10, 90)), today),
                "created_by": user,
            }
        )
    return drawn


def write_focus_problems(station: Station, drawn: list[dict]) -> None:
    """Report each drawn problem, then move it through ``focus_problem_advance`` up to its status."""
    for values in drawn:
        problem = FocusProblem(
            station=station,
            community=values["community"],
            title=values["title"],
            description=values["description"],
            reported_on=values["reported_on"],
            created_by=values["created_by"],
        )
        problem.full_clean()
        problem.save()
        for status in FocusProblemStatus.values[1 : FocusProblemStatus.values.index(values["status"]) + 1]:
            solved_on = values["solved_on"] if status == FocusProblemStatus.SOLVED else None
            problem = focus_problem_advance(problem=problem, to_status=status, solved_on=solved_on)


# --- the station and the city ------------------------------------------------------------------------


def seed_policies(demo: DemoStations, today: date) -> None:
    """The city's service targets (Suzhou's 4 communities, Jiaxing's 100 % visits) for last year and this one."""
    for year in (today.year - 1, today.year):
        upsert(
            ServicePolicy,
            {"region": demo.city, "year": year},
            {"empowerment_governance_communities_min": 4, "key_target_visit_goal": Decimal("1.00")},
        )


def seed_station(rng: random.Random, place: Place, today: date, reference: dict) -> None:
    """One station's services: four numbers from ``rng``, whatever the database already holds."""
    station = place.station
    brng = random.Random(rng.getrandbits(64))  # who the beneficiaries are: the natural keys
    prng = random.Random(rng.getrandbits(64))  # projects: names, tags, communities, stages, targets
    lrng = random.Random(rng.getrandbits(64))  # the service log of the 12 months up to today
    crng = random.Random(rng.getrandbits(64))  # cases and focus problems

    size = 150 if place.demo else brng.randint(110, 150) if place.busy else brng.randint(60, 110)
    people = seed_beneficiaries(brng, place, size, reference["groups"], today)
    staff = list(StaffMember.objects.filter(station=station).order_by("hired_on", "id_number"))
    volunteers = list(Volunteer.objects.filter(station=station).order_by("registered_on", "id_number"))
    users = list(User.objects.filter(station=station, is_active=True).order_by("username"))
    manager = next((u for u in users if u.role == Role.STATION_MANAGER), None) or reference["admin"]

    specs = project_specs(prng, place, today)
    planner = LogPlanner(lrng, place, people, staff, volunteers, specs, users, today)
    planned = planner.plan(other_services(lrng, place))
    projects = seed_projects(place, specs, set_targets(specs, planned, today), reference["items"], manager, today)
    if not ServiceRecord.objects.filter(station=station).exists():
        write_log(station, planned, projects)

    cases = draw_cases(crng, place, today)
    problems = draw_focus_problems(crng, place, manager if place.demo else None, today)
    if not Case.objects.filter(station=station).exists():
        write_cases(place, cases, people, staff, today)
    if not FocusProblem.objects.filter(station=station).exists():
        write_focus_problems(station, problems)


def seed(rng: random.Random, demo: DemoStations, today: date) -> DemoServices:
    """Services of every operating station; needs the staffing demo and the demo accounts first."""
    seed_policies(demo, today)
    reference = {
        "groups": {group.code: group for group in TargetGroup.objects.all()},
        "items": {item.name: item for item in CatalogItem.objects.all()},
        "admin": User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first(),
    }
    operating = []
    for township, station in demo.stations.items():
        if station.status != StationStatus.OPERATING:
            continue
        place = Place(
            station=station,
            township=township,
            county=station.township.parent.name,
            communities=list(station.communities.order_by("code")),
            busy=township in BUSY,
            demo=township == DEMO_TOWNSHIP,
            low_visits=township == LOW_VISITS,
        )
        seed_station(rng, place, today, reference)
        operating.append(station)
    return summary(operating, today)


def summary(stations: list[Station], today: date) -> DemoServices:
    result = DemoServices(operating=len(stations))
    beneficiaries = Beneficiary.objects.filter(station__in=stations)
    result.beneficiaries = beneficiaries.count()
    result.key_targets = beneficiaries.filter(key_target=True).count()
    result.projects = Project.objects.filter(station__in=stations).count()
    result.records = ServiceRecord.objects.filter(station__in=stations).count()
    result.volunteer_shares = ServiceVolunteer.objects.filter(record__station__in=stations).count()
    result.cases = Case.objects.filter(station__in=stations).count()
    result.focus_problems = FocusProblem.objects.filter(station__in=stations).count()
    last_month = month_starts(today, 1)[0]
    for station in stations:
        if not portfolio_check(station=station, year=today.year).valid:
            result.incomplete_portfolios.append(station.name)
        result.last_month_rates[station.name] = visit_rate(station=station, month=last_month).rate
    return result
