"""The ingest against real values of the 2023 report (泸州市公安局交通警察支队 2023年度单位决算)."""

from __future__ import annotations

import pytest

# Indicator rows per project table, in report order, counted in the report text.
INDICATORS_PER_PROJECT = [12, 26, 30, 21, 28, 49, 42, 29, 26, 30, 34, 25, 18, 12, 14, 22, 0]


def test_headline_totals(fact):
    assert fact("total_expenditure")[0] == pytest.approx(17211.32)
    assert fact("total_income")[0] == pytest.approx(17211.32)
    assert fact("fiscal_appropriation_income")[0] == pytest.approx(17211.32)
    assert fact("total_expenditure_change")[0] == pytest.approx(-889.32)
    assert fact("total_expenditure_change_pct")[0] == pytest.approx(-0.049)
    assert fact("budget_completion_rate")[0] == pytest.approx(0.75)


def test_prior_year_total_is_derived_from_the_stated_change(fact):
    value, row = fact("total_expenditure", 2022)
    assert value == pytest.approx(18100.64)
    assert bool(row["derived"]) is True
    assert row["source_line"] == 10
    # The evaluation annex states the 2022 budget outright: not derived.
    value, row = fact("expenditure_budget_adjusted", 2022)
    assert value == pytest.approx(18100.64) and bool(row["derived"]) is False and row["source_line"] == 143


def test_basic_spending_is_personnel_plus_public(fact):
    basic, row = fact("basic_expenditure")
    assert basic == pytest.approx(8396.90) and row["source_line"] == 26
    assert fact("personnel_expenditure")[0] == pytest.approx(7399.67)
    assert fact("public_expenditure")[0] == pytest.approx(997.23)
    assert fact("project_expenditure")[0] == pytest.approx(8814.42)
    assert fact("basic_expenditure_share")[0] == pytest.approx(0.488)


def test_three_public_spending(fact):
    assert fact("three_public_total")[0] == pytest.approx(617.37)
    assert fact("vehicle_purchase")[0] == pytest.approx(447.37)
    assert fact("vehicle_operation")[0] == pytest.approx(170)
    assert fact("overseas_travel")[0] == 0 and fact("official_reception")[0] == 0
    assert fact("three_public_change_pct")[0] == pytest.approx(2.429)
    prior, row = fact("three_public_total", 2022)
    assert prior == pytest.approx(180.0) and bool(row["derived"])
    assert fact("vehicles_bought_patrol")[0] == 15 and fact("motorcycles_bought")[0] == 38


def test_fleet_staff_procurement_assets(fact):
    assert fact("fleet_total")[0] == 112
    assert [fact(k)[0] for k in ("fleet_sedan", "fleet_suv", "fleet_small_bus", "fleet_medium_large_bus",
                                 "fleet_other_type")] == [40, 2, 2, 1, 67]
    assert fact("fleet_law_enforcement")[0] == 82 and fact("fleet_other_use")[0] == 30
    assert fact("staff_police")[0] == 159 and fact("staff_auxiliary_police")[0] == 432
    assert fact("procurement_total")[0] == pytest.approx(4444.82)
    assert fact("procurement_goods")[0] == pytest.approx(3704.38)
    assert fact("procurement_services")[0] == pytest.approx(740.44)
    assert fact("sme_contracts")[0] == pytest.approx(3995.58)
    assert fact("small_micro_contracts")[0] == pytest.approx(3804.61)
    assert fact("fixed_assets")[0] == pytest.approx(28002.22)
    assert fact("intangible_assets")[0] == pytest.approx(357.24)
    assert fact("agency_operating_expenditure")[0] == pytest.approx(997.23)


def test_every_required_metric_is_present(tables):
    required = {"total_income", "total_expenditure", "fiscal_appropriation_income", "basic_expenditure",
                "project_expenditure", "personnel_expenditure", "public_expenditure", "three_public_total",
                "overseas_travel", "vehicle_purchase_operation", "vehicle_purchase", "vehicle_operation",
                "official_reception", "agency_operating_expenditure", "procurement_total", "procurement_goods",
                "procurement_services", "sme_contracts", "small_micro_contracts", "fixed_assets",
                "intangible_assets", "budget_completion_rate"}
    assert required <= set(tables["facts"]["metric"])


def test_functional_classification(tables):
    fc = tables["functional_classification"]
    classes = fc[fc["level"] == "类"].set_index("class_zh")
    assert classes.loc["公共安全支出", "amount"] == pytest.approx(15737.52)
    assert classes.loc["公共安全支出", "reported_share"] == pytest.approx(0.912)
    items = fc[fc["level"] == "项"].set_index("item_zh")
    assert len(items) == 10
    assert items.loc["执法办案", "amount"] == pytest.approx(819.04)
    assert items.loc["执法办案", "completion_rate"] == pytest.approx(0.376)
    assert items.loc["执法办案", "note"].startswith("本年度省级转移支付部分资金")
    assert items.loc["执法办案", "source_line"] == 43


def test_seventeen_projects_with_their_budget_figures(tables):
    projects = tables["projects"]
    assert len(projects) == 17
    assert projects[["budget_initial", "budget_adjusted", "executed", "execution_rate_reported"]].notna().all().all()
    first = projects.iloc[0]
    assert (first["project_code"], first["project_name"]) == ("51050022T000000367054", "辅警经费")
    assert (first["budget_initial"], first["budget_adjusted"], first["executed"]) == (2808.00, 2879.25, 2879.25)
    building = projects.set_index("project_name").loc["二大队业务技术用房新建项目"]
    assert (building["budget_initial"], building["budget_adjusted"], building["executed"]) == (1000.0, 920.0, 518.61)
    assert building["execution_rate_reported"] == pytest.approx(0.5637)
    assert building["budget_score"] == pytest.approx(5.64) and building["total_score"] == pytest.approx(88.11)
    assert building["shortfall_reason"] == "前期报规报建手续繁杂，招投标过程周期长"
    # The form's own instructions in the 原因 cell are not a reason.
    assert first["shortfall_reason"] == ""
    # A goal/completion row split by a blank line inside a cell is put back together.
    assert building["goal_completion"].startswith("1、完成了项目前期立项文件")


def test_indicator_counts_per_project(tables):
    counts = tables["indicators"].groupby("project_code").size()
    assert [int(counts.get(code, 0)) for code in tables["projects"]["project_code"]] == INDICATORS_PER_PROJECT


def test_merged_indicator_cells_inherit_the_names_above(tables):
    ind = tables["indicators"].set_index("source_line")
    row = ind.loc[5829]  # name cell empty (row from line 5824) under 监控杆件 ≥7470 元/套 (line 5815): ≤18900 元/套
    assert (row["level1"], row["indicator"], row["operator"], row["target_value"], row["unit"]) == (
        "成本指标", "监控杆件", "≤", 18900.0, "元/套")
    assert bool(row["name_inherited"]) and not bool(row["name_missing"])
    first = ind.loc[296]  # the row starts on line 291; its 指标值 432 is on line 296
    assert (first["indicator"], first["operator_symbol"], first["target_value"], first["weight"]) == (
        "聘请辅警人数", "=", 432.0, 5.0)
    assert not bool(first["name_inherited"])


def test_a_name_is_not_inherited_when_the_unit_says_otherwise(tables):
    """Indicator 15 of 道路交通管理综合经费 (row from line 730, figures 10 人次 on lines 735-736) has
    no name; the name above, 交通参与者满意度, is a rate in %. It stays blank and flagged."""
    ind = tables["indicators"].set_index("source_line")
    row = ind.loc[735]
    assert (row["indicator_no"], row["indicator"], row["unit"], row["target_value"]) == (15, "", "人次", 10.0)
    assert bool(row["name_missing"]) and not bool(row["name_inherited"])
    assert row["operator"] == ""  # an operator is never carried down with the name
    # The same in 道路交通事故处理业务项目: 0 人次 (line 3073) under 法医检验鉴定, counted in 次.
    assert (ind.loc[3073, "indicator"], bool(ind.loc[3073, "name_missing"])) == ("", True)
    assert int(tables["indicators"]["name_missing"].sum()) == 2


def test_funding_rows(tables):
    funding = tables["project_funding"]
    assert len(funding) == 17 * 4
    by_project = funding.groupby("project_code")[["budget_adjusted", "executed"]].sum()
    projects = tables["projects"].set_index("project_code")
    assert by_project["executed"].to_dict() == pytest.approx(projects["executed"].to_dict())
    managed = funding[(funding["project_code"] == "51050023T000008367850") & (funding["source_zh"] == "单位资金")]
    assert managed.iloc[0]["executed"] == pytest.approx(37.38)  # 代管资金 is spent from 单位资金


def test_glossary_and_unconsumed_lines(tables):
    glossary = tables["glossary"]
    assert len(glossary) == 26 and glossary.iloc[17]["term_zh"] == "“三公”经费"
    unconsumed = tables["unconsumed_lines"]
    debris = unconsumed[unconsumed["kind"] == "chart_image_debris"]
    assert list(debris["source_line"]) == [13, 15, 16]
    assert "figures_not_extracted" not in set(unconsumed["kind"])


def test_projects_named_in_the_prose(tables):
    named = tables["named_projects"]
    # line 86: 组织对辅警经费、…、城乡社区道路交通及配套设施支出等16个项目开展了预算事前绩效评估 (12 names)
    evaluated = named[named["list"] == "performance_evaluated"]
    assert list(evaluated["project_name"]) == [
        "辅警经费", "道路交通管理综合经费", "交通安全宣传项目", "物业管理项目", "车驾管业务项目",
        "道路交通管理业务系统建设项目", "道路交通管理设施设备维保服务项目", "道路交通组织优化项目",
        "办公场所维修改造项目", "道路交通事故处理业务项目", "道路交通安全隐患排查及综合治理项目",
        "城乡社区道路交通及配套设施支出"]
    assert set(evaluated["source_line"]) == {86}
    # line 81: 政府采购支出 主要用于物业管理项目、…、道路交通安全隐患排查及综合治理项目等项目 (8 names)
    procured = named[named["list"] == "government_procurement"]
    assert len(procured) == 8 and set(procured["source_line"]) == {81}
    assert procured.iloc[0]["project_name"] == "物业管理项目"
    assert procured.iloc[-1]["project_name"] == "道路交通安全隐患排查及综合治理项目"


def test_every_value_points_at_its_line(tables, report_lines):
    facts = tables["facts"]
    for _, row in facts[~facts["derived"]].iterrows():
        line = report_lines[row["source_line"] - 1]
        assert row["source_line"] > 0 and line.strip(), row["metric"]
    ind = tables["indicators"]
    for _, row in ind.iterrows():  # the line that holds the row's first figure, not the empty row start
        first = next(row[c] for c in ("target", "actual", "weight", "score") if str(row[c]).strip())
        assert report_lines[row["source_line"] - 1].strip() == str(first).strip() or \
            float(report_lines[row["source_line"] - 1]) == float(first), row["source_line"]


def test_utf16_report_reads_like_utf8(report_path, tmp_path, tidy_dir):
    from helpers.data.ingest import ingest

    # utf-16 writes a little-endian byte-order mark; the big-endian copy gets one by hand; utf-16-le has none.
    for encoding in ("utf-16", "utf-16-be", "utf-16-le"):
        copy = tmp_path / encoding / report_path.name
        copy.parent.mkdir()
        raw = report_path.read_text(encoding="utf-8").encode(encoding)
        copy.write_bytes(b"\xfe\xff" + raw if encoding == "utf-16-be" else raw)
        ingest([copy], tmp_path / encoding / "tidy")
        for name in ("facts", "projects", "indicators"):
            assert (tmp_path / encoding / "tidy" / f"{name}.csv").read_bytes() == (
                tidy_dir / f"{name}.csv"
            ).read_bytes()
