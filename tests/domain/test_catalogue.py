from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from console.domain.catalogue import (
    Catalogue,
    CatalogueError,
    Category,
    FilingCondition,
    Urgency,
    check_limit,
    load_catalogue,
    load_standard_csv,
)

RES = Path(__file__).resolve().parents[2] / "console" / "resources" / "catalogue"
DEMO = RES / "demo-city.json"
CSV = RES / "gbt47678.5-2026.csv"


@pytest.fixture(scope="module")
def demo() -> Catalogue:
    return load_catalogue(DEMO)


def small() -> Catalogue:
    cats = [
        Category("06010", "event", "06", "市容环境类", "暴露垃圾"),
        Category("06012", "event", "06", "市容环境类", "道路不洁"),
        Category("01001", "component", "01", "市政公用设施", "供水井盖"),
    ]
    conds = [
        FilingCondition("0601001", "06010", "主次干道成堆成片", {"normal": "4wh"}),
        FilingCondition("0601201", "06012", "8:00 后脏乱", {Urgency.NORMAL: "2wh", Urgency.URGENT: "1wh"}),
        FilingCondition("0100101", "01001", "井盖缺失", {"normal": "1wd", "urgent": "6h"}, "urgent"),
    ]
    return Catalogue("t1", "GB/T 47678.5-2026", cats, conds)


# ------------------------------------------------------------------ records


def test_urgency_labels():
    assert [u.value for u in Urgency] == ["normal", "urgent", "critical"]
    assert [u.label for u in Urgency] == ["一般", "紧急", "特急"]


@pytest.mark.parametrize("limit", ["4wh", "1wd", "6h", "30wmin", "15d", "90min"])
def test_limit_syntax_ok(limit):
    assert check_limit(limit) == limit


@pytest.mark.parametrize("limit", ["4", "wh", "4 wh", "4hours", "0wh", "-1h", "4WH", 4, "1.5h"])
def test_limit_syntax_bad(limit):
    with pytest.raises(CatalogueError, match="bad time limit"):
        check_limit(limit, "here")


def test_condition_bad_limit_names_condition():
    with pytest.raises(CatalogueError, match=r"filing condition '0601001' urgent: bad time limit '2 hours'"):
        FilingCondition("0601001", "06010", "x", {"normal": "4wh", "urgent": "2 hours"})


def test_condition_default_urgency_needs_a_limit():
    with pytest.raises(CatalogueError, match="no limit for its default urgency 'urgent'"):
        FilingCondition("c1", "06010", "x", {"normal": "4wh"}, "urgent")


def test_condition_unknown_urgency():
    with pytest.raises(CatalogueError, match="unknown urgency 'asap'"):
        FilingCondition("c1", "06010", "x", {"asap": "4wh"})


def test_condition_limit_for():
    cond = FilingCondition("c1", "01001", "井盖缺失", {"urgent": "6h", "normal": "1wd"}, "urgent")
    assert list(cond.limits) == [Urgency.NORMAL, Urgency.URGENT]
    assert cond.limit_for() == "6h"
    assert cond.limit_for("normal") == "1wd"
    with pytest.raises(CatalogueError, match=r"'c1'.*no limit for urgency 'critical'"):
        cond.limit_for(Urgency.CRITICAL)
    assert hash(cond) == hash(FilingCondition("c1", "01001", "井盖缺失", {"urgent": "6h", "normal": "1wd"}, "urgent"))


@pytest.mark.parametrize("code, major, match", [
    ("6010", "06", "5 digits"),
    ("06A10", "06", "5 digits"),
    ("06010", "6", "major code"),
    ("07010", "06", "does not start with its major code"),
])
def test_category_bad_codes(code, major, match):
    with pytest.raises(CatalogueError, match=match):
        Category(code, "event", major, "市容环境类", "暴露垃圾")


def test_category_bad_kind():
    with pytest.raises(CatalogueError, match="kind 'matter'"):
        Category("06010", "matter", "06", "市容环境类", "暴露垃圾")


# ------------------------------------------------------------------ catalogue


def test_small_catalogue_lookups():
    cat = small().validate()
    assert [m.code for m in cat.majors()] == ["01", "06"]
    assert [m.code for m in cat.majors("event")] == ["06"]
    assert [c.code for c in cat.minors("06")] == ["06010", "06012"]
    assert cat.category("06012").name == "道路不洁"
    assert cat.category("06012").minor_code == "012"
    assert [c.code for c in cat.conditions_for("06010")] == ["0601001"]
    assert cat.condition("0100101").limit_for() == "6h"
    with pytest.raises(CatalogueError, match="unknown category code '99999'"):
        cat.category("99999")
    with pytest.raises(CatalogueError, match="unknown major class '42'"):
        cat.minors("42")
    with pytest.raises(CatalogueError, match="unknown filing condition 'nope'"):
        cat.condition("nope")
    with pytest.raises(CatalogueError, match="unknown category code '99999'"):
        cat.conditions_for("99999")


def test_search_chinese_and_code():
    cat = small()
    assert [c.code for c in cat.search("垃圾")] == ["06010"]
    assert [c.code for c in cat.search("0601")] == ["06010", "06012"]
    assert [c.code for c in cat.search("道路不洁")] == ["06012"]
    assert cat.search("   ") == []
    assert [c.code for c in cat.search("井盖", kind="component")] == ["01001"]


def test_validate_reports_every_problem_by_code():
    cats = [
        Category("06010", "event", "06", "市容环境类", "暴露垃圾"),
        Category("06010", "event", "06", "市容环境类", "暴露垃圾2"),
        Category("06011", "event", "06", "市容环境类", "积存垃圾渣土"),
    ]
    conds = [
        FilingCondition("c1", "06010", "a", {"normal": "4wh"}),
        FilingCondition("c1", "06010", "b", {"normal": "4wh"}),
        FilingCondition("c2", "09999", "c", {"normal": "4wh"}),
    ]
    cat = Catalogue("bad", "x", cats, conds)
    problems = cat.problems()
    assert "duplicate category code '06010' (event)" in problems
    assert "duplicate filing condition code 'c1'" in problems
    assert "filing condition 'c2' references unknown category '09999'" in problems
    assert "category '06011' (积存垃圾渣土) has no filing condition" in problems
    with pytest.raises(CatalogueError, match=r"catalogue 'bad' is invalid \(4 problems\)"):
        cat.validate()


def test_validate_major_with_two_names():
    cats = [Category("06010", "event", "06", "市容环境类", "暴露垃圾"),
            Category("06011", "event", "06", "市容类", "积存垃圾渣土")]
    problems = Catalogue("v", "x", cats).problems(require_conditions=False)
    assert any("major class '06' (event) has several names" in p for p in problems)


def test_json_round_trip(tmp_path):
    cat = small()
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cat.to_json_dict(), ensure_ascii=False), encoding="utf-8")
    back = load_catalogue(path)
    assert back.to_json_dict() == cat.to_json_dict()
    assert set(back.categories) == set(cat.categories)
    assert back.condition("0100101") == cat.condition("0100101")


def test_load_catalogue_errors_name_file_and_place(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(CatalogueError, match="cannot read catalogue file"):
        load_catalogue(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "x",\n  oops}', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken.json: line 2"):
        load_catalogue(broken)
    doc = small().to_json_dict()
    doc["majors"][1]["categories"][0]["conditions"][0]["limits"]["normal"] = "4 hours"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"majors\[1\]\.categories\[0\]\.conditions\[0\].*'4 hours'"):
        load_catalogue(bad)
    del doc["majors"][0]["categories"][0]["name"]
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"majors\[0\]\.categories\[0\]: missing 'name'"):
        load_catalogue(bad)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "other", "majors": []}), encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown format 'other'"):
        load_catalogue(wrong)


def test_load_catalogue_validates(tmp_path):
    doc = small().to_json_dict()
    doc["majors"][0]["categories"][0]["conditions"] = []
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogueError, match="category '01001' .* has no filing condition"):
        load_catalogue(path)
    assert len(load_catalogue(path, validate=False).conditions) == 2


# ------------------------------------------------------------------ national CSV


def test_national_csv():
    nat = load_standard_csv(CSV).validate(require_conditions=False)
    assert nat.standard_ref == "GB/T 47678.5-2026"
    assert len([c for c in nat.categories if c.kind == "component"]) == 153
    assert len([c for c in nat.categories if c.kind == "event"]) == 250
    assert nat.category("06010").name == "暴露垃圾"
    assert nat.category("01001", "component").name == "供水井盖"
    assert nat.category("01001", "event").name == "供水井盖异常"
    with pytest.raises(CatalogueError, match="'01001' is ambiguous"):
        nat.category("01001")
    assert len(load_standard_csv(CSV, kind="component").categories) == 153


def test_national_csv_errors(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("kind,code,name\ncomponent,01001,x\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="missing columns"):
        load_standard_csv(path)
    path.write_text("kind,code,major_code,major_name,name\ncomponent,1001,01,a,b\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"n.csv row 2: category '1001'"):
        load_standard_csv(path)
    path.write_text("kind,code,major_code,major_name,name\nthing,01001,01,a,b\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"row 2: unknown kind 'thing'"):
        load_standard_csv(path)


# ------------------------------------------------------------------ the demo city


def test_demo_city_size(demo):
    assert len(demo.majors()) == 13
    assert len(demo.categories) == 217
    assert demo.standard_ref == "GB/T 47678.5-2026"
    assert demo.extension and "地方扩展" in demo.extension
    assert [m.code for m in demo.majors()] == [f"{i:02d}" for i in range(1, 14)]
    assert {m.kind for m in demo.majors()[:5]} == {"component"}
    assert {m.kind for m in demo.majors()[5:]} == {"event"}
    assert [m.local for m in demo.majors()] == [False] * 10 + [True] * 3


def test_demo_city_codes_unique_and_conditions(demo):
    assert demo.problems() == []
    assert len({c.code for c in demo.categories}) == 217
    for cat in demo.categories:
        conds = demo.conditions_for(cat.code)
        assert 1 <= len(conds) <= 3, cat.code
        for cond in conds:
            assert cond.default_urgency in cond.limits


def test_demo_city_national_rows_match_the_standard(demo):
    nat = load_standard_csv(CSV)
    for cat in demo.categories:
        if not cat.local:
            assert nat.category(cat.code, cat.kind) == cat


@pytest.mark.parametrize("category, needle, urgency, limit", [
    ("06010", "主次干道", "normal", "4wh"),      # 暴露垃圾
    ("06012", "主次干道", "normal", "2wh"),      # 道路不洁
    ("06001", "私搭乱建", "normal", "15wd"),     # 私搭乱建
    ("01001", "缺失", "urgent", "6h"),           # 井盖缺失
    ("06025", "漂浮物", "normal", "15wd"),       # 水域不洁
    ("06011", "积存垃圾渣土", "normal", "4wd"),   # 积存垃圾渣土
    ("13002", "积水", "normal", "4wh"),          # 路面积水
])
def test_demo_city_published_limits(demo, category, needle, urgency, limit):
    cond = next(c for c in demo.conditions_for(category) if needle in c.text)
    assert cond.limit_for(urgency) == limit


def test_demo_json_is_what_the_builder_produces():
    spec = importlib.util.spec_from_file_location("build_demo_catalogue", RES / "build_demo_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    assert module.render() == DEMO.read_text(encoding="utf-8")


def test_rules_json():
    rules = json.loads((RES / "rules.json").read_text(encoding="utf-8"))
    assert rules["step_limits"] == {
        "intake": "30wmin", "verify": "60wmin", "file": "30wmin", "dispatch": "30wmin",
        "check": "60wmin", "close": "30wmin", "supervise_reply": "1wd",
    }
    for limit in rules["step_limits"].values():
        check_limit(limit)
    assert rules["lights"] == {"yellow": 0.8, "red": 1.0}
