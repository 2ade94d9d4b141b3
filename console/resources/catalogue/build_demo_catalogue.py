"""Build the demo city's catalogue (demo-city.json) from the national CSV.

    python console/resources/catalogue/build_demo_catalogue.py          # (re)write demo-city.json
    python console/resources/catalogue/build_demo_catalogue.py --check  # exit 1 if it is stale

The demo city (seed 000) files cases against **13 major / 217 minor classes**:

* majors 01-05 component classes (部件) taken from the component table of
  GB/T 47678.5-2026 (a subset of 85 of its 153 components, the ones a city
  actually inventories and patrols);
* majors 06-10 matter classes (事件/事项), all 97 of the national matter table's
  06-10 rows;
* majors 11-13 local extensions (地方扩展, ``local: true``): 11 违法建设类,
  12 生态环境类, 13 应急防汛类, 35 minors.

Every minor gets 1-3 filing conditions (立案条件) with 处置 limits per urgency. The
component conditions come from keyword templates (井盖 / 灯 / 杆 / 亭箱 ...); the
matter and local ones from the explicit table below, using published limits where
they exist (domain.md §6: 暴露垃圾 4wh, 道路不洁 2wh, 私搭乱建 15wd, 井盖缺失 urgent 6h,
水域不洁 15wd, 积存垃圾渣土 4wd, 路面积水 4wh). Output is deterministic.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from console.domain.catalogue import (  # noqa: E402
    Catalogue, Category, FilingCondition, Major, load_standard_csv,
)

CSV_PATH = HERE / "gbt47678.5-2026.csv"
OUT_PATH = HERE / "demo-city.json"
VERSION = "demo-city-2026.1"
STANDARD_REF = "GB/T 47678.5-2026"
EXTENSION = "示范城市地方扩展: 大类 11 违法建设类、12 生态环境类、13 应急防汛类 (local=true)"

# ---------------------------------------------------------------- component subset (85)
COMPONENT_CODES = {
    "01": "01001 01002 01003 01004 01005 01006 01007 01008 01009 01010 01011 01012 01013 "
          "01017 01018 01023 01026 01027 01028 01030 01031 01037 01038 01039 01040 01041 "
          "01042 01043 01044 01046 01048 01049 01050 01054 01059 01060 01067 01070 01073 01077",
    "02": "02001 02004 02005 02006 02007 02008 02009 02010 02012 02013 02014 02017 02018 "
          "02021 02025 02026 02033 02034 02038 02043",
    "03": "03001 03002 03003 03004 03005 03006 03007 03008 03010 03013 03014 03016",
    "04": "04001 04002 04003 04004 04005 04006 04007 04008 04011 04013",
    "05": "05002 05003 05009",
}
EVENT_MAJORS = ("06", "07", "08", "09", "10")


def L(normal: str, urgent: str | None = None, critical: str | None = None,
      default: str = "normal") -> dict:
    limits = {"normal": normal}
    if urgent:
        limits["urgent"] = urgent
    if critical:
        limits["critical"] = critical
    return {"limits": limits, "default_urgency": default}


# ---------------------------------------------------------------- component templates
# (keywords, [(text template, limits)]) - first match wins; {n} is the minor's name
COMPONENT_TEMPLATES: list[tuple[tuple[str, ...], list[tuple[str, dict]]]] = [
    (("箅子",), [
        ("{n}缺失", L("1wd", "6h", "3h", default="urgent")),
        ("{n}破损、松动", L("2wd", "12h", "6h")),
        ("{n}堵塞，影响排水", L("1wd", "4h", "2h")),
    ]),
    (("井盖", "沟槽盖板"), [
        ("{n}缺失", L("1wd", "6h", "3h", default="urgent")),
        ("{n}破损、松动或移位", L("2wd", "12h", "6h")),
        ("{n}与路面高差超过2厘米", L("5wd", "2wd", "1wd")),
    ]),
    (("路灯配电箱", "电力设施", "变压器", "燃气调压站", "通信交接箱"), [
        ("{n}箱门缺失、线缆裸露", L("1wd", "6h", "2h", default="urgent")),
        ("{n}破损、污损、乱张贴", L("3wd", "1wd", "8h")),
    ]),
    (("路灯", "地灯", "景观灯"), [
        ("主次干道{n}连续3盏以上不亮", L("1wd", "8h", "4h")),
        ("{n}灯具破损、灯杆倾斜", L("3wd", "1wd", "6h")),
    ]),
    (("立杆", "综合杆", "旗杆"), [
        ("{n}倾斜、有倒伏危险", L("1wd", "6h", "3h", default="urgent")),
        ("{n}破损、锈蚀、乱张贴", L("5wd", "2wd", "1wd")),
    ]),
    (("交通信号灯",), [
        ("{n}不亮或故障", L("8wh", "4h", "2h", default="urgent")),
        ("{n}灯头破损、被遮挡", L("3wd", "1wd", "8h")),
    ]),
    (("交通标志牌及标线", "路名牌", "地名牌", "门（楼号）牌", "公厕指示牌"), [
        ("{n}破损、倾斜、缺失", L("5wd", "2wd", "1wd")),
        ("{n}被遮挡、污损", L("3wd", "1wd")),
    ]),
    (("交通护栏", "防撞桶", "便道桩", "减速带", "交通反视镜", "绿地护栏", "水域护栏"), [
        ("{n}缺失、倒伏，影响通行安全", L("1wd", "6h", "3h", default="urgent")),
        ("{n}破损、松动", L("3wd", "1wd", "8h")),
    ]),
    (("过街天桥", "地下通道", "立交桥", "跨河桥"), [
        ("{n}结构破损、有安全隐患", L("1wd", "6h", "2h", default="urgent")),
        ("{n}不洁、有垃圾积水", L("4wh", "2wh")),
        ("{n}栏杆、照明设施损坏", L("3wd", "1wd")),
    ]),
    (("公共厕所",), [
        ("{n}保洁不到位、异味明显", L("2wh", "1wh")),
        ("{n}设施损坏、无法正常使用", L("2wd", "1wd", "4wh")),
    ]),
    (("垃圾箱", "垃圾间", "烟头收集器"), [
        ("{n}满溢、周边脏乱", L("2wh", "1wh")),
        ("{n}破损、缺失", L("3wd", "1wd")),
    ]),
    (("化粪池",), [
        ("{n}满溢、污水外流", L("4wh", "2h", "1h", default="urgent")),
        ("{n}盖板破损", L("2wd", "1wd", "6h")),
    ]),
    (("户外广告", "牌匾标识", "宣传栏"), [
        ("{n}松动、有坠落危险", L("1wd", "6h", "2h", default="urgent")),
        ("{n}破损、污损、字体残缺", L("5wd", "2wd")),
    ]),
    (("古树名木",), [
        ("{n}受损、长势衰弱、病虫害", L("5wd", "2wd", "1wd")),
        ("{n}倾斜、有倒伏危险", L("1wd", "4h", "2h", default="urgent")),
    ]),
    (("行道树", "独立树"), [
        ("{n}倾斜、倒伏，影响通行", L("1wd", "4h", "2h", default="urgent")),
        ("{n}枯死、缺株", L("10wd", "5wd")),
        ("{n}枝叶遮挡信号灯、标志牌", L("5wd", "2wd")),
    ]),
    (("绿地",), [
        ("{n}缺株、黄土裸露", L("5wd", "3wd")),
        ("{n}内设施损坏", L("5wd", "2wd")),
    ]),
    (("公房地下室", "车辆加油", "文物古迹"), [
        ("{n}设施破损、存在安全隐患", L("5wd", "1wd", "6h")),
        ("{n}周边脏乱、乱堆放", L("2wd", "1wd")),
    ]),
]
GENERIC_COMPONENT = [
    ("{n}破损、缺失", L("3wd", "1wd", "8h")),
    ("{n}污损、乱张贴", L("2wd", "1wd")),
]

# ---------------------------------------------------------------- matter and local tables
# code -> [(condition text, limits)]
EVENT_CONDITIONS: dict[str, list[tuple[str, dict]]] = {
    "06001": [("未经批准私搭乱建建（构）筑物", L("15wd", "5wd", "2wd")),
              ("私搭乱建占用道路、影响通行", L("7wd", "3wd", "1wd"))],
    "06002": [("店面未经审批装修施工", L("5wd", "2wd"))],
    "06003": [("擅自占道砌筑接坡", L("5wd", "2wd"))],
    "06004": [("主次干道沿街建筑外立面污损、破旧", L("10wd", "5wd")),
              ("外立面装饰物松动、有脱落隐患", L("2wd", "12h", "6h", default="urgent"))],
    "06005": [("临街阳台、屋顶堆放杂物、脏乱", L("5wd", "2wd"))],
    "06006": [("擅自在临街建筑物上悬挂彩旗、条幅", L("2wd", "1wd"))],
    "06007": [("主次干道沿街晾挂衣物", L("4wh", "2wh")),
              ("在护栏、树木、电线杆上晾挂", L("1wd", "4wh"))],
    "06008": [("擅自架设管线、杆线", L("10wd", "5wd")),
              ("架设管线低垂影响通行安全", L("2wd", "8h", "4h", default="urgent"))],
    "06009": [("空调外机安装高度低于2米、滴水扰民", L("10wd", "5wd"))],
    "06010": [("主次干道暴露垃圾成堆成片、未入容器", L("4wh", "2wh", "1h")),
              ("背街小巷、居民区暴露垃圾", L("1wd", "4wh", "2h"))],
    "06011": [("积存垃圾渣土（含建筑垃圾）", L("4wd", "2wd", "1wd")),
              ("主次干道两侧积存渣土", L("2wd", "1wd", "4wh"))],
    "06012": [("主次干道8:00后路面脏污、有垃圾", L("2wh", "1wh")),
              ("背街小巷路面不洁", L("5wh", "2wh"))],
    "06013": [("车行道坑洼、破损面积大于1平方米", L("3wd", "1wd", "6h")),
              ("人行道板松动、破损", L("5wd", "2wd"))],
    "06014": [("车辆运输遗撒污染路面", L("2wh", "1h", "30min"))],
    "06015": [("沙（河）滩垃圾、漂浮物堆积", L("1wd", "4wh"))],
    "06016": [("交通标线磨损、模糊不清", L("10wd", "5wd"))],
    "06017": [("绿地内有垃圾杂物", L("4wh", "2wh")),
              ("绿地内堆放杂物", L("1wd", "4wh"))],
    "06018": [("修剪后绿化弃料未及时清运", L("1wd", "4wh"))],
    "06019": [("在树木、护栏、杆线上非装饰性吊挂", L("2wd", "1wd"))],
    "06020": [("露天焚烧垃圾、树叶", L("2wh", "1h", "30min", default="urgent"))],
    "06021": [("行道树、绿地病虫害", L("5wd", "2wd"))],
    "06022": [("擅自砍伐、移植树木", L("1wd", "4wh", "2h"))],
    "06023": [("河道堤岸破损、坍塌", L("5wd", "1wd", "6h"))],
    "06024": [("水域内违规捕鱼、游泳、设置设施", L("1wd", "4wh"))],
    "06025": [("水面漂浮物、油污", L("15wd", "5wd", "1wd")),
              ("河道大面积漂浮物影响行洪", L("2wd", "1wd", "12h"))],
    "06026": [("河道水体污染、变色", L("5wd", "2wd", "1wd"))],
    "06027": [("餐饮油烟直排扰民", L("5wd", "2wd"))],
    "06028": [("商业经营噪声扰民", L("1wd", "4wh", "2h"))],
    "06029": [("主次干道露天烧烤", L("2wh", "1h")),
              ("背街小巷露天烧烤", L("4wh", "2h"))],
    "06030": [("向道路、绿地、水体乱倒乱排污水", L("1wd", "4wh", "2h"))],
    "06032": [("非正规垃圾堆放、填埋点", L("15wd", "5wd"))],
    "06033": [("乱丢弃医疗废物", L("4wh", "2h", "1h", default="urgent"))],
    "06034": [("道路上长期停放废弃车辆", L("10wd", "5wd"))],
    "06035": [("公共区域丢弃废旧家具、设备", L("1wd", "4wh"))],
    "06036": [("公共区域乱堆杂物影响通行", L("1wd", "4wh")),
              ("楼道、消防通道内堆放杂物", L("4wh", "2h", "1h", default="urgent"))],
    "06037": [("道路、绿地、水域内有动物尸体", L("2wh", "1h"))],
    "06038": [("城区内擅自饲养家禽家畜", L("5wd", "2wd"))],
    "06039": [("擅自开设道路出入口", L("10wd", "5wd"))],
    "06040": [("公共区域私设地锁、阻车桩", L("5wd", "2wd"))],
    "06041": [("生活垃圾未按规定分类投放", L("1wd", "4wh"))],
    "06042": [("垃圾桶（站）满溢、周边脏乱", L("2wh", "1wh"))],
    "06043": [("遮阳篷（棚、伞）破损、有坠落隐患", L("5wd", "2wd"))],
    "06044": [("节庆装饰物破损、残缺", L("3wd", "1wd"))],
    "06045": [("占用绿地、毁坏绿化", L("5wd", "2wd"))],
    "06046": [("违规占用河道、堆放物料", L("10wd", "5wd"))],
    "06047": [("公园内违规经营、活动扰民", L("1wd", "4wh"))],
    "06048": [("边坡、挡土墙破损", L("10wd", "3wd")),
              ("边坡、挡土墙有坍塌危险", L("1wd", "6h", "2h", default="urgent"))],
    "06049": [("台阶破损、缺失", L("5wd", "2wd"))],
    "06050": [("路缘石缺失、破损", L("5wd", "2wd"))],
    "06051": [("盲道砖缺失、破损", L("5wd", "2wd"))],
    "06052": [("无障碍坡道破损", L("5wd", "2wd"))],
    "07001": [("主次干道非法小广告（张贴、涂写、刻画）", L("4wh", "2wh")),
              ("背街小巷非法小广告", L("1wd", "4wh"))],
    "07002": [("街头散发商业广告", L("2wh", "1wh"))],
    "07003": [("未经审批设置户外广告", L("10wd", "5wd")),
              ("户外广告破损、有坠落隐患", L("1wd", "6h", "2h", default="urgent"))],
    "07004": [("广告、牌匾用字不规范", L("10wd", "5wd"))],
    "07006": [("未经审批设置牌匾标识", L("10wd", "5wd"))],
    "07007": [("乱拉横幅、乱贴标语", L("1wd", "4wh"))],
    "07008": [("公益宣传品破损、缺失", L("5wd", "2wd"))],
    "08001": [("夜间（22:00-6:00）违规施工扰民", L("2h", "1h")),
              ("白天施工噪声超标", L("1wd", "4wh"))],
    "08002": [("未经批准或超范围占道施工", L("2wd", "1wd"))],
    "08003": [("未经批准挖掘道路", L("1wd", "4wh", "2h"))],
    "08004": [("施工工地扬尘、未湿法作业", L("4wh", "2wh"))],
    "08005": [("施工废弃料未及时清运", L("2wd", "1wd"))],
    "08006": [("施工物料在工地外乱堆放", L("1wd", "4wh"))],
    "08007": [("围挡破损、缺失、不规范", L("3wd", "1wd")),
              ("围挡倾斜、有倒塌危险", L("4wh", "2h", "1h", default="urgent"))],
    "08008": [("施工工地主要道路未硬化", L("10wd", "5wd"))],
    "08009": [("工地出入口道路破损", L("5wd", "2wd"))],
    "08010": [("施工完成后未清理场地", L("3wd", "1wd"))],
    "08011": [("渣土运输车辆未密闭", L("1wd", "4wh"))],
    "08012": [("车辆带泥上路污染路面", L("2wh", "1wh"))],
    "08013": [("违规高空悬吊作业", L("4wh", "1h", "30min", default="urgent"))],
    "08014": [("预埋件、钢筋头裸露", L("2wd", "1wd", "6h"))],
    "08015": [("施工公示牌污损、缺失", L("5wd", "2wd"))],
    "08016": [("未取得许可擅自建设", L("15wd", "5wd"))],
    "09001": [("主次干道流动摊贩", L("2wh", "1wh")),
              ("背街小巷流动摊贩", L("4wh", "2wh"))],
    "09002": [("早（夜）市超时、超范围经营", L("1wd", "4wh"))],
    "09003": [("流浪乞讨人员滞留街面", L("4wh", "2h"))],
    "09004": [("废品收购站点占道、脏乱", L("2wd", "1wd"))],
    "09005": [("主次干道出店经营", L("2wh", "1wh")),
              ("背街小巷出店经营", L("4wh", "2wh"))],
    "09006": [("主次干道占道经营", L("2wh", "1wh")),
              ("占用人行道、盲道经营", L("4wh", "2wh"))],
    "09008": [("街头销售非法出版物", L("1wd", "4wh"))],
    "09009": [("机动车占用人行道、盲道停放", L("2wh", "1h")),
              ("机动车违停阻碍通行", L("1wh", "30min", "15min", default="urgent"))],
    "09010": [("非机动车乱停乱放", L("2wh", "1wh"))],
    "09011": [("共享单车乱停乱放、堆积", L("2wh", "1wh")),
              ("共享单车损坏、废弃未回收", L("1wd", "4wh"))],
    "09012": [("占用、堵塞消防通道", L("2h", "1h", "30min", default="urgent"))],
    "09013": [("临街宰杀禽畜", L("4wh", "2h"))],
    "09014": [("畜力车进入城区", L("2wh", "1h"))],
    "09015": [("无证经营餐饮", L("5wd", "2wd"))],
    "09016": [("未经批准设置停车场", L("10wd", "5wd"))],
    "09017": [("违规占用桥下空间堆物、经营", L("10wd", "5wd"))],
    "09018": [("履带车、铁轮车违规上路", L("2wh", "1h"))],
    "09019": [("占用无障碍通道", L("4wh", "2wh"))],
    "09020": [("农贸市场周边占道、脏乱", L("1wd", "4wh"))],
    "09021": [("占道洗车", L("4wh", "2wh"))],
    "09022": [("占道促销、宣传", L("2wh", "1wh"))],
    "10001": [("主次干道积雪结冰影响通行", L("4wh", "2h", "1h", default="urgent")),
              ("人行道、背街小巷积雪结冰", L("1wd", "4wh"))],
    "10002": [("架空线缆脱落、低垂影响通行", L("1wd", "4h", "2h", default="urgent"))],
}

LOCAL_MAJORS = [
    ("11", "违法建设类", [
        ("11001", "违法新建建筑物", [
            ("在建违法建筑，责令停止施工", L("4wh", "2wh")),
            ("违法建筑立案查处", L("7wd", "3wd")),
            ("违法建筑限期拆除", L("20wd", "10wd"))]),
        ("11002", "违法扩建加层", [("擅自扩建、加层", L("15wd", "5wd"))]),
        ("11003", "违法搭建附属构筑物", [("擅自搭建围墙、棚舍等附属构筑物", L("15wd", "5wd"))]),
        ("11004", "擅自改变房屋结构外观", [("擅自改变建筑立面、结构", L("10wd", "5wd"))]),
        ("11005", "屋顶违法搭建", [("屋顶违法搭建阳光房、彩钢棚", L("20wd", "10wd"))]),
        ("11006", "擅自圈占公共用地", [("擅自圈占公共用地、绿地", L("10wd", "5wd"))]),
        ("11007", "农村违法建房", [("未批先建、超面积建设", L("15wd", "5wd")),
                                    ("占用耕地建房", L("5wd", "2wd", "1wd"))]),
        ("11008", "临时建筑超期未拆", [("临时建筑超过批准期限未拆除", L("20wd", "10wd"))]),
        ("11009", "违法搭建彩钢棚", [("沿街违法搭建彩钢棚", L("15wd", "5wd"))]),
        ("11010", "擅自破墙开门开窗", [("擅自破墙开门、开窗", L("10wd", "5wd"))]),
        ("11011", "违法占用地下空间", [("违法开挖、占用地下空间", L("15wd", "5wd", "1wd"))]),
        ("11012", "违建拆除后建筑垃圾未清运", [("违建拆除后建筑垃圾未清运", L("3wd", "1wd"))]),
    ]),
    ("12", "生态环境类", [
        ("12001", "黑臭水体", [("河段水体发黑发臭", L("15wd", "5wd"))]),
        ("12002", "畜禽养殖污染", [("畜禽养殖粪污直排", L("10wd", "5wd"))]),
        ("12003", "露天焚烧秸秆", [("露天焚烧秸秆、杂草", L("2h", "1h", "30min"))]),
        ("12004", "废气异味扰民", [("企业、作坊废气异味扰民", L("2wd", "1wd", "4h"))]),
        ("12005", "餐饮废水直排", [("餐饮废水直排雨水管网", L("5wd", "2wd"))]),
        ("12006", "危险废物乱堆放", [("危险废物露天堆放", L("1wd", "4h", "2h", default="urgent"))]),
        ("12007", "裸土未覆盖", [("裸露土方未覆盖防尘网", L("1wd", "4wh"))]),
        ("12008", "山体破坏乱采乱挖", [("乱采乱挖山体、破坏植被", L("2wd", "1wd", "4h"))]),
        ("12009", "毁林开垦", [("毁林开垦、种植", L("5wd", "2wd"))]),
        ("12010", "非法捕捞电鱼", [("电鱼、毒鱼等非法捕捞", L("2h", "1h"))]),
        ("12011", "垃圾分类投放点脏乱", [("分类投放点垃圾散落、异味", L("4wh", "2wh"))]),
    ]),
    ("13", "应急防汛类", [
        ("13001", "道路塌陷", [("路面塌陷、出现空洞", L("4h", "2h", "1h", default="urgent"))]),
        ("13002", "路面积水", [("路面积水影响通行", L("4wh", "2h", "1h"))]),
        ("13003", "下穿通道积水", [("下穿通道积水深度超过15厘米", L("2h", "1h", "30min", default="urgent"))]),
        ("13004", "山体滑坡隐患", [("边坡出现裂缝、落石", L("1wd", "4h", "2h", default="urgent"))]),
        ("13005", "树木倒伏", [("树木倒伏阻断道路", L("4h", "2h", "1h", default="urgent")),
                               ("树木倒伏压占绿地、人行道", L("1wd", "6h"))]),
        ("13006", "广告牌坠落隐患", [("大风天气广告牌松动", L("1wd", "4h", "2h", default="urgent"))]),
        ("13007", "燃气泄漏", [("闻到燃气异味、疑似泄漏", L("1h", "30min", "15min", default="critical"))]),
        ("13008", "供水管道爆裂", [("供水管道爆裂、大量冒水", L("4h", "2h", "1h", default="urgent"))]),
        ("13009", "电线杆倾倒", [("电线杆倾倒、电线落地", L("4h", "2h", "1h", default="urgent"))]),
        ("13010", "危房险情", [("房屋开裂、有倒塌危险", L("1wd", "6h", "2h", default="urgent"))]),
        ("13011", "高空坠物隐患", [("台风、大风期间高空坠物隐患", L("4h", "2h", "1h", default="urgent"))]),
        ("13012", "地下管线破坏", [("施工挖断地下管线", L("2h", "1h", "30min", default="urgent"))]),
    ]),
]


def _component_conditions(name: str) -> list[tuple[str, dict]]:
    for keywords, conds in COMPONENT_TEMPLATES:
        if any(k in name for k in keywords):
            return conds
    return GENERIC_COMPONENT


def _conditions(cat: Category, rows: list[tuple[str, dict]]) -> list[FilingCondition]:
    return [FilingCondition(f"{cat.code}{i:02d}", cat.code, text.format(n=cat.name),
                            spec["limits"], spec["default_urgency"])
            for i, (text, spec) in enumerate(rows, start=1)]


def build() -> Catalogue:
    national = load_standard_csv(CSV_PATH)
    categories: list[Category] = []
    conditions: list[FilingCondition] = []
    majors: list[Major] = []
    for major_code, codes in COMPONENT_CODES.items():
        for code in codes.split():
            cat = national.category(code, "component")
            categories.append(cat)
            conditions += _conditions(cat, _component_conditions(cat.name))
    for major_code in EVENT_MAJORS:
        for cat in national.minors(major_code, "event"):
            categories.append(cat)
            conditions += _conditions(cat, EVENT_CONDITIONS[cat.code])
    for major_code, major_name, minors in LOCAL_MAJORS:
        majors.append(Major(major_code, "event", major_name, local=True))
        for code, name, rows in minors:
            cat = Category(code, "event", major_code, major_name, name, local=True)
            categories.append(cat)
            conditions += _conditions(cat, rows)
    catalogue = Catalogue(VERSION, STANDARD_REF, categories, conditions,
                          extension=EXTENSION, majors=majors)
    return catalogue.validate()


def render() -> str:
    return json.dumps(build().to_json_dict(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT_PATH.read_text(encoding="utf-8") if OUT_PATH.exists() else ""
        if current != text:
            print(f"{OUT_PATH} is stale; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT_PATH.write_text(text, encoding="utf-8")
    cat = build()
    print(f"wrote {OUT_PATH}: {len(cat.majors())} majors, {len(cat.categories)} minors, "
          f"{len(cat.conditions)} filing conditions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
