"""`make share`: one zip of a unit's year (its pages and an index of them) that works offline once unpacked.

The zip keeps the layout of reports/: the pages under <unit>/<year>/ and an index.html at the top, so every
link of a page (its neighbours and other edition beside it, "all reports" at ../../index.html) stays inside
the zip. Each page's footer names this zip (helpers.publish.chrome.share_name), for a page received alone.
The zip is written beside its final name and moved in (never half a zip); the same pages make the same bytes
(members sorted, dated by SOURCE_DATE_EPOCH or 1980-01-01).

    python -m helpers.publish.share [--units ID …] [--years YEAR …] [--reports reports] [--out reports/share]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from helpers import paths
from helpers.constants import LANGUAGES
from helpers.publish.chrome import phrase, share_name, unit_label
from helpers.publish.plan import ALL_UNITS

INDEX = "index.html"
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_YEAR = re.compile(r"^\d{4}$")


class ShareRefused(ValueError):
    """Nothing to share for what was asked (no pages of that unit and year)."""


def unit_years(reports: Path) -> dict[str, list[int]]:
    """{unit id: [years]} of the pages built under `reports` (reports/<unit>/<year>/*.html; the comparisons of
    units, reports/all_units/<year>/, are no unit's)."""
    found: dict[str, list[int]] = {}
    for folder in sorted(p for p in Path(reports).glob("*/*") if p.is_dir() and _YEAR.match(p.name)
                         and p.parent.name != ALL_UNITS):
        if any(folder.glob("*.html")):
            found.setdefault(folder.parent.name, []).append(int(folder.name))
    return found


def _title(page: Path) -> str:
    match = _TITLE.search(page.read_text(encoding="utf-8", errors="replace"))
    return html.unescape(match.group(1)).strip() if match else page.stem


def index_html(unit: str, year: int, pages: list[Path], tidy_dir: Path | None = None) -> str:
    """The zip's index: the unit's pages of the year in each language, linked by their titles."""
    tidy = Path(tidy_dir) if tidy_dir else paths.TIDY
    sections = []
    for lang in LANGUAGES:
        own = [p for p in pages if p.name.endswith(f".{lang}.html")]
        if not own:
            continue
        items = "\n".join(f'    <li><a href="{html.escape(f"{unit}/{year}/{p.name}")}">'
                          f"{html.escape(_title(p))}</a></li>" for p in own)
        heading = phrase(lang, "share_heading", unit=unit_label(tidy, lang, unit, year), year=year)
        sections.append(f'<section lang="{phrase(lang, "html_lang")}">\n  <h2>{html.escape(heading)}</h2>\n'
                        f'  <p>{html.escape(phrase(lang, "share_intro"))}</p>\n  <ul>\n{items}\n  </ul>\n</section>')
    title = " / ".join(phrase(lang, "share_heading", unit=unit_label(tidy, lang, unit, year), year=year)
                       for lang in LANGUAGES)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{phrase(LANGUAGES[0], "html_lang")}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n"
            "<style>body { font-family: sans-serif; max-width: 42em; margin: 1em auto; padding: 0 1em; "
            "line-height: 1.6; } a { color: #1f5f8b; }</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(sections) + "\n</main>\n</body>\n</html>\n")


def _stamp() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(max(int(epoch), 315532800), UTC) if epoch.isdigit() else datetime(1980, 1, 1)
    return moment.timetuple()[:6]


def share(unit: str, year: int, reports: Path = paths.REPORTS, out: Path | None = None,
          tidy_dir: Path | None = None) -> Path:
    """Write the zip of `unit`'s pages of `year` (see the module docstring) and return its path."""
    reports = Path(reports)
    folder = reports / unit / str(year)
    pages = sorted(folder.glob("*.html"))
    if not pages:
        built = ", ".join(f"{u} {y}" for u, ys in unit_years(reports).items() for y in ys) or "none"
        raise ShareRefused(f"no pages of {unit} for {year} under {reports} (built: {built}); run make reports first")
    out = Path(out) if out else reports / "share"
    out.mkdir(parents=True, exist_ok=True)
    target = out / share_name(unit, year)
    members = {INDEX: index_html(unit, year, pages, tidy_dir).encode("utf-8")}
    members |= {f"{unit}/{year}/{p.name}": p.read_bytes() for p in pages}
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(members):
                info = zipfile.ZipInfo(name, date_time=_stamp())
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, members[name])
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zip a unit's pages of a year, with an index, for sharing offline")
    parser.add_argument("--units", nargs="*", default=[], help="unit ids (default: every unit with pages)")
    parser.add_argument("--years", nargs="*", type=int, default=[], help="years (default: each unit's latest)")
    parser.add_argument("--reports", type=Path, default=paths.REPORTS, help="the built pages (default: reports/)")
    parser.add_argument("--out", type=Path, default=None, help="where the zips go (default: <reports>/share/)")
    args = parser.parse_args(argv)
    built = unit_years(args.reports)
    units = args.units or sorted(built)
    if not units:
        print(f"share: no pages under {args.reports}; run make reports first", file=sys.stderr)
        return 2
    try:
        for unit in units:
            years = args.years or built.get(unit, [])[-1:] or [0]
            for year in years:
                print(share(unit, year, args.reports, args.out))
    except ShareRefused as exc:
        print(f"share: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
