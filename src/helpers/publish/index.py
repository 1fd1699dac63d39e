"""reports/index.html: what these pages are, where to start, and every page on disk in both languages, by unit.

Built from the pages on disk (a page of an earlier batch stays listed), with the template
templates/index.html.j2 and the words of chrome.csv. A page whose last run failed is marked. The
date shown is that of the inputs' version (SOURCE_DATE_EPOCH, else the last commit), never the
clock's, so an unchanged batch leaves the index byte for byte as it was.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from helpers import paths
from helpers.constants import LANGUAGES
from helpers.files import atomic_write
from helpers.publish import cache
from helpers.publish.chrome import phrase, unit_label
from helpers.publish.plan import ALL_UNITS, ALL_YEARS, load_templates, source_reports, tidy_units, version

TEMPLATE = Path(__file__).resolve().parent / "templates" / "index.html.j2"
WORDS = ["html_lang", "language_name", "index_title", "index_intro", "start_here", "no_reports", "made_from",
         "made_by", "all_years_heading"]
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(paths.ROOT), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def inputs_date() -> str:
    """The date of the inputs' version: SOURCE_DATE_EPOCH (reproducible builds), else the last commit's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git("log", "-1", "--format=%ct")
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d") if epoch.isdigit() else "?"


def _title(page: Path) -> str:
    with open(page, encoding="utf-8", errors="replace") as handle:
        match = _TITLE.search(handle.read(20000))
    return html.unescape(match.group(1)).strip() if match else page.name


def _pages(folder: Path, order: list[str], root: Path) -> list[tuple[str, dict]]:
    """One (name, {lang: {title, href, failed}}) per notebook in `folder`, in story order (hrefs from `root`)."""
    rows: dict[str, dict] = {}
    where = folder.relative_to(root).as_posix()
    for lang in LANGUAGES:
        for page in folder.glob(f"*.{lang}.html"):
            name = page.name[: -len(f".{lang}.html")]
            rows.setdefault(name, {})[lang] = {"title": _title(page), "href": f"{where}/{page.name}", "failed": ""}
        for failed in folder.glob(f"*.{lang}.failed.ipynb"):
            name = failed.name[: -len(f".{lang}.failed.ipynb")]
            cell = rows.setdefault(name, {}).setdefault(lang, {"title": name, "href": "", "failed": ""})
            cell["failed"] = phrase(lang, "failed" if cell["href"] else "failed_no_copy")
    rank = {name: i for i, name in enumerate(order)}
    return [(name, rows[name]) for name in sorted(rows, key=lambda n: (rank.get(n, len(rank)), n))]


def _year_folders(folder: Path) -> list[Path]:
    return sorted((d for d in folder.iterdir() if d.is_dir() and d.name.isdigit()), reverse=True)


def render(out_root: Path, notebook_dir: Path, tidy_dir: Path) -> str:
    """The index page (without its font): one group per unit (its years newest first, its page across the years
    first when it has two years or more, last otherwise), then the pages that compare units, per year."""
    import jinja2

    found = load_templates(notebook_dir, out_root / ".build" / "templates.json") if notebook_dir.is_dir() else []
    order = [t.name for t in found]
    reader_pages = [t.name for t in found if t.hide_code]
    known = list(tidy_units(tidy_dir))
    on_disk = sorted(d.name for d in out_root.iterdir() if d.is_dir() and not d.name.startswith(".")
                     and d.name != ALL_UNITS and (_year_folders(d) or (d / ALL_YEARS).is_dir()))
    unit_ids = [u for u in known if u in on_disk] + [u for u in on_disk if u not in known]
    groups, start, sources = [], [], []
    for unit in unit_ids:
        years = [f for f in _year_folders(out_root / unit) if _pages(f, order, out_root)]
        trend = out_root / unit / ALL_YEARS
        folders = years + ([trend] if trend.is_dir() else [])
        if trend.is_dir() and len(years) > 1:  # promoted only when there is more than one year to compare
            folders = [trend] + years
        sections = []
        for folder in folders:
            named = _pages(folder, order, out_root)
            if not named:
                continue
            if folder.name == ALL_YEARS:
                heading = {lang: phrase(lang, "all_years_heading") for lang in LANGUAGES}
            else:
                heading = {lang: phrase(lang, "year_heading", year=folder.name) for lang in LANGUAGES}
                sources.append(f"{unit} {folder.name}: {', '.join(source_reports(int(folder.name), tidy_dir, unit))}")
            sections.append({"heading_zh": heading["zh"], "heading_en": heading["en"],
                             "rows": [row for _, row in named]})
            if folder.name.isdigit() and reader_pages and not any(e["unit"] == unit for e in start):
                first = dict(named).get(reader_pages[0])
                start += [{"unit": unit, "lang": lang, "href": cell["href"], "title": cell["title"],
                           "lead": phrase(lang, "start_here_text", year=folder.name),
                           "unit_label": unit_label(tidy_dir, lang, unit) if unit in known else unit}
                          for lang, cell in (first or {}).items() if cell.get("href")]
        if sections:
            label = {lang: unit_label(tidy_dir, lang, unit) if unit in known else unit for lang in LANGUAGES}
            groups.append({"heading_zh": label["zh"], "heading_en": label["en"], "sections": sections})
    compare = out_root / ALL_UNITS
    if compare.is_dir():
        sections = [{"heading_zh": phrase("zh", "year_heading", year=f.name),
                     "heading_en": phrase("en", "year_heading", year=f.name),
                     "rows": [row for _, row in _pages(f, order, out_root)]}
                    for f in _year_folders(compare) if _pages(f, order, out_root)]
        if sections:
            groups.append({"heading_zh": phrase("zh", "all_units_heading"),
                           "heading_en": phrase("en", "all_units_heading"), "sections": sections})
    commit = _git("rev-parse", "--short", "HEAD")
    made = {"package": "luzhou-budget-story", "version": version() + (f" (commit {commit})" if commit else ""),
            "date": inputs_date()}
    words = {lang: {k: phrase(lang, k, unit=unit_label(tidy_dir, lang)) for k in WORDS} for lang in LANGUAGES}
    for lang in LANGUAGES:
        words[lang]["made_by_text"] = phrase(lang, "made_by_text", **made)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE.parent)), autoescape=False,
                                     keep_trailing_newline=True)
    # with several units, each lead names its unit: their summaries share a title
    for edition in start:
        edition["lead"] = (phrase(edition["lang"], "start_here_unit", unit=edition["unit_label"], lead=edition["lead"])
                           if len({e["unit"] for e in start}) > 1 else edition["lead"])
    context = {"groups": groups, "start": start, "sources": sources, "languages": LANGUAGES,
               "words": words}
    digest = cache.key("index", context)
    return environment.get_template(TEMPLATE.name).render(zh=words["zh"], en=words["en"], inputs_hash=digest,
                                                          **context)


def write_index(out_root: Path, notebook_dir: Path = paths.NOTEBOOKS, tidy_dir: Path = paths.TIDY) -> Path:
    """Write reports/index.html, with the Chinese font it needs; untouched when nothing it shows changed."""
    from helpers.publish.fonts import cjk_font_css, wide_chars, with_font

    out_root.mkdir(parents=True, exist_ok=True)
    page = render(out_root, notebook_dir, tidy_dir)
    path = out_root / "index.html"
    if cache.page_key(path) != cache.page_key_of(page):
        atomic_write(path, with_font(page, cjk_font_css(wide_chars(page))))
    return path
