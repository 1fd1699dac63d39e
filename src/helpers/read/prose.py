"""Take the figures out of the report's prose sections.

Each figure is found by a sentence rule (rules/sentences.csv): the section it sits in and the sentence as
the report prints it, with a placeholder for each figure naming the metric it fills (rules/metrics.csv
gives its kind, unit and Chinese label). Sentences are matched against the normalised text (see
`normalize`); comparison and change words come from rules/phrases.csv (与2022年度相比 / 与上年相比 /
较上年度; 增加/减少 … with their sign); sections are found by their titles (rules/sections.csv) in any
heading style (rules/headings.csv). A sentence broken across lines is joined within its section.
A figure the report states in words, not digits (2023年无结转结余资金: a balance of 0), is a placeholder
with its value, {carryover_balance=0}, in the sentence that states it.

Lists of project names (组织对辅警经费、…等16个项目…) are read by rules/project_lists.csv: the section, the
sentence with a {projects} placeholder (names separated by 、) and the list's key; a sentence with a
list's wording whose names cannot be read is listed as project_list_not_read.

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
from helpers.read.numbers import amount_units, in_wan_yuan, parse_amount, parse_count, parse_rate, to_number

SECTIONS: list[tuple[str, str]] = [(row["section"], row["title"]) for row in rules_table("sections")]
SECTION_LABELS = {row["section"]: row["label_zh"] for row in rules_table("sections")}
HEADING_PREFIX = "|".join(f"(?:{row['prefix']})" for row in rules_table("headings"))
HEADING_MAX_CHARS = 40  # a heading is a short line; a longer one starting with a title is a sentence

NUMBER = r"[-+]?[\d,]+(?:\.\d+)?"
RATE_NUMBER = r"[-+]?[\d.]+"
NUM = f"({NUMBER})"
PCT = f"({RATE_NUMBER})%"
PHRASES = rules_table("phrases")
CHANGE_SIGN = {row["phrase"]: int(row["sign"]) for row in PHRASES if row["token"] == "change"}
CHANGE = "(" + "|".join(CHANGE_SIGN) + ")"  # the word that gives a change its sign (one group)
COMPARE = "(?:" + "|".join(row["phrase"] for row in PHRASES if row["token"] == "compare") + ")"
COMPARE_OPT = COMPARE + "?"
# "与上年度持平": no change, stated in words; the figure it states is a {metric=0} after it.
NO_CHANGE = "(?:" + "|".join(row["phrase"] for row in PHRASES if row["token"] == "no_change") + ")"
# sentences.csv writes an amount's unit as 万元; the report may print 元 or 亿元 (rules/amount_units.csv).
WRITTEN_UNIT = "万元"
UNITS_LONGEST_FIRST = sorted(amount_units(), key=len, reverse=True)
AMOUNT_UNIT = "(?:" + "|".join(UNITS_LONGEST_FIRST) + ")"
# Around the words that state a figure (与上年度持平): not part of them.
WORDS_EDGE = "，,。；;：:、%） "


@dataclass(frozen=True)
class Metric:
    """What one pattern group fills: a metric key, its unit and its Chinese label."""

    key: str
    unit: str
    label_zh: str
    kind: str = "amount"          # amount | rate | count
    sign_group: int | None = None  # group whose change word (rules/phrases.csv) gives the value its sign
    year_offset: int = 0          # -1 for a prior-year figure stated outright
    stated: str | None = None     # the value a sentence states in words ({metric=0}: 无…, 没有结余), not digits
    words_group: int | None = None  # group of the words stating it (与上年度持平), or empty where they end


@dataclass(frozen=True)
class Rule:
    section: str
    pattern: re.Pattern[str]
    metrics: dict[int, Metric]
    required: bool = False
    in_words: tuple[Metric, ...] = ()  # figures the sentence states in words, not digits
    occurrence: int = 1  # which match within the section (1 = first)
    explains: str = ""   # metric whose stated reason (主要原因) follows the figures on the same line
    alternative: bool = False  # another wording of figures other rows read: fills only the figures still unread


def C(key: str, label: str, unit: str, **kw) -> Metric:
    return Metric(key, unit, label, "count", **kw)


PLACEHOLDER = re.compile(r"\{(?P<name>[a-z][a-z0-9_@?]*)(?:=(?P<stated>[^}]*))?\}")  # {4} in \d{4} is a regex count


def load_rules() -> list[Rule]:
    """The sentence rules of rules/sentences.csv, with the figures named in rules/metrics.csv.

    A sentence is written as the report prints it, with placeholders: {metric} for a figure stored under
    that metric ({metric@prior} for one about the prior year), {number} for a figure the rule does not
    store, {change} for a change word, {compare} / {compare?} for a comparison phrase, {no_change} for
    "与上年度持平" (rules/phrases.csv). A figure right after {change} takes its sign from it. {metric=0} is a
    figure the sentence states in words (无结转结余资金, 与上年度持平): it matches no text, fills the metric
    with the value given and keeps the words before it (back to the previous figure) as the report's own.
    An amount written {metric}万元 also reads 元 and 亿元 (rules/amount_units.csv). A figure inside an
    optional part, (?:…)?, is read when the report prints it. A row marked `alternative` is another wording
    of figures earlier rows read, used only for the figures no other sentence gave.
    """
    metrics = {row["metric"]: row for row in rules_table("metrics")}
    rules = []
    for row in rules_table("sentences"):
        pattern, fills, in_words, group, last_change, last_no_change = [], {}, [], 0, None, None
        position = 0
        for match in PLACEHOLDER.finditer(row["sentence"]):
            pattern.append(row["sentence"][position:match.start()])
            position = match.end()
            name = match.group("name")
            if match.group("stated") is not None:
                if to_number(match.group("stated")) is None:
                    raise ValueError(f"rules/sentences.csv: {match.group()} in {row['sentence']!r} should give the "
                                     "value the words state as a number, such as {carryover_balance=0}")
                spec = metrics[name]
                group += 1
                if last_no_change == match.start():
                    pattern[-2:] = [f"({NO_CHANGE})"]  # the words that state it: 与上年度持平 (then '')
                else:
                    pattern.append("()")  # its words run from the figure before to here
                in_words.append(Metric(name, spec["unit"], spec["label_zh"], spec["kind"],
                                       stated=match.group("stated"), words_group=group))
                continue
            follows_change = last_change is not None and last_change == match.start()
            if name == "compare":
                pattern.append(COMPARE)
                continue
            if name == "compare?":
                pattern.append(COMPARE_OPT)
                continue
            if name == "no_change":
                pattern.append(NO_CHANGE)
                last_no_change = match.end()
                continue
            group += 1
            if name == "change":
                pattern.append(CHANGE)
                last_change, change_group = match.end(), group
                continue
            is_rate = row["sentence"].startswith("%", match.end())
            if is_rate:
                position += 1  # the % is part of PCT
            pattern.append(PCT if is_rate else NUM)
            if row["sentence"].startswith(WRITTEN_UNIT, match.end()):
                position += len(WRITTEN_UNIT)
                pattern.append(AMOUNT_UNIT)
            if name == "number":
                continue
            spec = metrics[name]
            fills[group] = Metric(name.removesuffix("@prior"), spec["unit"], spec["label_zh"], spec["kind"],
                                  sign_group=change_group if follows_change else None,
                                  year_offset=-1 if name.endswith("@prior") else 0)
        pattern.append(row["sentence"][position:])
        rules.append(Rule(row["section"], re.compile("".join(pattern)), fills, row["required"] == "yes",
                          tuple(in_words), int(row["occurrence"] or 1), row["explains"],
                          row.get("alternative", "") == "yes"))
    return rules


RULES: list[Rule] = load_rules()

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
FLEET_LINE = re.compile(rf"单位共有公务用车{NUM}辆(?:，其中：(?P<list>.+?))?(?:。|$)")
FLEET_PART = re.compile(rf"(?P<type>[^\d、，；。]+?){NUM}辆")
FLEET_TYPES = {row["type_zh"]: row["metric"] for row in rules_table("fleet_types")}
FLEET_LABELS = {"fleet_sedan": "轿车", "fleet_suv": "越野车", "fleet_small_bus": "小型客车",
                "fleet_medium_large_bus": "中型客车和大型客车", "fleet_other_type": "其他车型"}

CLASS_LINE = re.compile(r"主要用于以下方面：(.+)$")
CLASS_PART = re.compile(rf"^(?P<cls>[^\d，；]+?){NUM}(?P<unit>{AMOUNT_UNIT})，占{PCT}")
# A 项 line; some reports print it without its completion rate (支出决算为6,890.58万元。): kept, the rate empty.
ITEM_LINE = re.compile(
    rf"^\s*(?:\d+[.、]\s*|（\d+）\s*)?(?P<cls>[^（]+?)（类）(?P<cat>[^（]+?)（款）\s*(?P<item>[^（]+?)（项）\s*：\s*"
    rf"支出决算为(?P<amount>{NUMBER})(?P<unit>{AMOUNT_UNIT})(?:，完成预算(?P<rate>{RATE_NUMBER})%)?"
    rf"[，。]?(?P<note>.*)$")
GLOSSARY_LINE = re.compile(
    r"^\s*(?:（(?P<bracketed>\d+)）|(?P<no>\d+)\s*[、.])\s*(?P<term>[^：]+?)\s*：\s*(?P<definition>.+?)\s*$"
)
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
    named_projects: list[dict] = field(default_factory=list)


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
    return (
        bool(
            re.match(
                r"^(第[一二三四五六七八九十]部分|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件)", stripped
            )
        )
        and len(stripped) <= HEADING_MAX_CHARS
        or heading_section(stripped) is not None
    )


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


def _fact(report: Report, metric: Metric, raw: str, value, line: int, derived: bool = False, *,
          printed_unit: str = "", words: str = "", decimals: int | None = None) -> dict:
    return dict(year=report.year + metric.year_offset, metric=metric.key, value=value, unit=metric.unit,
                label_zh=metric.label_zh,
                decimals=decimals if decimals is not None else len(raw.split(".")[1]) if "." in raw else 0,
                source_line=line, derived=derived, printed_unit=printed_unit, words_zh=words)


def _printed_unit(metric: Metric, text: str, end: int) -> str:
    """The unit printed after a figure ending at `end`: 万元, 元 or 亿元 for an amount, % for a rate, else the
    counting word of rules/metrics.csv."""
    if metric.kind == "rate":
        return "%"
    if metric.kind == "count":
        return metric.unit
    return next((u for u in UNITS_LONGEST_FIRST if text.startswith(u, end)), "")


def _words(sentence: Sentence, match: re.Match, metric: Metric) -> str:
    """The report's words that state `metric` (a {metric=0}): from the figure or statement before it (or the
    start of the sentence rule) to the place of the placeholder."""
    if match.end(metric.words_group) > match.start(metric.words_group):  # the phrase itself (与上年度持平)
        return sentence.norm.raw_span(*match.span(metric.words_group)).strip(WORDS_EDGE)
    at = match.start(metric.words_group)
    ends = [match.end(g) for g in range(1, (match.re.groups or 0) + 1)
            if g != metric.words_group and match.span(g) != (-1, -1) and match.end(g) < at]
    start = max([match.start(), *ends])
    words = sentence.norm.raw_span(start, at).strip(WORDS_EDGE)
    unit = next((u for u in UNITS_LONGEST_FIRST if words.startswith(u)), "")  # the unit of the figure before
    return words.removeprefix(unit).strip(WORDS_EDGE)


def _find(rule: Rule, prose: list[Sentence]) -> tuple[Sentence, re.Match] | None:
    """The sentence of the rule's section it matches (its `occurrence`-th match), or None."""
    seen = 0
    for sentence in prose:
        if sentence.section != rule.section:
            continue
        match = rule.pattern.search(sentence.text)
        if match:
            seen += 1
            if seen == rule.occurrence:
                return sentence, match
    return None


def extract_facts(report: Report, prose: list[Sentence]) -> tuple[list[dict], list[dict]]:
    """Apply every rule to its section, then the alternative wordings for figures still unread; return fact
    rows and stated reasons. A required sentence that is missing is an error unless other wordings gave all
    its figures."""
    facts: list[dict] = []
    explanations: list[dict] = []
    filled: set[tuple[int, str]] = set()
    missing: list[Rule] = []
    for r in [r for r in RULES if not r.alternative] + [r for r in RULES if r.alternative]:
        hit = _find(r, prose)
        if hit is None:
            if r.required:
                missing.append(r)
            continue
        sentence, match = hit
        line = sentence.line_at(match.start())
        figures = [(g, m) for g, m in r.metrics.items() if match.group(g) is not None]
        in_words = [m for m in r.in_words if match.span(m.words_group) != (-1, -1)]
        if r.alternative:
            unread = {m.key for _, m in figures if (report.year + m.year_offset, m.key) not in filled}
            unread |= {m.key for m in in_words if (report.year, m.key) not in filled}
            if not unread:
                continue
            figures = [(g, m) for g, m in figures if m.key in unread]
            in_words = [m for m in in_words if m.key in unread]
        sentence.consume(match, {g for g, _ in figures} | {m.sign_group for _, m in figures if m.sign_group})
        if r.explains:
            reason = STATED_REASON.search(sentence.text, match.end())
            if reason:
                explanations.append(dict(year=report.year, metric=r.explains,
                                         text_zh=sentence.norm.raw_span(*reason.span("reason")), source_line=line))
        for group, metric in figures:
            sign = match.group(metric.sign_group) if metric.sign_group else None
            raw = match.group(group)
            value = _value(metric, raw, sign, report, line)
            unit = _printed_unit(metric, sentence.text, match.end(group) + (metric.kind == "rate"))
            decimals = None
            if metric.kind == "amount":
                if not unit:
                    raise ReportError(report.path, f"no unit after the amount {raw} of {metric.label_zh}",
                                      line=line, section=SECTION_LABELS[r.section])
                value, decimals = in_wan_yuan(value, raw, unit)
            facts.append(_fact(report, metric, raw, value, line, printed_unit=unit, decimals=decimals))
            filled.add((report.year + metric.year_offset, metric.key))
        for metric in in_words:
            facts.append(_fact(report, metric, metric.stated, _value(metric, metric.stated, None, report, line), line,
                               words=_words(sentence, match, metric)))
            filled.add((report.year, metric.key))
    for r in missing:
        # Another wording that gave some of its figures stands in for it (持平 gives no change amount or
        # rate); which figures the pages cannot do without is rules/required_figures.csv's to say.
        wanted = [m.key for m in [*r.metrics.values(), *r.in_words]]
        unread = [m.key for m in [*r.metrics.values(), *r.in_words]
                  if (report.year + m.year_offset, m.key) not in filled]
        if len(unread) == len(wanted):
            raise ReportError(
                report.path,
                f"expected a sentence giving {', '.join(unread)}, found none; " + _why_not_read(r.section, prose),
                section=SECTION_LABELS[r.section],
            )
    facts.extend(extract_fleet(report, prose))
    facts.extend(_derived_prior(facts, report.year))
    return facts, explanations


# An amount followed by a unit of money that rules/amount_units.csv does not list (千元, 百万元 …).
OTHER_MONEY_UNIT = re.compile(rf"{NUM}\s*(?P<unit>[千百十]?[万亿]?元)")


def _why_not_read(section: str, prose: list[Sentence]) -> str:
    """The likeliest reason a required sentence of `section` was not read, for the error message."""
    for sentence in prose:
        if sentence.section != section:
            continue
        for match in OTHER_MONEY_UNIT.finditer(sentence.text):
            if match.group("unit") not in amount_units():
                return (f"amounts look like {match.group('unit')}: {match.group()!r} on line "
                        f"{sentence.line_at(match.start())}; amounts are read in "
                        f"{', '.join(amount_units())} (rules/amount_units.csv)")
    return ("the report may be truncated or worded in a way rules/sentences.csv and rules/phrases.csv do not "
            "know yet")


def extract_fleet(report: Report, prose: list[Sentence]) -> list[dict]:
    """The fleet by vehicle type. Types the sentence leaves out are 0 when the listed ones add up to the
    total (then the sentence says so implicitly; the rows are marked derived); otherwise they stay unstated.
    A fleet of 0 (单位共有公务用车0辆。) lists no types: each is 0."""
    for sentence in prose:
        match = FLEET_LINE.search(sentence.text) if sentence.section == "three_public" else None
        if match is None:
            continue
        line = sentence.line_at(match.start())
        total = C("fleet_total", "公务用车总数", "辆")
        rows = [_fact(report, total, match.group(1), parse_count(match.group(1), what="公务用车总数",
                                                                 path=report.path, line=line), line,
                      printed_unit="辆")]
        counts: dict[str, int] = {}
        base = match.start("list")
        for part in FLEET_PART.finditer(match.group("list") or ""):
            kind = re.sub(r"^[，、；\s]*(?:其中：)?|\s+$", "", part.group("type"))
            metric = FLEET_TYPES.get(kind)
            if metric is None:
                raise ReportError(
                    report.path,
                    f"the fleet sentence lists a vehicle type {kind!r} that rules/fleet_types.csv does not know",
                    line=line,
                    section=SECTION_LABELS["three_public"],
                    hint="add the type and the fleet metric it counts in to rules/fleet_types.csv",
                )
            counts[metric] = counts.get(metric, 0) + parse_count(part.group(2), what=kind, path=report.path, line=line)
            sentence.consumed.append((base + part.start(2), base + part.end(2)))
        sentence.consumed.append((match.start(1), match.end(1)))
        sentence.used = True
        complete = sum(counts.values()) == rows[0]["value"]
        for metric, label in FLEET_LABELS.items():
            if metric in counts or complete:
                rows.append(_fact(report, C(metric, label, "辆"), "0", counts.get(metric, 0), line,
                                  derived=metric not in counts, printed_unit="辆" if metric in counts else ""))
        return rows
    return []


def _derived_prior(facts: list[dict], year: int) -> list[dict]:
    current = {f["metric"]: f for f in facts if f["year"] == year}
    rows = []
    for metric, base, change, label in DERIVED_PRIOR:
        if base in current and change in current:
            # as precise as the less precise of the two (2 decimals in 万元; 6 for amounts printed in 元)
            decimals = max(2, min(current[base]["decimals"], current[change]["decimals"]))
            rows.append(dict(
                year=year - 1, metric=metric,
                value=round(current[base]["value"] - current[change]["value"], decimals),
                unit="万元", label_zh=label, decimals=decimals, source_line=current[change]["source_line"],
                derived=True, printed_unit="", words_zh=""))
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
                sentence.consumed.append((offset + cm.start(4), offset + cm.end(4) + 1))
                amount = parse_amount(cm.group(2), what="类 amount", path=report.path, line=line)
                rows.append(dict(
                    year=report.year, level="类", class_zh=cm.group("cls").strip(), category_zh="", item_zh="",
                    amount=in_wan_yuan(amount, cm.group(2), cm.group("unit"))[0],
                    completion_rate=None,
                    reported_share=parse_rate(cm.group(4) + "%", what="类 share", path=report.path, line=line),
                    note="", source_line=line))
            sentence.consumed.append((match.start(), match.start(1)))
            continue
        match = ITEM_LINE.match(text)
        if match:
            sentence.consume(match, {match.re.groupindex[g] for g in ("cls", "cat", "item", "amount", "unit", "rate")})
            where = dict(path=report.path, line=line)
            note = sentence.norm.raw_span(*match.span("note"))
            amount = parse_amount(match.group("amount"), what="项 amount", **where)
            rate = match.group("rate")
            rows.append(dict(
                year=report.year, level="项", class_zh=match.group("cls").strip(),
                category_zh=match.group("cat").strip(), item_zh=match.group("item").strip(),
                amount=in_wan_yuan(amount, match.group("amount"), match.group("unit"))[0],
                completion_rate=None if rate is None else parse_rate(rate + "%", what="项 completion rate", **where),
                reported_share=None, note=REASON_PREFIX.sub("", note).strip().rstrip("。"),
                source_line=line))
    if not any(r["level"] == "类" for r in rows):
        raise ReportError(
            report.path,
            "expected the sentence '…主要用于以下方面：<类>…万元，占…%' with the 类 breakdown",
            section=SECTION_LABELS["general_budget"],
        )
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


PROJECT_LIST_PLACEHOLDERS = {"{projects}": r"(?P<projects>[^，。；：]+?)", "{count}": r"\d+"}
PROJECT_NAME_SEPARATOR = "、"


@functools.cache
def project_list_rules() -> list[tuple[str, re.Pattern[str], str, str]]:
    """(section, pattern, anchor, list) of rules/project_lists.csv: the sentences that name projects."""
    rules = []
    for row in rules_table("project_lists"):
        parts = re.split(r"(\{projects\}|\{count\})", row["sentence"])
        pattern = "".join(PROJECT_LIST_PLACEHOLDERS.get(part, re.escape(part)) for part in parts)
        rules.append((row["section"], re.compile(pattern), row["anchor"], row["list"]))
    return rules


def _name_spans(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Spans of the names between `start` and `end`, split at the separator."""
    spans, a = [], start
    for b in [m.start() for m in re.finditer(PROJECT_NAME_SEPARATOR, text[start:end])] + [end - start]:
        spans.append((a, start + b))
        a = start + b + len(PROJECT_NAME_SEPARATOR)
    return spans


def extract_named_projects(report: Report, prose: list[Sentence]) -> tuple[list[dict], list[dict]]:
    """(names, unread): every project a list sentence names, as printed, with its line; and the sentences
    that carry a list's anchor wording but whose list could not be read (listed, never dropped)."""
    names: list[dict] = []
    unread: list[dict] = []
    for section, pattern, anchor, list_key in project_list_rules():
        for sentence in prose:
            if sentence.section != section or anchor not in sentence.text:
                continue
            match = pattern.search(sentence.text)
            spans = _name_spans(*match.span("projects"), sentence.text) if match else []
            listed = [(sentence.norm.raw_span(a, b).strip(), a) for a, b in spans]
            if not listed or not all(name for name, _ in listed):
                unread.append(dict(year=report.year, source_line=sentence.line, section=SECTION_LABELS[section],
                                   kind="project_list_not_read", text=sentence.norm.raw.strip(), figures=""))
                continue
            sentence.used = True
            names += [dict(year=report.year, list=list_key, project_name=name, source_line=sentence.line_at(a))
                      for name, a in listed]
    return names, unread


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
    have = {f["metric"]: f["value"] for f in facts if f["year"] == report.year}
    for row in rules_table("required_figures"):
        # `unless`: not needed when the report states so (metric=value): a unit with no 三公 spending at all
        # may leave its fleet out
        metric, _, value = row["unless"].partition("=")
        if metric and metric in have and have[metric] == to_number(value):
            continue
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
    named, unread = extract_named_projects(report, prose)
    return ProseData(facts, classes, explanations, glossary, unconsumed_lines(report, prose) + unread, named)
