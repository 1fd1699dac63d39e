"""How reliable are the figures: the audit's findings as results a page words in its language.

The audit (helpers.data.audit) stores structured findings; here they become small results:
counts of checks and of causes (one wrong figure that breaks three checks is one cause), the
reconciliation of the 类 totals with their 项 lines (which figures agree with which), and the
values each finding's sentence needs. No sentence is made here: they are in story/templates/<lang>/audit.j2
(`cause_bullet` words one cause from `cause_findings`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from helpers.data import rules
from helpers.data.audit import HALF_CENT
from helpers.data.load import YearData, english_names
from helpers.data.schema import records
from helpers.story import fmt, wording

SEVERITIES = ("error", "warning", "info")
RATE_CHECKS = {"stated_share", "stated_change_pct", "execution_rate", "cross_reference", "rate_on_zero_amount"}
SCORE_CHECKS = {"total_score", "budget_score", "budget_score_blank", "score_within_weight", "indicator_weights",
                "target_missed_full_marks", "target_met_points_lost", "cap_scored_as_spending"}
COUNT_CHECKS = {"stated_count", "indicator_vs_fact", "vehicles_listed"}


def check_labels(lang: str) -> dict[str, str]:
    """Check kind -> its label in `lang` (rules/audit_checks.csv)."""
    table = rules.table("audit_checks")
    return dict(zip(table["check"], table[f"label_{wording.check_lang(lang)}"], strict=True))


def causes(data: YearData) -> pd.DataFrame:
    """One row per cause: its id, its worst severity, the check of its first finding, how many findings it
    groups and their report lines."""
    columns = ["cause", "severity", "check", "findings", "lines", "at_stake"]
    if data.findings.empty:
        return pd.DataFrame(columns=columns)
    # one pass over the findings, in their order (a page asks for this table several times; pandas' grouping
    # took 20 ms of it)
    found: dict[str, dict] = {}
    wanted = ["cause", "severity", "check", "lines", *(["at_stake"] if "at_stake" in data.findings else [])]
    for row in records(data.findings[wanted]):
        entry = found.setdefault(row["cause"], {"order": len(SEVERITIES), "check": row["check"], "findings": 0,
                                                "lines": set(), "at_stake": float("nan")})
        entry["order"] = min(entry["order"], SEVERITIES.index(row["severity"]))
        entry["findings"] += 1
        entry["lines"].update(int(n) for n in row["lines"].split(";") if n)
        stake = row.get("at_stake", float("nan"))
        # one cause's findings restate the same money (1,316 twice): the largest
        if stake == stake and not stake <= entry["at_stake"]:
            entry["at_stake"] = stake
    return pd.DataFrame({
        "cause": pd.Series(list(found), dtype="str"),
        "severity": pd.Series([SEVERITIES[e["order"]] for e in found.values()], dtype="str"),
        "check": pd.Series([e["check"] for e in found.values()], dtype="str"),
        "findings": pd.Series([e["findings"] for e in found.values()], dtype="int64"),
        "lines": pd.Series([sorted(e["lines"]) for e in found.values()], dtype=object),
        "at_stake": pd.Series([e["at_stake"] for e in found.values()], dtype="float64")})


def causes_by_money(data: YearData) -> pd.DataFrame:
    """The causes in order of reading: contradictions, doubtful figures, notes apart, each group by the 万元 at stake
    (largest first; causes about rates, scores or counts, with no money, after them)."""
    table = causes(data)
    table["_order"] = table["severity"].map(SEVERITIES.index)
    table["_money"] = table["at_stake"].fillna(-1.0)
    return table.sort_values(["_order", "_money"], ascending=[True, False], kind="stable").drop(
        columns=["_order", "_money"]).reset_index(drop=True)


def comparisons(checks: pd.DataFrame) -> pd.DataFrame:
    """The checks that compared figures and ran (passed or failed): kinds that only record what they find
    (rules/audit_checks.csv records = failures_only) and checks that could not run are left out."""
    table = rules.table("audit_checks")
    pass_or_fail = set(table.loc[table["records"] == "pass_or_fail", "check"]) | {"restatement"}
    return checks[checks["check"].isin(pass_or_fail) & checks["status"].isin(["passed", "failed"])]


def counts(data: YearData) -> dict[str, int]:
    """Comparisons run and passed (observations and checks that could not run are not among them); checks not
    run; findings (rows) and causes by severity (a cause counts at its worst severity)."""
    by_row = data.findings["severity"].value_counts()
    by_cause = causes(data)["severity"].value_counts()
    ran = comparisons(data.checks)
    return {"checks": len(ran), "passed": int((ran["status"] == "passed").sum()),
            "not_run": int(data.checks["status"].isin(["not_applicable", "not_enough_data"]).sum()),
            **{s: int(by_row.get(s, 0)) for s in SEVERITIES},
            **{f"{s}_causes": int(by_cause.get(s, 0)) for s in SEVERITIES}}


def checks_by_kind(data: YearData, lang: str) -> pd.DataFrame:
    """Per kind of check: its label in `lang`, how many ran, passed, did not pass, and the causes behind them.
    A kind that records only what it finds (an observation) has no count of checks run or passed (NaN): it
    never passes anything, so a rate over it would mean nothing."""
    ran = data.checks[data.checks["status"].isin(["passed", "failed"])]
    table = ran.assign(passed=ran["status"] == "passed").groupby("check").agg(
        ran=("passed", "size"), passed=("passed", "sum")).reset_index()
    table["not_passed"] = table["ran"] - table["passed"]
    observation = ~table["check"].isin(comparisons(data.checks)["check"])
    table[["ran", "passed"]] = table[["ran", "passed"]].astype(float).mask(observation, float("nan"))
    cause_counts = data.findings.groupby("check")["cause"].nunique()
    table["causes"] = table["check"].map(cause_counts).fillna(0).astype(int)
    table.insert(1, "label", table["check"].map(check_labels(lang)).fillna(table["check"]))
    return table.sort_values(["not_passed", "ran"], ascending=False).reset_index(drop=True)


def class_reconciliation(data: YearData) -> pd.DataFrame:
    """Per 类: the amount printed for the class, the sum of its 项 lines, the gap, and the printed share
    against the share of each (of the year's general-budget spending)."""
    classes, items = data.classes[data.classes["level"] == "类"], data.classes[data.classes["level"] == "项"]
    total = data.value("general_budget_expenditure") if data.has("general_budget_expenditure") \
        else data.value("total_expenditure")
    table = classes[["class_zh", "amount", "reported_share", "source_line"]].copy()
    table["items"] = table["class_zh"].map(items.groupby("class_zh")["amount"].sum()).round(2)
    table["gap"] = (table["amount"] - table["items"]).round(2)
    table["share_of_amount"] = table["amount"] / total
    table["share_of_items"] = table["items"] / total
    return table.reset_index(drop=True)


def class_totals(data: YearData) -> dict:
    """Which figures agree: the total, the sum of the class amounts, the sum of the item lines, the class gaps
    (which cancel out when money was booked under another class) and how many printed shares follow the items
    rather than the class amounts."""
    table = class_reconciliation(data)
    total = data.value("general_budget_expenditure") if data.has("general_budget_expenditure") \
        else data.value("total_expenditure")
    rounding = HALF_CENT * (len(table) + 1)
    n_items = int((data.classes["level"] == "项").sum())
    off = table[table["gap"].abs() > HALF_CENT * 2]
    half_unit = {row.class_zh: 0.5 * 10 ** (-fmt_digits(row.reported_share)) / 100 for row in table.itertuples()}
    follows_items = [row.class_zh for row in off.itertuples() if abs(row.share_of_items - row.reported_share)
                     <= half_unit[row.class_zh] + 1e-9 < abs(row.share_of_amount - row.reported_share)]
    return dict(total=total, classes_sum=round(table["amount"].sum(), 2), items_sum=round(table["items"].sum(), 2),
                classes_agree=abs(table["amount"].sum() - total) <= rounding + 1e-9,
                items_agree=abs(table["items"].sum() - total) <= HALF_CENT * (n_items + 1) + 1e-9,
                off=off, gaps_sum=round(off["gap"].sum(), 2), shares_follow_items=follows_items)


def fmt_digits(share: float) -> int:
    """Decimals of a printed share's percentage (0.912 -> 1)."""
    text = f"{share * 100:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _kind(data: YearData, row: pd.Series) -> str:
    if row["check"] in RATE_CHECKS:
        return "rate"
    if row["check"] in SCORE_CHECKS:
        return "score"
    if row["check"] in COUNT_CHECKS:
        return "count"
    metric = row["metrics"].split(";")[0] if row["metrics"] else row["subject"]
    unit = data.fact_store.unit(metric)
    return "count" if unit and unit not in ("万元", "ratio") else "amount"


def _number(value: float, kind: str) -> str:
    if value != value:
        return "–"
    if kind == "rate":
        return fmt.pct(value, 2)
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "score":
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return fmt.amount(value)


# Checks whose reported figure is a share or change the prose prints with one decimal (91.2%, 242.9%): quote it as
# printed. Execution rates come from tables that print two decimals (68.10%), so they keep _number's two.
PRINTED_AS_IS = {"stated_share", "stated_change_pct", "rate_on_zero_amount"}


def _reported(row: pd.Series, kind: str) -> str:
    if kind == "rate" and row["check"] in PRINTED_AS_IS and row["reported"] == row["reported"]:
        return fmt.pct_as_printed(row["reported"])
    return _number(row["reported"], kind)


def label(data: YearData, key: str) -> str:
    """The report's words for a metric (facts.label_zh), a project code's name, or the key itself."""
    if data.fact_store.label_zh(key):
        return data.fact_store.label_zh(key)
    projects = data.projects[data.projects["project_code"] == key]
    return projects.iloc[0]["project_name"] if len(projects) else key


@functools.cache
def _english_names() -> dict[str, str]:
    # the names a finding may refer to: figures by the report's label (facts.label_zh), classes, projects, indicators
    return english_names("metrics") | english_names("indicators") | english_names("classes") | english_names("projects")


def glossed(name: str, lang: str) -> str:
    """A figure's label, class, project or indicator name as a page in `lang` shows it: on an English page the
    Chinese as printed with its English gloss beside it (data/names/*.csv: 公共安全支出 (Public security)); as
    printed otherwise."""
    english = _english_names().get(name, "") if lang != "zh" else ""
    return f"{name} ({english})" if english else name


def measure(unit: str, lang: str) -> str:
    """A unit of measure as a page in `lang` shows it: 次 (times) on an English page (data/names/measurement_units.csv),
    as printed where the gloss is the unit itself (%, 万元) and on a Chinese page."""
    english = english_names("measurement_units").get(unit, "") if lang != "zh" else ""
    return f"{unit} ({english})" if english and english != unit else unit


@dataclass(frozen=True)
class _Lookups:
    """What the findings' sentences look up, found once per page instead of once per finding: each project code's
    name, each (project code, indicator)'s first row, and the words printed for a figure without a number."""
    project_names: dict
    indicators: dict
    words: dict

    @classmethod
    def of(cls, data: YearData) -> _Lookups:
        projects = data.projects.drop_duplicates("project_code")
        indicators = data.indicators.drop_duplicates(["project_code", "indicator"])
        words = {}
        if "words_zh" in data.facts:
            this_year = data.facts[data.facts["year"] == data.year].drop_duplicates("metric")
            words = {m: str(w or "") for m, w in zip(this_year["metric"], this_year["words_zh"], strict=True)}
        return cls(dict(zip(projects["project_code"], projects["project_name"], strict=True)),
                   {(r["project_code"], r["indicator"]): r for r in records(indicators)}, words)

    def label(self, data: YearData, key: str) -> str:
        return data.fact_store.label_zh(key) or self.project_names.get(key, key)


def finding_values(data: YearData, row, lang: str = "zh", lookups: _Lookups | None = None) -> dict:
    """What the sentence of one finding (a row of findings.csv, as a Series or dict) needs: its check, labels,
    figures as printed, lines, detail; class and project names glossed for a page in `lang`."""
    found = lookups or _Lookups.of(data)
    kind = _kind(data, row)
    ind = found.indicators.get((row["project_code"], row["indicator"])) if row["indicator"] else None

    def name(key: str) -> str:
        return glossed(found.label(data, key), lang)

    return dict(
        check=row["check"],
        key=row["subject"],
        subject=name(row["subject"]),
        indicator=glossed(row["indicator"], lang) if row["indicator"] else row["indicator"],
        reported=_reported(row, kind),
        computed=_number(row["computed"], kind),
        difference=_number(abs(row["difference"]), kind),
        sign=(row["difference"] > 0) - (row["difference"] < 0),
        kind=kind,
        lines=[int(n) for n in row["lines"].split(";") if n],
        detail=row["detail"],
        related=[name(k) for k in row["related"].split(";") if k],
        parts=[name(m) for m in row["metrics"].split(";")[1:] if m],
        metric_labels=[name(m) for m in row["metrics"].split(";") if m],
        operator="" if ind is None else ind["operator"],
        target="" if ind is None else ind["target"],
        actual="" if ind is None else ind["actual"],
        unit="" if ind is None else measure(ind["unit"], lang),
        reason="" if ind is None else " ".join(str(ind["shortfall_reason"] or "").split()),
        words=found.words.get(row["subject"], ""),
        report_year=data.year,
    )


def printed_words(data: YearData, metric: str) -> str:
    """The words the report prints for a figure stated without a number (无结转结余资金), or ''."""
    if "words_zh" not in data.facts:
        return ""
    rows = data.facts[(data.facts["metric"] == metric) & (data.facts["year"] == data.year)]
    return str(rows.iloc[0]["words_zh"] or "") if len(rows) else ""


def cause_findings(data: YearData, severity: str, lang: str) -> list[dict]:
    """One entry per cause of this severity (the values of its bullet, templates/<lang>/audit.j2 `cause_bullet`):
    `cause`, `findings` (each finding's values, see `finding_values`) and `details` (one per detail key, with the
    names it refers to, glossed for `lang`)."""
    worst = causes(data).set_index("cause")["severity"]
    found = _Lookups.of(data)
    by_cause: dict[str, list[dict]] = {}
    for row in records(data.findings):
        if worst[row["cause"]] == severity:
            by_cause.setdefault(row["cause"], []).append(row)
    entries = []
    for cause, rows in by_cause.items():
        first_related = {}  # one sentence per detail
        for row in rows:
            first_related.setdefault(row["detail"], row["related"])
        entries.append(dict(
            cause=cause,
            findings=[finding_values(data, row, lang, found) for row in rows],
            details=[dict(detail=d, related=[glossed(found.label(data, k), lang) for k in r.split(";") if k])
                     for d, r in first_related.items() if d]))
    return entries


HEADLINE_METRICS = ["total_expenditure", "total_income_expenditure", "three_public_total", "vehicle_purchase_operation",
                    "vehicle_purchase_operation_change"]


def headline_lines(data: YearData) -> list[int]:
    """Report lines of the story's headline figures: totals, “三公” spending, the projects' budget rows."""
    return sorted(
        {data.line(m) for m in HEADLINE_METRICS if data.has(m)} | set(data.projects["budget_line"].astype(int))
        | set(data.projects.get("executed_line", data.projects["budget_line"]).astype(int))
    )


def headline_causes(data: YearData) -> pd.DataFrame:
    """Causes with an error that involve any line the story's headlines rest on."""
    lines = set(headline_lines(data))
    table = causes(data)
    return table[(table["severity"] == "error") & table["lines"].apply(lambda ls: bool(lines & set(ls)))]


def summary_values(data: YearData) -> dict:
    """The figures of the audit's summary sentence."""
    c = counts(data)
    return dict(c, pass_rate=c["passed"] / c["checks"] if c["checks"] else float("nan"), year=data.year)
