"""Shared fixtures: the committed 2023 report, and its tidy tables ingested once per session."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from helpers import paths
from helpers.publish.kernels import skip_iri_grammars

skip_iri_grammars()  # before nbformat, papermill or frictionless is imported: see its docstring

# Damaged-report fuzzing (tests/test_fuzz.py): `full` under `make test`, a smoke run of the same
# properties under `make test-fast`, and `explore` (FUZZ_EXAMPLES=500, new random examples) by hand.
settings.register_profile("full", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fast", parent=settings.get_profile("full"), max_examples=3)
settings.register_profile("explore", parent=settings.get_profile("full"), derandomize=False,
                          max_examples=int(os.environ.get("FUZZ_EXAMPLES", 200)))


# Pages show the day they were built (helpers.publish.chrome.build_date): the tests build them all on one day,
# so that pages of different batches compare byte for byte (2024-06-30, UTC).
TEST_BUILD_DATE, TEST_BUILD_EPOCH = "2024-06-30", "1719705600"
os.environ.setdefault("SOURCE_DATE_EPOCH", TEST_BUILD_EPOCH)


def pytest_configure(config):
    if not config.getoption("--hypothesis-profile"):  # the command line's profile wins
        settings.load_profile("explore" if os.environ.get("FUZZ_EXAMPLES") else "full")

REPORT_2023 = paths.RAW / "2023" / "luzhou_traffic_police_2023_final_accounts.txt"


@pytest.fixture(scope="session")
def report_path() -> Path:
    return REPORT_2023


@pytest.fixture(scope="session")
def report_lines(report_path) -> list[str]:
    return report_path.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def tidy_dir(tmp_path_factory) -> Path:
    # imported here, not at the top: xdist's controller process, which runs no test, loads this file before it starts
    # the workers, and pandas with the ingest took 0.4 s of that
    from helpers.data.ingest import ingest

    out = tmp_path_factory.mktemp("tidy")
    ingest([REPORT_2023], out)
    return out


@pytest.fixture(scope="session")
def tables(tidy_dir):
    from helpers.data.schema import read_table

    names = ["facts", "functional_classification", "projects", "project_funding", "indicators", "glossary",
             "named_projects", "unconsumed_lines"]
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


NAMES = ["01_overview", "02_three_public", "03_low_execution", "04_summary", "05_audit", "06_self_evaluation"]


def digests(folder: Path, pattern: str = "*.ipynb") -> dict[str, str]:
    """sha256 of every file matching `pattern` under `folder` (hidden files aside), by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob(pattern)) if p.is_file() and not p.name.startswith(".")}


# Fixtures that execute notebooks in a kernel: a test using one is slow, wherever it lives.
NOTEBOOK_FIXTURES = {"batch_run", "editions", "pages", "units_batch"}


# Fixtures that build pages, a server, a browser or several reports' tidy data once for the tests that read
# them. `make test` and `make test-fast` run on two workers (pytest-xdist, --dist loadgroup): every test that
# reads one of these runs on the worker that built it, so nothing is built twice; the first one named decides
# (batch_run's tests include pages read in a browser). A module's own fixture of one of these names (test_units'
# and test_years' `tidy`) is its module's group. Tests without one are shared out as they come.
SHARED_BUILDS = ("batch_run", "units_batch", "two_years", "built_once", "server", "small", "docx_2023", "browser",
                 "realworld", "baseline", "raw_dirs", "tidy", "three", "stream")


def _group(item, name: str) -> str:
    definitions = getattr(item, "_fixtureinfo", None) and item._fixtureinfo.name2fixturedefs.get(name)
    if definitions and definitions[-1].scope == "module":
        return f"{item.path.stem}.{name}"
    return name


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the test ids
def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if NOTEBOOK_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        shared = next((name for name in SHARED_BUILDS if name in fixtures), None)
        if shared:
            item.add_marker(pytest.mark.xdist_group(_group(item, shared)))


@pytest.hookimpl(tryfirst=True)  # before xdist sends the workers' test ids to its scheduler
def pytest_collection_finish(session):
    """xdist 3.8 tells its scheduler a test's group by appending "@group" to the test's id (item._nodeid), which
    pytest 9.2's structured ids (item._id) no longer read: every group was silently shared out test by test, each
    worker building pages of its own (pytest-dev/pytest-xdist#1386). Append it where pytest 9.2 reads it, as
    xdist's fix does (pytest-dev/pytest-xdist#1388); nothing to do once xdist does it itself."""
    if not session.config.getoption("loadgroup", default=False):  # set in xdist's workers under --dist loadgroup
        return
    from _pytest.nodeid import NodeId

    for item in session.items:
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                         for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix) and isinstance(getattr(item, "_id", None), NodeId):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture(scope="session")
def kernel_template():
    """One kernel template process for the whole session: every batch and papermill run of a test forks
    its kernels from it instead of starting one per notebook (see helpers.publish.forkserver)."""
    from helpers.publish.kernels import template_process

    with template_process():
        yield


@pytest.fixture(autouse=True)
def _citations_by_line_unless_a_test_sets_them():
    """A Page cites lines by the sections of its report (helpers.story.wording.use_citations, per process): a
    test that made one leaves the next test citing by line, as wording does without a page."""
    yield
    from helpers.story import wording

    wording.use_citations([])
    wording.use_pages({})


@pytest.fixture(autouse=True)
def _forked_kernels_for_slow_tests(request):
    """Slow tests (the ones that run notebooks) share the session's kernel template process; the fast
    ones never pay for starting it."""
    if request.node.get_closest_marker("slow"):
        request.getfixturevalue("kernel_template")


@pytest.fixture(scope="session")
def batch_run(tmp_path_factory, tidy_dir):
    """Every notebook for 2023, run once per session through the batch into a temporary folder."""
    from helpers.publish.batch import run_batch

    out = tmp_path_factory.mktemp("reports")
    before = digests(paths.NOTEBOOKS)
    result = run_batch([2023], out_root=out, tidy_dir=tidy_dir, progress=False)
    assert digests(paths.NOTEBOOKS) == before, "the batch modified a template"
    # every test reading these pages reads all of them: a page that failed fails them all, loudly
    assert not result.failures, [(o.job.template, o.job.lang, o.error) for o in result.failures]
    return out, result


UNIT_ID = "luzhou-traffic-police"  # the 2023 report's unit, as data/names/units.csv names it


UNITS_BATCH_NOTEBOOKS = ("04_summary", "07_trend", "08_compare")


@pytest.fixture(scope="session")
def units_batch(tmp_path_factory):
    """Two units of 2023 (the 2023 report and 泸州市某某局 of tests/units.py) and the first unit's 2024 report,
    ingested together and built once per session through the batch, with only the pages the unit tests read
    (the summary, the trend per unit, the comparison per year)."""
    import shutil

    from helpers.data.ingest import main
    from helpers.publish.batch import run_batch
    from units import OTHER_STEM, other_unit, write_report
    from variants import report_2024

    root = tmp_path_factory.mktemp("units_batch")
    write_report(root / "raw", 2023, REPORT_2023.stem, REPORT_2023.read_text(encoding="utf-8"))
    write_report(root / "raw", 2023, OTHER_STEM, other_unit())
    write_report(root / "raw", 2024, "luzhou_2024", report_2024())
    assert main(["--raw", str(root / "raw"), "--out", str(root / "tidy")]) == 0
    templates = root / "templates"
    templates.mkdir()
    for name in UNITS_BATCH_NOTEBOOKS:
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", templates)
    out = root / "reports"
    result = run_batch(None, notebook_dir=templates, out_root=out, tidy_dir=root / "tidy", progress=False)
    return root, out, result


def page(out: Path, name: str, lang: str = "en", year: int | str = 2023, unit: str = UNIT_ID) -> Path:
    """The HTML page the batch writes for notebook `name` (reports/<unit>/<year>/<name>.<lang>.html)."""
    return Path(out) / unit / str(year) / f"{name}.{lang}.html"


def executed(out: Path, name: str, lang: str = "en", year: int | str = 2023) -> Path:
    """The executed notebook beside that page: tests read the session's batch instead of running it again."""
    return page(out, name, lang, year).with_suffix(".ipynb")


def narrative(notebook_path: Path) -> list[str]:
    """The Markdown the notebook's code cells displayed: its computed sentences."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    return ["".join(o["data"]["text/markdown"]) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]


def visible_text(html: str) -> str:
    """The visible text of a page, roughly: tags removed, entities left as they are."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S))
