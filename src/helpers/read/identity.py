"""Who published the report: the unit's name as the report itself states it.

Pages name the unit in their titles and sentences; a report of another unit under the same template must
never be narrated under this project's first unit. The sentences that name a unit are a rules table
(rules/unit_name.csv); a report in which none of them matches stops the ingest with what was expected.
"""

from __future__ import annotations

import re

from helpers.errors import ReportError
from helpers.read.decode import Report
from helpers.read.normalize import rules_table

PATTERNS = [re.compile(row["pattern"]) for row in rules_table("unit_name")]


def unit_name(report: Report) -> dict:
    """The row of reports.csv for `report`: the unit's name (unit_zh) and the line that states it."""
    # The first line that names the unit, by any of the rules: the title or 机构设置 before the evaluation report.
    for index in range(report.prose_end):
        for pattern in PATTERNS:
            match = pattern.search(report.text(index))
            if match:
                return dict(year=report.year, unit_zh=match.group("unit"), source_line=index + 1)
    raise ReportError(report.path, "no sentence names the unit that publishes the report", section="第一部分 单位概况",
                      hint="expected e.g. 'XX属XX下属…单位' under 机构设置; if this unit words it differently, add "
                           "the sentence to src/helpers/read/rules/unit_name.csv")
