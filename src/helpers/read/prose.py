"""Take the figures out of the report's prose sections.

Each figure is found by a rule: the section it sits in, a sentence pattern with named groups, and for
each group the stable English metric it fills. Patterns are written against the normalised text (see
`normalize`) and built from the template's phrase tables (rules/phrases.csv: comparison words such as
与2022年度相比 / 与上年相比 / 较上年度, change words with their sign); sections are found by their titles
(rules/sections.csv) in any heading style (rules/headings.csv). A sentence broken across lines is joined
within its section before matching.

Nothing is dropped silently: every number of the prose either fills a fact or is listed in
unconsumed_lines with its section, also when it stands on a line another rule used. A figure the
notebooks need (rules/required_figures.csv) that no sentence gave is an error naming its section.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from helpers.errors import ReportError
from helpers.read.decode import Report
from helpers.read.normalize import Normalized, normalize, rules_table
from helpers.read.numbers import parse_amount, parse_count, parse_rate

SECTIONS: list[tuple[str, str]] = [(row["section"], row["title"]) for row in rules_table("sections")]
SECTION_LABELS = {row["section"]: row["label_zh"] for row in rules_table("sections")}
HEADING_PREFIX = "|".join(f"(?:{row['prefix']})" for row in rules_table("headings"))
HEADING_MAX_CHARS = 40  # a heading is a short line; a longer one starting with a title is a sentence

NUM = r"([-+]?[\d,]+(?:\.\d+)?)"
PCT = r"([-+]?[\d.]+)%"
PHRASES = rules_table("phrases")
CHANGE_SIGN = {row["phrase"]: int(row["sign"]) for row in PHRASES if row["token"] == "change"}
CHANGE = "(" + "|".join(CHANGE_SIGN) + ")"  # the word that gives a change its sign (one group)
COMPARE = "(?:" + "|".join(row["phrase"] for row in PHRASES if row["token"] == "compare") + ")"
COMPARE_OPT = COMPARE + "?"


@dataclass(frozen=True)
class Metric:
    """What one pattern group fills: a metric key, its unit and its Chinese label."""

    key: str
    unit: str
    label_zh: str
    kind: str = "amount"          # amount | rate | count
    sign_group: int | None = None  # group whose change word (rules/phrases.csv) gives the value its sign
    year_offset: int = 0          # -1 for a prior-year figure stated outright


@dataclass(frozen=True)
class Rule:
    section: str
    pattern: re.Pattern[str]
    metrics: dict[int, Metric]
    required: bool = False
    occurrence: int = 1  # which match within the section (1 = first)
    explains: str = ""   # metric whose stated reason (主要原因) follows the figures on the same line


def rule(section: str, pattern: str, *metrics: Metric | None, required: bool = False,
         occurrence: int = 1, explains: str = "") -> Rule:
    """Build a rule whose regex groups 1..n fill `metrics` in order (None skips a group)."""
    return Rule(section, re.compile(pattern),
                {i: m for i, m in enumerate(metrics, start=1) if m is not None}, required, occurrence, explains)


def A(key: str, label: str, **kw) -> Metric:
    return Metric(key, "万元", label, "amount", **kw)


def P(key: str, label: str, **kw) -> Metric:
    return Metric(key, "ratio", label, "rate", **kw)


def C(key: str, label: str, unit: str, **kw) -> Metric:
    return Metric(key, unit, label, "count", **kw)


RULES: list[Rule] = [
    rule("profile", rf"下属二级单位{NUM}个", C("subordinate_units", "下属二级单位", "个")),
    rule("evaluation", rf"直属{NUM}个交警大队为报账制单位", C("direct_brigades", "直属交警大队", "个")),
    rule("totals", rf"收、支总计均为{NUM}万元，{COMPARE}{CHANGE}{NUM}万元，{COMPARE_OPT}{CHANGE}{PCT}",
         A("total_income_expenditure", "收、支总计"), None,
         A("total_expenditure_change", "收、支总计比上年增减", sign_group=2), None,
         P("total_expenditure_change_pct", "收、支总计比上年增减幅度", sign_group=4), required=True,
         explains="total_expenditure_change"),
    rule("income", rf"本年收入合计{NUM}万元", A("total_income", "本年收入合计"), required=True),
    rule("income", rf"一般公共预算财政拨款收入{NUM}万元，占{PCT}",
         A("fiscal_appropriation_income", "一般公共预算财政拨款收入"),
         P("fiscal_appropriation_income_share", "一般公共预算财政拨款收入占比"), required=True),
    rule("expenditure", rf"本年支出合计{NUM}万元", A("total_expenditure", "本年支出合计"), required=True),
    rule("expenditure", rf"基本支出{NUM}万元，占{PCT}",
         A("basic_expenditure", "基本支出"), P("basic_expenditure_share", "基本支出占比"), required=True),
    rule("expenditure", rf"项目支出{NUM}万元，占{PCT}",
         A("project_expenditure", "项目支出"), P("project_expenditure_share", "项目支出占比"), required=True),
    rule("fiscal_totals", rf"收、支总计均为{NUM}万元，{COMPARE}{CHANGE}{NUM}万元，{COMPARE_OPT}{CHANGE}{PCT}",
         A("fiscal_total", "财政拨款收、支总计"), None,
         A("fiscal_total_change", "财政拨款收、支总计比上年增减", sign_group=2), None,
         P("fiscal_total_change_pct", "财政拨款收、支总计比上年增减幅度", sign_group=4)),
    rule("general_budget", rf"一般公共预算财政拨款支出{NUM}万元，{COMPARE}{CHANGE}{NUM}万元，{COMPARE_OPT}{CHANGE}{PCT}",
         A("general_budget_expenditure", "一般公共预算财政拨款支出"), None,
         A("general_budget_expenditure_change", "一般公共预算财政拨款支出比上年增减", sign_group=2), None,
         P("general_budget_expenditure_change_pct", "一般公共预算财政拨款支出比上年增减幅度", sign_group=4)),
    rule("general_budget", rf"一般公共预算支出决算数为{NUM}万元，完成预算{PCT}",
         A("general_budget_final", "一般公共预算支出决算数"),
         P("budget_completion_rate", "一般公共预算支出完成预算"), required=True),
    rule("basic", rf"基本支出{NUM}万元", A("basic_expenditure_fiscal", "一般公共预算财政拨款基本支出")),
    rule("basic", rf"人员经费{NUM}万元", A("personnel_expenditure", "人员经费"), required=True),
    rule("basic", rf"公用经费{NUM}万元", A("public_expenditure", "公用经费"), required=True),
    rule("three_public", rf"“三公”经费财政拨款支出决算为{NUM}万元，完成预算{PCT}，{COMPARE}{CHANGE}{NUM}万元，{COMPARE_OPT}{CHANGE}{PCT}",
         A("three_public_total", "“三公”经费财政拨款支出"),
         P("three_public_completion_rate", "“三公”经费完成预算"), None,
         A("three_public_change", "“三公”经费比上年增减", sign_group=3), None,
         P("three_public_change_pct", "“三公”经费比上年增减幅度", sign_group=5), required=True,
         explains="three_public_completion_rate"),
    rule("three_public", rf"因公出国（境）费支出决算{NUM}万元，占{PCT}；公务用车购置及运行维护费支出决算{NUM}万元，占{PCT}；公务接待费支出决算{NUM}万元，占{PCT}",
         A("overseas_travel", "因公出国（境）费"), P("overseas_travel_share", "因公出国（境）费占比"),
         A("vehicle_purchase_operation", "公务用车购置及运行维护费"),
         P("vehicle_purchase_operation_share", "公务用车购置及运行维护费占比"),
         A("official_reception", "公务接待费"), P("official_reception_share", "公务接待费占比"), required=True),
    rule("three_public", rf"因公出国（境）经费支出{NUM}万元，完成预算{PCT}。全年安排因公出国（境）团组{NUM}次，出国（境）{NUM}人",
         A("overseas_travel_detail", "因公出国（境）经费支出"),
         P("overseas_travel_completion_rate", "因公出国（境）经费完成预算"),
         C("overseas_groups", "因公出国（境）团组", "次"), C("overseas_persons", "出国（境）人数", "人"),
         explains="overseas_travel"),
    rule("three_public", rf"公务用车购置及运行维护费支出{NUM}万元，完成预算{PCT}",
         A("vehicle_purchase_operation_detail", "公务用车购置及运行维护费支出"),
         P("vehicle_purchase_operation_completion_rate", "公务用车购置及运行维护费完成预算")),
    rule("three_public", rf"公务用车购置及运行维护费支出决算{COMPARE}{CHANGE}{NUM}万元，{COMPARE_OPT}{CHANGE}{PCT}",
         None, A("vehicle_purchase_operation_change", "公务用车购置及运行维护费比上年增减", sign_group=1), None,
         P("vehicle_purchase_operation_change_pct", "公务用车购置及运行维护费比上年增减幅度", sign_group=3),
         explains="vehicle_purchase_operation_change"),
    rule("three_public", rf"新购执勤执法车辆{NUM}辆、警用摩托车{NUM}辆",
         C("vehicles_bought_patrol", "新购执勤执法车辆", "辆"), C("motorcycles_bought", "新购警用摩托车", "辆")),
    rule("three_public", rf"公务用车购置支出{NUM}万元", A("vehicle_purchase", "公务用车购置支出"), required=True),
    rule("three_public", rf"更新购置公务用车{NUM}辆，其中：轿车{NUM}辆、金额{NUM}万元，其他车型{NUM}辆，金额{NUM}万元",
         C("vehicles_bought", "更新购置公务用车", "辆"), C("vehicles_bought_sedan", "购置轿车", "辆"),
         A("vehicle_purchase_sedan", "购置轿车金额"), C("vehicles_bought_other", "购置其他车型", "辆"),
         A("vehicle_purchase_other", "购置其他车型金额")),
    rule("three_public", rf"公务用车运行维护费支出{NUM}万元", A("vehicle_operation", "公务用车运行维护费支出"), required=True),
    rule("three_public", rf"公务接待费支出{NUM}万元，完成预算{PCT}",
         A("official_reception_detail", "公务接待费支出"), P("official_reception_completion_rate", "公务接待费完成预算"),
         explains="official_reception"),
    rule("three_public", rf"国内公务接待{NUM}批次，{NUM}人，共计支出{NUM}万元",
         C("domestic_reception_batches", "国内公务接待批次", "批次"), C("domestic_reception_persons", "国内公务接待人数", "人"),
         A("domestic_reception", "国内公务接待支出")),
    rule("three_public", rf"外事接待{NUM}批次，{NUM}人，共计支出{NUM}万元",
         C("foreign_reception_batches", "外事接待批次", "批次"), C("foreign_reception_persons", "外事接待人数", "人"),
         A("foreign_reception", "外事接待支出")),
    rule("government_fund", rf"政府性基金预算财政拨款支出{NUM}万元", A("government_fund_expenditure", "政府性基金预算财政拨款支出")),
    rule("state_capital", rf"国有资本经营预算财政拨款支出{NUM}万元", A("state_capital_expenditure", "国有资本经营预算财政拨款支出")),
    rule("other_matters", rf"机关运行经费支出{NUM}万元，{COMPARE}{CHANGE}{NUM}万元，{COMPARE_OPT}{CHANGE}{PCT}",
         A("agency_operating_expenditure", "机关运行经费"), None,
         A("agency_operating_expenditure_change", "机关运行经费比上年增减", sign_group=2), None,
         P("agency_operating_expenditure_change_pct", "机关运行经费比上年增减幅度", sign_group=4), required=True,
         explains="agency_operating_expenditure_change"),
    rule("other_matters", rf"政府采购支出总额{NUM}万元，其中：政府采购货物支出{NUM}万元、政府采购服务支出{NUM}万元",
         A("procurement_total", "政府采购支出总额"), A("procurement_goods", "政府采购货物支出"),
         A("procurement_services", "政府采购服务支出"), required=True),
    rule("other_matters", rf"授予中小企业合同金额{NUM}万元，占政府采购支出总额的{PCT}，其中：授予小微企业合同金额{NUM}万元，占政府采购支出总额的{PCT}",
         A("sme_contracts", "授予中小企业合同金额"), P("sme_contracts_share", "中小企业合同占政府采购支出总额"),
         A("small_micro_contracts", "授予小微企业合同金额"),
         P("small_micro_contracts_share", "小微企业合同占政府采购支出总额"), required=True),
    rule("other_matters", rf"共有车辆{NUM}辆，其中：执法执勤用车{NUM}辆，其他用车{NUM}辆",
         C("vehicles_total", "车辆总数（资产）", "辆"), C("fleet_law_enforcement", "执法执勤用车", "辆"),
         C("fleet_other_use", "其他用车", "辆")),
    rule("other_matters", rf"单价50万元以上通用设备{NUM}台（套），单价100万元以上专用设备（不含车辆）{NUM}套",
         C("equipment_general_over_50", "单价50万元以上通用设备", "台（套）"),
         C("equipment_special_over_100", "单价100万元以上专用设备（不含车辆）", "套")),
    rule("other_matters", rf"对{NUM}个项目编制了绩效目标，预算执行过程中，选取{NUM}个项目开展绩效监控，组织对个?{NUM}个?项目开展绩效自评",
         C("projects_with_targets", "编制绩效目标的项目数", "个"), C("projects_monitored", "开展绩效监控的项目数", "个"),
         C("projects_self_evaluated", "开展绩效自评的项目数", "个")),
    rule("other_matters", rf"等{NUM}个项目开展了预算事前绩效评估",
         C("projects_prior_assessed", "开展预算事前绩效评估的项目数", "个")),
    rule("evaluation", rf"现有警察{NUM}人，公务员{NUM}人，机关工勤人员{NUM}人，聘用辅警{NUM}人，退休人员{NUM}人。与去年相比，新进{NUM}人，在职民警有{NUM}人退休",
         C("staff_police", "警察", "人"), C("staff_civil_servants", "公务员", "人"),
         C("staff_workers", "机关工勤人员", "人"), C("staff_auxiliary_police", "聘用辅警", "人"),
         C("staff_retired", "退休人员", "人"), C("staff_joined", "新进人员", "人"),
         C("staff_police_retired_in_year", "在职民警退休", "人")),
    rule("evaluation", rf"收入年初预算为{NUM}万元，调整后全年财政下达预算{NUM}万元，与\d{{4}}年全年财政下达预算{NUM}万元相比，{CHANGE}{NUM}万元，{CHANGE}{PCT}",
         A("income_budget_initial", "收入年初预算"), A("income_budget_adjusted", "调整后全年财政下达预算（收入）"),
         A("income_budget_adjusted", "上年全年财政下达预算（收入）", year_offset=-1), None,
         A("income_budget_change", "财政下达预算比上年增减（收入）", sign_group=4), None,
         P("income_budget_change_pct", "财政下达预算比上年增减幅度（收入）", sign_group=6)),
    rule("evaluation", rf"支出年初预算为{NUM}万元，调整后全年财政下达预算{NUM}万元，与\d{{4}}年全年财政下达预算{NUM}万元相比，{CHANGE}{NUM}万元，{CHANGE}{PCT}",
         A("expenditure_budget_initial", "支出年初预算"), A("expenditure_budget_adjusted", "调整后全年财政下达预算（支出）"),
         A("expenditure_budget_adjusted", "上年全年财政下达预算（支出）", year_offset=-1), None,
         A("expenditure_budget_change", "财政下达预算比上年增减（支出）", sign_group=4), None,
         P("expenditure_budget_change_pct", "财政下达预算比上年增减幅度（支出）", sign_group=6),
         explains="expenditure_budget_change"),
    rule("evaluation", rf"1至6月预算执行{PCT}、1至10月预算执行{PCT}",
         P("execution_progress_june", "1至6月预算执行"), P("execution_progress_october", "1至10月预算执行")),
    rule("evaluation", rf"自用固定资产{NUM}万元，占账面固定资产总额的{PCT}，其中：在用{NUM}万元，占账面固定资产总额的{PCT}；闲置{NUM}万元，占账面固定资产总额的{PCT}；待处置（待报废、毁损等）{NUM}万元",
         A("fixed_assets", "自用固定资产"), None, A("fixed_assets_in_use", "在用固定资产"), None,
         A("fixed_assets_idle", "闲置固定资产"), None, A("fixed_assets_pending_disposal", "待处置固定资产"),
         required=True),
    rule("evaluation", rf"自用无形资产{NUM}万元，占账面无形资产总额的{PCT}；其中在用{NUM}万元，占账面无形资产总额的{PCT}；闲置{NUM}万元，占账面无形资产总额的{PCT}；待处置（待报废、毁损等）{NUM}万元",
         A("intangible_assets", "自用无形资产"), None, A("intangible_assets_in_use", "在用无形资产"), None,
         A("intangible_assets_idle", "闲置无形资产"), None, A("intangible_assets_pending_disposal", "待处置无形资产"),
         required=True),
    # The evaluation report repeats the SME figures of 十、其他重要事项 word for word: matched so the
    # line counts as consumed, stored under its own keys so the audit can compare the two.
    rule("evaluation", rf"授予中小企业合同金额{NUM}万元，占政府采购支出总额的{PCT}，其中：授予小微企业合同金额{NUM}万元，占政府采购支出总额的{PCT}",
         A("sme_contracts_evaluation", "授予中小企业合同金额（评价报告）"), None,
         A("small_micro_contracts_evaluation", "授予小微企业合同金额（评价报告）")),
    rule("evaluation", rf"常年项目绩效分析。该类项目总数{NUM}个，.*?预算执行总体进度为{PCT}，其中：预算结余率大于10%的项目共计\s*{NUM}个",
         C("recurring_projects", "常年项目总数", "个"), P("recurring_projects_execution", "常年项目预算执行总体进度"),
         C("recurring_projects_over_10pct_balance", "预算结余率大于10%的项目", "个")),
    rule("evaluation", rf"阶段（一次性）项目绩效分析。该类项目总数{NUM}个，涉及预算总金额{NUM}万元，1—12月预算执行总体进度为{PCT}",
         C("one_off_projects", "阶段（一次性）项目总数", "个"), A("one_off_projects_budget", "阶段（一次性）项目预算总金额"),
         P("one_off_projects_execution", "阶段（一次性）项目预算执行总体进度")),
]

# Prior-year figures that follow from a stated change: value_prior = value - change.
DERIVED_PRIOR = [
    ("total_expenditure", "total_income_expenditure", "total_expenditure_change", "上年收、支总计（由增减额推算）"),
    ("total_income", "total_income_expenditure", "total_expenditure_change", "上年收入合计（由增减额推算）"),
    ("general_budget_expenditure", "general_budget_expenditure", "general_budget_expenditure_change",
     "上年一般公共预算财政拨款支出（由增减额推算）"),
    ("three_public_total", "three_public_total", "three_public_change", "上年“三公”经费（由增减额推算）"),
    ("vehicle_purchase_operation", "vehicle_purchase_operation", "vehicle_purchase_operation_change",
     "上年公务用车购置及运行维护费（由增减额推算）"),
    ("agency_operating_expenditure", "agency_operating_expenditure", "agency_operating_expenditure_change",
     "上年机关运行经费（由增减额推算）"),
]

# The fleet sentence lists vehicle types (rules/fleet_types.csv) in any number and order.
FLEET_LINE = re.compile(rf"单位共有公务用车{NUM}辆，其中：(?P<list>.+?)(?:。|$)")
FLEET_PART = re.compile(rf"(?P<type>[^\d、，；。]+?){NUM}辆")
FLEET_TYPES = {row["type_zh"]: row["metric"] for row in rules_table("fleet_types")}
FLEET_LABELS = {"fleet_sedan": "轿车", "fleet_suv": "越野车", "fleet_small_bus": "小型客车",
                "fleet_medium_large_bus": "中型客车和大型客车", "fleet_other_type": "其他车型"}

CLASS_LINE = re.compile(r"主要用于以下方面：(.+)$")
CLASS_PART = re.compile(rf"^(?P<cls>[^\d，；]+?){NUM}万元，占{PCT}")
ITEM_LINE = re.compile(
    rf"^\s*(?:\d+\.\s*)?(?P<cls>[^（]+?)（类）(?P<cat>[^（]+?)（款）\s*(?P<item>[^（]+?)（项）\s*：\s*"
    rf"支出决算为{NUM}万元，完成预算{PCT}[，。]?(?P<note>.*)$")
GLOSSARY_LINE = re.compile(r"^\s*(?:（(?P<bracketed>\d+)）|(?P<no>\d+)\s*[、.])\s*(?P<term>[^：]+?)\s*：\s*(?P<definition>.+?)\s*$")
STATED_REASON = re.compile(r"(?:决算数小于预算数的?|减少的|增加的)?主要原因(?:是)?\s*：?\s*(?P<reason>.+?)\s*$")
REASON_PREFIX = re.compile(r"^\s*决算数小于预算数的?主要原因是")
IMAGE_LINE = re.compile(r"^\s*\[image[:：]")
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")
NOT_FIGURES = re.compile("|".join(f"(?:{row['pattern']})" for row in rules_table("not_figures")))
CAPTION = re.compile(r"（图\d+：.+?）(（.+?）)?")
SENTENCE_GOES_ON = re.compile(r"[^。；：！？）”\]]$")  # a line ending so is cut mid-sentence
# After a line ending in '，' these start a statement of their own (the next 类/款/项 line, the next year's
# sentence, a list item), not the rest of the sentence.
STATEMENT_START = re.compile(r"^\s*(?:\d{4}年|其中|.{0,20}（类）)")
ENUMERATOR = re.compile(r"^\s*(（\d+）|\d+[.、]\s*)")


@dataclass
class Sentence:
    """A line of prose, or several when a sentence was broken across lines, normalised.

    `consumed` holds the spans (of `norm.text`) whose figures became data or are the template's own
    wording; the figures outside them are listed as unconsumed."""

    lines: list[int]              # 0-based indexes of the report lines joined
    section: str | None
    norm: Normalized
    starts: list[int]             # offset in norm.text where each joined line begins
    consumed: list[tuple[int, int]] = field(default_factory=list)
    used: bool = False

    @property
    def text(self) -> str:
        return self.norm.text

    @property
    def line(self) -> int:
        """1-based line where the sentence begins."""
        return self.lines[0] + 1

    def line_at(self, offset: int) -> int:
        """1-based report line of the character at `offset`."""
        return self.lines[max(i for i, start in enumerate(self.starts) if start <= offset)] + 1

    def consume(self, match: re.Match, keep: set[int]) -> None:
        """Mark the figures of `match` as used: the groups in `keep` and the pattern's own wording;
        numbers inside the other groups (shares a rule does not store, notes) stay unconsumed."""
        self.used = True
        skipped = [match.span(g) for g in range(1, (match.re.groups or 0) + 1)
                   if g not in keep and match.span(g) != (-1, -1)]
        start = match.start()
        for a, b in sorted(skipped):
            if a > start:
                self.consumed.append((start, a))
            start = max(start, b)
        if match.end() > start:
            self.consumed.append((start, match.end()))


@dataclass
class ProseData:
    facts: list[dict] = field(default_factory=list)
    classes: list[dict] = field(default_factory=list)
    explanations: list[dict] = field(default_factory=list)
    glossary: list[dict] = field(default_factory=list)
    unconsumed: list[dict] = field(default_factory=list)


def heading_section(text: str) -> str | None:
    """The section a heading line opens, in any of the template's heading styles, else None."""
    stripped = text.strip()
    if len(stripped) > HEADING_MAX_CHARS:
        return None
    for key, title in _section_patterns():
        if title.match(stripped):
            return key
    return None


@functools.cache
def _section_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(key, re.compile(rf"^(?:{HEADING_PREFIX})?\s*(?:{title})")) for key, title in SECTIONS]


def section_of_lines(report: Report) -> list[str | None]:
    """Return, for each prose line index, the key of the section it sits in."""
    current: str | None = None
    keys: list[str | None] = []
    for index in range(report.prose_end):
        current = heading_section(report.text(index)) or current
        keys.append(current)
    return keys


def _is_heading(text: str) -> bool:
    stripped = text.strip()
    return bool(re.match(rf"^(第[一二三四五六七八九十]部分|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件)", stripped)) \
        and len(stripped) <= HEADING_MAX_CHARS or heading_section(stripped) is not None


def sentences(report: Report, keys: list[str | None]) -> list[Sentence]:
    """The prose as sentences: each non-empty line, joined with the next ones while it is cut mid-sentence
    (ends without 。；： …) and the next line is text of the same section, not a heading or a list item."""
    out: list[Sentence] = []
    index = 0
    while index < report.prose_end:
        raw = report.lines[index]
        if not raw.strip():
            index += 1
            continue
        lines, parts = [index], [raw.rstrip()]
        while (SENTENCE_GOES_ON.search(report.text(lines[-1]).rstrip()) and not _is_heading(report.text(lines[-1]))
               and not IMAGE_LINE.match(report.text(lines[-1]))):
            nxt = lines[-1] + 1
            if (nxt >= report.prose_end or not report.lines[nxt].strip() or keys[nxt] != keys[index]
                    or _is_heading(report.text(nxt)) or ENUMERATOR.match(report.text(nxt))
                    or IMAGE_LINE.match(report.text(nxt))
                    or report.text(lines[-1]).rstrip().endswith("，") and STATEMENT_START.match(report.text(nxt))):
                break
            lines.append(nxt)
            parts.append(report.lines[nxt].strip())
        if len(lines) == 1:
            norm, starts = report.normalized[index], [0]
        else:
            norm = normalize("".join(parts))
            raw_starts = [sum(len(p) for p in parts[:i]) for i in range(len(parts))]
            starts = [next((k for k, o in enumerate(norm.origin) if o >= r), len(norm.text)) for r in raw_starts]
        out.append(Sentence(lines, keys[index], norm, starts))
        index = lines[-1] + 1
    return out


def _value(metric: Metric, raw: str, sign_word: str | None, report: Report, line: int) -> float | int:
    where = dict(path=report.path, line=line)
    if metric.kind == "count":
        value = parse_count(raw, what=metric.label_zh, **where)
    elif metric.kind == "rate":
        value = parse_rate(raw + "%", what=metric.label_zh, **where)
    else:
        value = parse_amount(raw, what=metric.label_zh, **where)
    return value * CHANGE_SIGN.get(sign_word, 1) if sign_word else value


def _fact(report: Report, metric: Metric, raw: str, value, line: int, derived: bool = False) -> dict:
    return dict(year=report.year + metric.year_offset, metric=metric.key, value=value, unit=metric.unit,
                label_zh=metric.label_zh, decimals=len(raw.split(".")[1]) if "." in raw else 0,
                source_line=line, derived=derived)


def extract_facts(report: Report, prose: list[Sentence]) -> tuple[list[dict], list[dict]]:
    """Apply every rule to its section; return fact rows and stated reasons."""
    facts: list[dict] = []
    explanations: list[dict] = []
    for r in RULES:
        seen = 0
        hit = None
        for sentence in prose:
            if sentence.section != r.section:
                continue
            match = r.pattern.search(sentence.text)
            if match:
                seen += 1
                if seen == r.occurrence:
                    hit = (sentence, match)
                    break
        if hit is None:
            if r.required:
                wanted = ", ".join(m.key for m in r.metrics.values())
                raise ReportError(report.path, f"expected a sentence giving {wanted}, found none; the report may "
                                  "be truncated or worded in a way rules/phrases.csv does not know yet",
                                  section=SECTION_LABELS[r.section])
            continue
        sentence, match = hit
        sentence.consume(match, set(r.metrics) | {m.sign_group for m in r.metrics.values() if m.sign_group})
        line = sentence.line_at(match.start())
        if r.explains:
            reason = STATED_REASON.search(sentence.text, match.end())
            if reason:
                explanations.append(dict(year=report.year, metric=r.explains,
                                         text_zh=sentence.norm.raw_span(*reason.span("reason")), source_line=line))
        for group, metric in r.metrics.items():
            sign = match.group(metric.sign_group) if metric.sign_group else None
            raw = match.group(group)
            facts.append(_fact(report, metric, raw, _value(metric, raw, sign, report, line), line))
    facts.extend(extract_fleet(report, prose))
    facts.extend(_derived_prior(facts, report.year))
    return facts, explanations


def extract_fleet(report: Report, prose: list[Sentence]) -> list[dict]:
    """The fleet by vehicle type. Types the sentence leaves out are 0 when the listed ones add up to the
    total (then the sentence says so implicitly; the rows are marked derived); otherwise they stay unstated."""
    for sentence in prose:
        match = FLEET_LINE.search(sentence.text) if sentence.section == "three_public" else None
        if match is None:
            continue
        line = sentence.line_at(match.start())
        total = C("fleet_total", "公务用车总数", "辆")
        rows = [_fact(report, total, match.group(1), parse_count(match.group(1), what="公务用车总数",
                                                                 path=report.path, line=line), line)]
        counts: dict[str, int] = {}
        base = match.start("list")
        for part in FLEET_PART.finditer(match.group("list")):
            kind = re.sub(r"^[，、；\s]*(?:其中：)?|\s+$", "", part.group("type"))
            metric = FLEET_TYPES.get(kind)
            if metric is None:
                raise ReportError(report.path, f"the fleet sentence lists a vehicle type {kind!r} that "
                                  "rules/fleet_types.csv does not know", line=line, section=SECTION_LABELS["three_public"],
                                  hint="add the type and the fleet metric it counts in to rules/fleet_types.csv")
            counts[metric] = counts.get(metric, 0) + parse_count(part.group(2), what=kind, path=report.path, line=line)
            sentence.consumed.append((base + part.start(2), base + part.end(2)))
        sentence.consumed.append((match.start(1), match.end(1)))
        sentence.used = True
        complete = sum(counts.values()) == rows[0]["value"]
        for metric, label in FLEET_LABELS.items():
            if metric in counts or complete:
                rows.append(_fact(report, C(metric, label, "辆"), "0", counts.get(metric, 0), line,
                                  derived=metric not in counts))
        return rows
    return []


def _derived_prior(facts: list[dict], year: int) -> list[dict]:
    current = {f["metric"]: f for f in facts if f["year"] == year}
    rows = []
    for metric, base, change, label in DERIVED_PRIOR:
        if base in current and change in current:
            rows.append(dict(
                year=year - 1, metric=metric,
                value=round(current[base]["value"] - current[change]["value"], 2),
                unit="万元", label_zh=label, decimals=2, source_line=current[change]["source_line"], derived=True))
    return rows


def extract_classes(report: Report, prose: list[Sentence]) -> list[dict]:
    """The 类 totals of the general-budget structure sentence and the 类/款/项 item lines."""
    rows: list[dict] = []
    for sentence in prose:
        if sentence.section != "general_budget":
            continue
        text, line = sentence.text, sentence.line
        match = CLASS_LINE.search(text)
        if match:
            sentence.used = True
            for part in re.finditer(r"[^；]+", match.group(1)):
                start = match.start(1) + part.start()
                body = part.group().rstrip("。 ")
                if not body.strip():
                    continue
                cm = CLASS_PART.match(body.strip())
                if cm is None:
                    raise ReportError(report.path, f"expected '<类>…万元，占…%' in the expenditure structure, "
                                      f"found {body.strip()!r}", line=line, section=SECTION_LABELS["general_budget"])
                offset = start + len(body) - len(body.lstrip())
                sentence.consumed.append((offset + cm.start(2), offset + cm.end(2)))
                sentence.consumed.append((offset + cm.start(3), offset + cm.end(3) + 1))
                rows.append(dict(
                    year=report.year, level="类", class_zh=cm.group("cls").strip(), category_zh="", item_zh="",
                    amount=parse_amount(cm.group(2), what="类 amount", path=report.path, line=line),
                    completion_rate=None,
                    reported_share=parse_rate(cm.group(3) + "%", what="类 share", path=report.path, line=line),
                    note="", source_line=line))
            sentence.consumed.append((match.start(), match.start(1)))
            continue
        match = ITEM_LINE.match(text)
        if match:
            sentence.consume(match, {4, 5} | {g for g in (1, 2, 3)})
            where = dict(path=report.path, line=line)
            note = sentence.norm.raw_span(*match.span("note"))
            rows.append(dict(
                year=report.year, level="项", class_zh=match.group("cls").strip(),
                category_zh=match.group("cat").strip(), item_zh=match.group("item").strip(),
                amount=parse_amount(match.group(4), what="项 amount", **where),
                completion_rate=parse_rate(match.group(5) + "%", what="项 completion rate", **where),
                reported_share=None, note=REASON_PREFIX.sub("", note).strip().rstrip("。"),
                source_line=line))
    if not any(r["level"] == "类" for r in rows):
        raise ReportError(report.path, "expected the sentence '…主要用于以下方面：<类>…万元，占…%' with the 类 breakdown",
                          section=SECTION_LABELS["general_budget"])
    return rows


def extract_glossary(report: Report, prose: list[Sentence]) -> list[dict]:
    """Terms numbered 1、 1. or （1）, each with its definition (the report's own text)."""
    rows: list[dict] = []
    for sentence in prose:
        if sentence.section != "glossary":
            continue
        match = GLOSSARY_LINE.match(sentence.text)
        if match:
            sentence.used = True
            raw = sentence.norm.raw_span
            rows.append(dict(year=report.year, number=int(match.group("no") or match.group("bracketed")),
                             term_zh=raw(*match.span("term")).strip(), definition_zh=raw(*match.span("definition")),
                             source_line=sentence.line))
    return rows


def figures(text: str) -> list[re.Match]:
    """The numbers of a line that are figures: not years, months, days, list numbers or caption numbers."""
    excluded = [m.span() for m in NOT_FIGURES.finditer(text)]
    return [m for m in FIGURE.finditer(text)
            if not any(a <= m.start() < b for a, b in excluded)]


def unconsumed_lines(report: Report, prose: list[Sentence]) -> list[dict]:
    """Prose figures no rule took, with their section; and the OCR debris of embedded images.

    A sentence a rule used is listed too when it holds other figures (a share the rule does not store,
    a number in a stated reason); `figures` names them. Headings and figure captions carry no data.
    """
    rows = []
    in_image = False
    for sentence in prose:
        stripped = sentence.norm.raw.strip()
        section = SECTION_LABELS.get(sentence.section, "") if sentence.section else ""
        base = dict(year=report.year, source_line=sentence.line, section=section)
        if IMAGE_LINE.match(sentence.text):
            in_image = True
            rows.append(dict(base, kind="chart_image_debris", text=stripped, figures=""))
            continue
        if in_image:
            # OCR of a chart: short, mostly Latin letters and digits, few Chinese characters.
            if len(CJK.findall(stripped)) < max(1, len(stripped) // 3):
                rows.append(dict(base, kind="chart_image_debris", text=stripped, figures=""))
                continue
            in_image = False
        if _is_heading(sentence.text) or CAPTION.fullmatch(sentence.text.strip()):
            continue
        left = [m.group() for m in figures(sentence.text)
                if not any(a <= m.start() and m.end() <= b for a, b in sentence.consumed)]
        if left:
            kind = "figures_not_extracted" if not sentence.used else "figures_left_in_used_line"
            rows.append(dict(base, kind=kind, text=stripped, figures=" ".join(left)))
    return rows


def check_required(report: Report, facts: list[dict]) -> None:
    """Every figure the notebooks need (rules/required_figures.csv) was read, or the section is named."""
    have = {f["metric"] for f in facts if f["year"] == report.year}
    for row in rules_table("required_figures"):
        if row["metric"] not in have:
            raise ReportError(report.path, f"no sentence gave {row['metric']}, which the reports need "
                              f"({row['why']}); the sentence may be missing or worded in a new way",
                              section=SECTION_LABELS[row["section"]],
                              hint="check the section's wording against rules/phrases.csv and the rules in "
                                   "helpers/read/prose.py")


def extract_prose(report: Report) -> ProseData:
    """Every figure, class row and glossary term of the prose, plus what was left unconsumed."""
    keys = section_of_lines(report)
    prose = sentences(report, keys)
    facts, explanations = extract_facts(report, prose)
    check_required(report, facts)
    classes = extract_classes(report, prose)
    glossary = extract_glossary(report, prose)
    return ProseData(facts, classes, explanations, glossary, unconsumed_lines(report, prose))
