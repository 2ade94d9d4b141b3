"""Name tables for the demo city (三明市三元区-like): streets, communities, roads, people.

Everything here is fictitious or generic; the generator draws from these lists
with its own seeded random generator, so a seed gives the same names every time.
"""
from __future__ import annotations

import random

DISTRICT_CODE = "350402"  # GB/T 2260 三元区 (the code the tests' tiny city uses too)
DISTRICT_NAME = "三元区"
CITY_NAME = "三明市"
CENTER_LON, CENTER_LAT = 117.618, 26.245  # 三明 city centre, WGS-84

# 街道 first (the urban core), then 镇 and 乡 (the rim), as in 三元区 after 2021.
CORE_STREETS = ["列东", "列西", "徐碧", "城关", "白沙", "富兴堡", "荆西"]
RIM_TOWNS = ["陈大", "洋溪", "莘口", "岩前", "中村"]
# more stems for larger synthetic districts (metro scale)
EXTRA_STEMS = [
    "东霞", "梅岭", "台江", "崇桂", "沙洲", "绿岩", "东新", "新市", "江滨", "下洋", "碧湖", "翠竹",
    "玉兰", "龙岗", "凤岗", "金沙", "银湖", "永安", "瑞云", "高岩", "富华", "和平", "长安", "红星",
    "桃源", "清溪", "湖口", "三路口", "列岗", "岩下", "吉口", "际口", "沙阳", "黄砂", "渔塘", "上坪",
    "曹源", "桂口", "黄坑", "瑞坑", "罗坊", "麻岗", "布头", "雷山", "东乾", "西山", "北山", "南山",
    "官庄", "魏坊", "瓦庄", "城南", "城北", "城西", "城东", "新阳", "溪源", "竹洲", "梅列", "荆东",
]

COMMUNITY_FIRST = list(
    "东西南北新和平安康乐富兴华荣翠碧绿红金银玉龙凤桂梅兰竹松柏泉溪湖江滨沙岩山岭坪洲桥塘"
    "园林光明育英文昌德永长春秋福瑞祥丰盛"
)
COMMUNITY_SECOND = list("苑村坊里湾岗亭园庄湖山塘洲桥坪源头庭城阳泉")

ROAD_STEMS = [
    "新市", "列东", "列西", "东新", "崇桂", "绿岩", "江滨", "沙洲", "梅岭", "工业", "建设", "富兴",
    "台江", "徐碧", "白沙", "荆西", "城关", "乾龙", "龙岗", "碧湖", "翠竹", "凤岗", "三明", "和平",
    "长安", "文昌", "健康", "胜利", "解放", "人民", "学府", "友谊", "金沙", "玉兰", "桂花", "红岩",
    "碧溪", "岩前", "莘口", "洋溪", "陈大", "中村", "东霞", "梅列", "五一", "麒麟", "沪明", "永兴",
]
ROAD_SUFFIXES_MAJOR = ["大道", "北路", "中路", "南路", "东路", "西路"]
ROAD_SUFFIXES_MINOR = ["路", "街", "一路", "二路", "三路", "支路"]
ROAD_SUFFIXES_LANE = ["巷", "弄", "里", "横街"]

SURNAMES = (
    "林陈黄李王张刘吴郑杨罗邱叶曾谢徐赖周余朱何邓肖魏蔡范詹卢江郭高廖"
    "傅钟许严丁温游苏胡姜兰池官连涂童"
)
# heavier weights on the commonest 福建 surnames (林 陈 黄 first)
SURNAME_WEIGHTS = [max(1, 9 - i // 2) if i < 16 else (2 if i < 33 else 1) for i in range(len(SURNAMES))]
_CUM_SURNAME = list(__import__("itertools").accumulate(SURNAME_WEIGHTS))
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红文斌辉鹏宇晨"
    "婷欣怡思雨佳琳晓燕丹凤梅海峰彬翔凯浩然宏亮俊源榕闽清德福荣金水生发春秋"
)

HOTLINE_TITLES = ["先生", "女士"]

# 专业部门 (code, name): 处置单位 of the demo city
PROFESSIONAL_DEPARTMENTS = [
    ("SZ", "市政公用事业服务中心"),
    ("HW", "环境卫生服务中心"),
    ("YL", "园林绿化服务中心"),
    ("JJ", "公安局交通警察大队"),
    ("SJ", "市场监督管理局"),
    ("ZJ", "住房和城乡建设局"),
    ("GD", "国网三明供电公司"),
    ("SW", "三明水务集团"),
    ("TX", "通信管线联合办公室"),
    ("RQ", "三明华润燃气公司"),
    ("ZF", "城市管理综合执法大队"),
    ("HB", "生态环境局三元分局"),
    ("GA", "公安局三元分局"),
    ("ZR", "自然资源局三元分局"),
]

# category name keyword -> department code ("STREET": the street office, 属地)
ROUTING_KEYWORDS = [
    ("路灯", "SZ"), ("景观灯", "SZ"), ("地灯", "SZ"),
    ("供水", "SW"), ("污水", "SW"), ("雨水", "SW"), ("排水", "SW"), ("消火栓", "SW"),
    ("电力", "GD"), ("变压器", "GD"), ("充电", "GD"),
    ("通信", "TX"), ("电视", "TX"), ("网络", "TX"), ("电话", "TX"), ("邮", "TX"),
    ("燃气", "RQ"), ("热力", "RQ"),
    ("公安", "GA"), ("监控", "GA"), ("治安", "GA"),
    ("非机动车", "STREET"), ("机动车乱停", "JJ"), ("交通", "JJ"), ("信号", "JJ"), ("护栏", "JJ"), ("公交", "JJ"),
    ("占道", "STREET"), ("店外", "STREET"), ("游商", "STREET"),
    ("无照", "STREET"), ("乱晾晒", "STREET"), ("乱堆", "STREET"),
    ("垃圾", "HW"), ("厕", "HW"), ("不洁", "HW"), ("保洁", "HW"), ("满溢", "HW"), ("粪", "HW"),
    ("树", "YL"), ("绿", "YL"), ("花", "YL"), ("草", "YL"), ("园林", "YL"),
    ("广告", "ZF"), ("招牌", "ZF"), ("牌匾", "ZF"), ("私搭", "ZF"), ("违", "ZF"),
    ("施工", "ZJ"), ("工地", "ZJ"), ("扬尘", "ZJ"), ("渣土", "ZJ"), ("房屋", "ZJ"),
    ("噪", "HB"), ("油烟", "HB"), ("污染", "HB"), ("排污", "HB"), ("焚烧", "HB"),
    ("井盖", "SZ"), ("道路", "SZ"), ("桥", "SZ"), ("路面", "SZ"),
    ("市场", "SJ"), ("食品", "SJ"),
    ("土地", "ZR"), ("山体", "ZR"),
]

# how often a minor class is reported (category name keyword -> relative weight)
CATEGORY_WEIGHTS = [
    ("暴露垃圾", 120.0), ("占道经营", 95.0), ("非机动车乱停", 60.0), ("机动车乱停", 80.0),
    ("道路不洁", 75.0), ("非法小广告", 55.0), ("店外经营", 50.0), ("满溢", 40.0),
    ("积存垃圾", 35.0), ("乱堆", 30.0), ("无照经营", 25.0), ("游商", 25.0), ("乱晾晒", 20.0),
    ("井盖", 9.0), ("道路破损", 18.0), ("绿地", 14.0), ("行道树", 12.0), ("私搭乱建", 12.0),
    ("广告", 14.0), ("工地", 10.0), ("施工", 10.0), ("扬尘", 8.0), ("路灯", 10.0),
    ("垃圾箱", 9.0), ("公共厕所", 6.0), ("交通标志", 5.0), ("护栏", 5.0), ("水域不洁", 6.0),
]
DEFAULT_CATEGORY_WEIGHT = 1.5

DESCRIPTION_TAILS = [
    "请及时处理。", "影响市容，请尽快处置。", "群众反映强烈。", "现场已拍照取证。",
    "多次出现，请加强巡查。", "存在安全隐患。", "", "",
]
FEEDBACK_NOTES = ["已处理完毕", "已清理，现场恢复整洁", "已修复", "已劝离并教育", "已更换", "已整改到位"]
RETURN_REASONS = ["不属于本单位职责范围", "权属不清，请重新派遣", "非本部门管养设施"]
EXTENSION_REASONS = ["需采购材料", "需协调相关单位", "天气原因无法施工", "工程量较大"]
HOLD_REASONS = ["涉及拆迁，需长期整治", "历史遗留问题，需专项处置", "需纳入年度改造计划"]
REFUSE_REASONS = ["重复上报", "不属于城管受理范围", "信息不全无法定位", "已自行消失"]
CHECK_FAIL_NOTES = ["现场未整改到位", "仍有残留，请返工", "处置不彻底"]
URGE_NOTES = ["请加快处置进度", "该案即将超时，请抓紧", "群众再次来电，请尽快处理"]
SUPERVISE_NOTES = ["超时未办结，请说明原因并限期整改", "重点督办，请书面回复"]
REPLY_NOTES = ["已安排人员处置，预计近日完成", "已整改，详见处置反馈"]

LAND_USES = ["居住用地", "商业服务业用地", "公共管理与公共服务用地", "道路与交通设施用地",
             "绿地与广场用地", "工业用地", "水域", "农林用地"]


def person_name(rnd: random.Random) -> str:
    surname = rnd.choices(SURNAMES, cum_weights=_CUM_SURNAME)[0]
    given = rnd.choice(GIVEN_CHARS) + (rnd.choice(GIVEN_CHARS) if rnd.random() < 0.7 else "")
    return surname + given


def masked_phone(rnd: random.Random) -> str:
    """A masked-looking mobile number (never a real, full one)."""
    prefix = rnd.choice(["139", "138", "137", "136", "135", "159", "158", "188", "187", "133", "153", "189", "180"])
    return f"{prefix}****{rnd.randrange(10000):04d}"


def community_names(rnd: random.Random, count: int) -> list[str]:
    """`count` distinct two-character stems (社区 / 村 suffix added by the caller)."""
    pool = [a + b for a in COMMUNITY_FIRST for b in COMMUNITY_SECOND if a != b]
    pool += [a + b for a in COMMUNITY_FIRST for b in COMMUNITY_FIRST if a != b]
    rnd.shuffle(pool)
    if count > len(pool):
        raise ValueError(f"only {len(pool)} distinct community names available, {count} asked")
    return pool[:count]


def street_stems(count: int) -> list[str]:
    """Stems for `count` streets: the real 三元区 names first, then generic ones."""
    stems = CORE_STREETS + RIM_TOWNS + EXTRA_STEMS
    if count > len(stems):
        stems = stems + [f"{s}{i}" for i in range(2, 10) for s in EXTRA_STEMS]
    return stems[:count]


def road_names(rnd: random.Random, count: int, level: str) -> list[str]:
    suffixes = {"主干道": ROAD_SUFFIXES_MAJOR, "次干道": ROAD_SUFFIXES_MINOR, "支路": ROAD_SUFFIXES_MINOR,
                "背街小巷": ROAD_SUFFIXES_LANE}[level]
    pool = [s + x for s in ROAD_STEMS for x in suffixes]
    rnd.shuffle(pool)
    while len(pool) < count:
        pool += [f"{p}{len(pool)}" for p in pool[: count - len(pool)]]
    return pool[:count]
