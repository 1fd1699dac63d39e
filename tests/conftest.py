"""Shared fixtures: the committed 2023 report, and its tidy tables ingested once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import paths
from helpers.ingest import ingest
from helpers.tidy import read_table

REPORT_2023 = paths.RAW / "2023" / "luzhou_traffic_police_2023_final_accounts.txt"


@pytest.fixture(scope="session")
def report_path() -> Path:
    return REPORT_2023


@pytest.fixture(scope="session")
def report_lines(report_path) -> list[str]:
    return report_path.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def tidy_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tidy")
    ingest([REPORT_2023], out)
    return out


@pytest.fixture(scope="session")
def tables(tidy_dir):
    names = ["facts", "functional_classification", "projects", "project_funding", "indicators", "glossary",
             "unconsumed_lines"]
    return {name: read_table(name, tidy_dir) for name in names}


@pytest.fixture(scope="session")
def fact(tables):
    """fact(metric, year=2023) -> (value, row) for one stated figure."""
    facts = tables["facts"]

    def lookup(metric: str, year: int = 2023):
        rows = facts[(facts["metric"] == metric) & (facts["year"] == year)]
        assert len(rows) == 1, f"expected one {metric} for {year}, found {len(rows)}"
        return rows.iloc[0]["value"], rows.iloc[0]
    return lookup
