"""What the services demo draws from: who logs a lot, whose portfolio or visits fall short, and the names, groups, projects and words of its people, records, cases and focus problems."""

from datetime import date
from decimal import Decimal

from staffing.demo import (
    TWO_STAFF_TOWNSHIP,
)
from stations.demo import DEMO_TOWNSHIP

from ..choices import ProjectCategory, ProjectStage, ProjectSubtype, ServiceKind

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
