"""Flatten a report PDF (printed from Word) into the lines the text reader understands.

The lines are those of the .txt and the .docx (see `docx`): each prose paragraph on one line, each table
row a block of cells (a cell starts with a tab, its further paragraphs follow on lines of their own, a
blank line ends the row, a vertically merged continuation cell is an empty cell). From the PDF:

- prose: a page's text lines outside its tables, rejoined into paragraphs (a line that reaches the right
  margin, so that the next line's first word would not have fitted, continues on the next line, also
  across a page break); running headers and footers (the same text at the top or bottom of most pages)
  and page numbers dropped;
- tables: ruled tables found by their lines (pdfplumber's lines strategy); a cell's wrapped lines joined
  the same way; a cell spanning columns is one cell, a cell continued from the row above an empty one; a
  table continued at the top of the next page goes on, its repeated header rows dropped;
- every line keeps where it was printed: `p12:L7`, page 12, line 7 of that page.

A PDF without a text layer (scanned) or with glyphs its fonts cannot map to Unicode ("(cid:12)") is
refused naming the pages: this reader does no OCR. Layout patterns are in rules/pdf_layout.csv.
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import ReportError
from helpers.read.normalize import rules_table

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
CID = re.compile(r"\(cid:\d+\)")
CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "size")  # what the reader uses of pdfplumber's characters
# The text up to the first place a line may break: a Latin word or number, or one character, with the
# opening brackets before it and the closing punctuation after it (neither may be parted from it).
WORD_START = re.compile(r"[（(“‘《【〔\[]*(?:[A-Za-z0-9.,%+\-/]+|.)[）)”’》】〕\]，。、；：！？,.;:!?%]*", re.S)


@functools.cache
def layout_rules(kind: str) -> tuple[re.Pattern[str], ...]:
    """The patterns of rules/pdf_layout.csv of one kind."""
    return tuple(re.compile(row["pattern"]) for row in rules_table("pdf_layout") if row["kind"] == kind)


@functools.cache
def _radicals() -> dict[int, str]:
    return {ord(row["from"]): row["to"] for row in rules_table("cjk_radicals")}


@dataclass
class Line:
    """A printed line: its characters (left to right), its box, and its number on the page."""

    chars: list[dict]
    x0: float
    x1: float
    top: float
    bottom: float
    number: int = 0

    @functools.cached_property
    def size(self) -> float:
        return statistics.median(c["size"] for c in self.chars)

    @functools.cached_property
    def text(self) -> str:
        out, last = [], None
        for c in self.chars:
            if last is not None:
                gap = c["x0"] - last["x1"]
                if gap > 0.2 * min(c["size"], last["size"]):  # a space is not drawn, only left as room
                    out.append(" " * max(1, round(gap / (0.26 * c["size"]))))
            out.append(c["text"])
            last = c
        return "".join(out).translate(_radicals())


@dataclass
class Cell:
    """A table cell: its printed lines and its text box (the cell's box less its padding)."""

    lines: list[Line]
    left: float
    right: float
    merged: bool = False      # continued from the row above (vertically merged): an empty cell
    open_below: bool = False  # no line drawn under it: it goes on at the top of the next page

    def paragraphs(self) -> list[str]:
        if self.merged or not self.lines:
            return [""]
        return [text for text, _ in _paragraphs(self.lines, self.left, self.right)]


@dataclass
class Fragment:
    """A table's part on one page: its rows as the .docx gives them (a cell per cell, an empty cell where one
    continues from the row above), each row's line number on the page, and the table's left and right."""

    rows: list[list[Cell]]
    tops: list[float]
    extent: tuple[float, float]
    numbers: list[int] = field(default_factory=list)


def _lines(chars: list[dict]) -> list[Line]:
    """Group characters into lines: a character whose middle lies within a line's height joins it."""
    lines: list[Line] = []
    for c in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        middle = (c["top"] + c["bottom"]) / 2
        for line in reversed(lines[-3:]):
            if line.top <= middle <= line.bottom:
                line.chars.append(c)
                line.x0, line.x1 = min(line.x0, c["x0"]), max(line.x1, c["x1"])
                break
        else:
            lines.append(Line([c], c["x0"], c["x1"], c["top"], c["bottom"]))
    for line in lines:
        line.chars.sort(key=lambda c: c["x0"])
    lines.sort(key=lambda line: (line.top, line.x0))
    return lines


def _continues(line: Line, after: Line, right: float) -> bool:
    """Whether `line` was broken at the width `right`: the first word of `after` would not have fitted."""
    word = WORD_START.match(after.text.lstrip()).group()
    width = sum(c["x1"] - c["x0"] for c in after.chars[: len(word)])
    return right - line.x1 < width + 0.5 * after.size


def _paragraphs(lines: list[Line], left: float, right: float) -> list[tuple[str, Line]]:
    """Lines rejoined into paragraphs within the box from `left` to `right`; each with its first line.
    A line indented from `left` starts a paragraph; so does a line after one that ended short."""
    out: list[tuple[str, Line]] = []
    previous = None
    for line in lines:
        indented = line.x0 - left > 0.8 * line.size
        item = previous is not None and re.search(r"[。；;：:]$", previous.text) and any(
            p.match(line.text) for p in layout_rules("item_start"))
        if previous is not None and not indented and not item and _continues(previous, line, right):
            text, first = out[-1]
            joint = " " if re.search(r"[A-Za-z,;]$", text) and re.match(r"[A-Za-z]", line.text) else ""
            out[-1] = (text + joint + line.text, first)
        else:
            out.append((line.text, line))
        previous = line
    return out


def _inside(c: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell(chars: list[dict], box, padding: float = 2.0) -> Cell:
    lines = _lines([c for c in chars if _inside(c, box)])
    if lines:
        padding = max(0.0, min(line.x0 for line in lines) - box[0])
    return Cell(lines, box[0] + padding, box[2] - padding)


def _drawn(edges: list[dict], x0: float, x1: float, y: float) -> bool:
    """Whether a ruled line runs under x0..x1 at height y."""
    return any(abs(e["top"] - y) < 1.5 and e["x0"] <= x0 + 2 and e["x1"] >= x1 - 2 for e in edges)


def _fragment(table, chars: list[dict], edges: list[dict], page: int) -> Fragment:
    """One table on a page. pdfplumber gives None where no cell starts: there a cell spanning columns goes on
    (nothing), or a cell from a row above (an empty cell, once, at the merged cell's first column)."""
    columns = sorted({cell[0] for cell in table.cells})
    ends = columns[1:] + [table.bbox[2]]
    tops = [min(box[1] for box in row.cells if box is not None) for row in table.rows]
    bottoms = tops[1:] + [table.bbox[3]]
    rows: list[list[Cell]] = []
    by_middle = sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2)
    middles = [(c["top"] + c["bottom"]) / 2 for c in by_middle]
    for r, row in enumerate(table.rows):
        cells: list[Cell] = []
        for c, box in enumerate(row.cells):
            if box is not None:
                band = by_middle[bisect.bisect_left(middles, box[1]): bisect.bisect_right(middles, box[3])]
                cell = _cell(band, box)
                cell.open_below = abs(box[3] - table.bbox[3]) < 1 and not _drawn(edges, box[0], box[2], box[3])
                cells.append(cell)
                continue
            x, y = (columns[c] + ends[c]) / 2, (tops[r] + bottoms[r]) / 2
            cover = next((b for b in table.cells if b[0] <= x <= b[2] and b[1] <= y <= b[3]), None)
            if cover is None:  # blank room below a column's last cell where the page breaks
                continue
            if cover[1] < tops[r] - 0.5 and abs(cover[0] - columns[c]) < 0.5:
                cells.append(Cell([], cover[0], cover[2], merged=True))
        rows.append(cells)
    return Fragment(rows=rows, tops=tops, extent=(table.bbox[0], table.bbox[2]))


def _drop_empty_rows(fragment: Fragment) -> Fragment:
    """Without the rows in which no cell starts (only merged cells going on through the page's bottom)."""
    keep = [r for r, cells in enumerate(fragment.rows) if any(not cell.merged for cell in cells)]
    fragment.rows = [fragment.rows[r] for r in keep]
    fragment.tops = [fragment.tops[r] for r in keep]
    return fragment


@dataclass
class PageContent:
    """A page's prose lines and table fragments, in reading order, and its blank or garbled state."""

    number: int
    items: list = field(default_factory=list)  # Line or Fragment, top to bottom
    has_text: bool = True
    has_images: bool = False
    cid: bool = False


PARALLEL_FROM_PAGES = 24  # a longer PDF is read by one process per core, each taking a share of the pages


def _read_range(raw: bytes, start: int, stop: int) -> list[PageContent]:
    import pdfplumber

    _quiet_pdfminer()
    with pdfplumber.open(io.BytesIO(raw), pages=list(range(start + 1, stop + 1))) as pdf:
        return [_read_page(page) for page in pdf.pages]


def _read_pages_in_parallel(raw: bytes, count: int) -> list[PageContent]:
    """The pages read by one worker process per core (pdfminer's parsing is pure Python: one core each)."""
    import multiprocessing
    import os
    import threading
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(os.cpu_count() or 1, 4))
    # Read here when forking would be unsafe: in a job of a dask worker (a thread beside the worker's event loop
    # and sockets, in a daemonic process that may not have children), where the cluster already reads reports
    # in parallel, one per worker.
    in_worker_thread = threading.current_thread() is not threading.main_thread()
    if workers == 1 or in_worker_thread or multiprocessing.current_process().daemon \
            or "fork" not in multiprocessing.get_all_start_methods():
        return _read_range(raw, 0, count)
    bounds = [round(count * k / workers) for k in range(workers + 1)]
    # fork: the workers start at once with this process's modules (spawn would import them again, and
    # cannot start from a script read on standard input)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        parts = pool.map(_read_range, [raw] * workers, bounds[:-1], bounds[1:])
        return [page for part in parts for page in part]


def _quiet_pdfminer() -> None:
    """pdfminer warns once per glyph of some embedded fonts ("Could not get FontBBox"): nothing a reader can act
    on, and slow. Its errors still show."""
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _invisible(text: str) -> bool:
    return all(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _table_settings(page) -> dict:
    """The lines strategy, with a line drawn across the bottom of the page's lowest ruled lines: a cell cut
    by the page break has its side lines but no bottom line there, and would otherwise be no cell at all."""
    verticals = [e for e in page.edges
                 if e["orientation"] == "v" and e["height"] > 2 and e["bottom"] <= page.height + 1]
    if not verticals:
        return TABLE_SETTINGS
    x0, x1 = min(e["x0"] for e in verticals), max(e["x1"] for e in verticals)
    # the lowest end of the lines between columns (a table's outer border may run on to the page's margin)
    inner = [e for e in verticals if e["x0"] > x0 + 2 and e["x1"] < x1 - 2] or verticals
    bottom = max(e["bottom"] for e in inner)
    closing = {"object_type": "line", "x0": x0, "x1": x1, "top": bottom, "bottom": bottom, "width": x1 - x0,
               "height": 0}
    return {**TABLE_SETTINGS, "explicit_horizontal_lines": [closing]}


def _read_page(page) -> PageContent:
    number = page.page_number
    chars = [{key: c[key] for key in CHAR_KEYS} for c in page.chars if c["text"].strip() and not _invisible(c["text"])]
    content = PageContent(number=number, has_text=bool(chars), has_images=bool(page.images))
    if any(CID.search(c["text"]) for c in chars):
        content.cid = True
        return content
    tables = page.find_tables(_table_settings(page)) if page.rects or page.lines else []
    fragments = []
    edges = [e for e in page.edges if e["orientation"] == "h"]
    table_chars = set()
    for table in tables:
        inside = [c for c in chars if _inside(c, table.bbox)]
        table_chars.update(id(c) for c in inside)
        fragments.append((table.bbox[1], _drop_empty_rows(_fragment(table, inside, edges, number))))
    prose = _lines([c for c in chars if id(c) not in table_chars])
    items = [(line.top, line) for line in prose] + fragments
    content.items = [item for _, item in sorted(items, key=lambda pair: pair[0])]
    # number the page's printed lines from the top: prose lines and table text lines alike
    tops = sorted([line.top for line in prose] + [line.top for line in _lines(list(
        c for c in chars if id(c) in table_chars))])
    marks: list[float] = []
    for top in tops:
        if not marks or top - marks[-1] > 2:
            marks.append(top)

    def number_at(top: float) -> int:
        return sum(1 for m in marks if m <= top + 2)

    for item in content.items:
        if isinstance(item, Line):
            item.number = number_at(item.top)
        else:
            item.numbers = [number_at(top) for top in item.tops]
    return content


def _page_ends(page: PageContent) -> list[Line]:
    """The lines among the first two and the last two things printed on a page (a table counts as one)."""
    ends = {id(item): item for item in page.items[:2] + page.items[-2:] if isinstance(item, Line)}
    return list(ends.values())


def _running(pages: list[PageContent]) -> set[int]:
    """ids of the lines that are running headers, footers or page numbers: at a page's top or bottom, a page
    number (rules/pdf_layout.csv), or the same text (numbers aside) there on at least half of the pages.
    A table's unit line (单位：万元) is never one: it is read with its table."""
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.replace(" ", ""))

    counts: dict[str, int] = {}
    for page in pages:
        for line_key in {key(line) for line in _page_ends(page)}:
            counts[line_key] = counts.get(line_key, 0) + 1
    repeated = max(2, (len(pages) + 1) // 2)
    dropped = set()
    for page in pages:
        for line in _page_ends(page):
            text = line.text.strip()
            if any(p.search(text) for p in layout_rules("unit_line")):
                continue
            if counts[key(line)] >= repeated or any(p.search(text) for p in layout_rules("page_number")):
                dropped.add(id(line))
    return dropped


def _is_title_row(row: list[list[str]]) -> bool:
    from helpers.read.decode import TABLE_TITLE

    return bool(row) and row[0][0].strip().startswith(TABLE_TITLE)


def _repeated_header(table: list[list[Cell]], fragment: list[list[Cell]]) -> int:
    """How many rows at the top of a continued table's `fragment` repeat the table's first rows.
    A table title alone is the next table, not a repeat."""
    def texts(row: list[Cell]) -> list[list[str]]:
        return [cell.paragraphs() for cell in row]

    k = 0
    while k < min(len(table), len(fragment)) and texts(table[k]) == texts(fragment[k]):
        k += 1
    return 0 if k == 1 and _is_title_row(texts(fragment[0])) else k


def _carry_over(table: list[list[Cell]], row: list[Cell]) -> bool:
    """Append the cells of `row` (the first row on a new page) to the cells left open at the bottom of the
    page before. True when the whole row was the rest of a row cut by the page break (nothing of its own)."""
    open_cells = [cell for cells in table for cell in cells if cell.open_below]
    still_open: set[int] = set()  # cells whose rest runs on over this page too (a row taller than a page)
    carried = 0
    for cell in row:
        above = next((o for o in open_cells if abs(o.left - cell.left) < 2 and abs(o.right - cell.right) < 2), None)
        if above is not None:
            above.lines.extend(cell.lines)
            if cell.open_below:
                still_open.add(id(above))
            cell.lines, cell.merged, cell.open_below = [], True, False
            carried += 1
    for cell in open_cells:
        cell.open_below = id(cell) in still_open
    return bool(row) and carried == len(row)


def pdf_lines(path: Path, raw: bytes) -> tuple[list[str], list[str]]:
    """The report's lines from the bytes of its PDF, and where each was printed (`p12:L7`).
    Raises ReportError for a PDF that cannot be opened, has no text layer or unmappable glyphs."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    _quiet_pdfminer()
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            count = len(pdf.pages)
            if count < PARALLEL_FROM_PAGES:
                pages = [_read_page(page) for page in pdf.pages]
        if count >= PARALLEL_FROM_PAGES:
            pages = _read_pages_in_parallel(raw, count)
    # What a damaged file raises: pdfplumber's wrapper of pdfminer's errors, pdfminer's own parser errors,
    # or a broken object met while reading a page (KeyError, TypeError, ValueError, AttributeError).
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReportError(path, f"the PDF is damaged and cannot be read ({type(exc).__name__}: {exc})",
                          hint="print it to PDF again from Word or WPS, or save the report as .docx") from None
    _refuse_unreadable(path, pages)
    dropped = _running(pages)
    prose = [item for page in pages for item in page.items if isinstance(item, Line) and id(item) not in dropped]
    left = _body_left([line.x0 for line in prose])
    right = max((line.x1 for line in prose), default=0.0)
    lines: list[str] = []
    where: list[str] = []
    run: list[tuple[Line, int]] = []
    table: list[list[Cell]] = []        # the rows of the table being read
    table_where: list[str] = []
    table_end: tuple[int, tuple[float, float]] | None = None  # (page, extent) of the table going on

    def flush_prose() -> None:
        page_of = {id(line): page for line, page in run}
        for text, first in _paragraphs([line for line, _ in run], left, right):
            lines.append(text)
            where.append(f"p{page_of[id(first)]}:L{first.number}")
        run.clear()

    def flush_table() -> None:
        for cells, location in zip(table, table_where, strict=True):
            for cell in cells:
                paragraphs = cell.paragraphs()
                lines.append("\t" + paragraphs[0])
                lines.extend(paragraphs[1:])
                where.extend([location] * len(paragraphs))
            lines.append("")
            where.append(location)
        table.clear()
        table_where.clear()

    for page in pages:
        for item in page.items:
            if isinstance(item, Line):
                if id(item) in dropped:
                    continue
                flush_table()
                table_end = None
                run.append((item, page.number))
                continue
            flush_prose()
            rows, numbers = item.rows, item.numbers
            continued = (table and table_end is not None and table_end[0] == page.number - 1
                         and _same_extent(table_end[1], item.extent) and item is _first_fragment(page, dropped))
            skip = _repeated_header(table, rows) if continued else 0
            if continued and not skip and rows and _is_title_row([cell.paragraphs() for cell in rows[0]]):
                continued = False  # the next table, starting at the top of the page
            if continued:
                rows, numbers = rows[skip:], numbers[skip:]
                if rows and _carry_over(table, rows[0]):
                    rows, numbers = rows[1:], numbers[1:]
            else:
                flush_table()
            table.extend(rows)
            table_where.extend(f"p{page.number}:L{number}" for number in numbers)
            table_end = (page.number, item.extent)
    flush_prose()
    flush_table()
    return lines, where


def _first_fragment(page: PageContent, dropped: set[int]):
    return next((item for item in page.items if not (isinstance(item, Line) and id(item) in dropped)), None)


def _same_extent(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 2 and abs(a[1] - b[1]) < 2


def _body_left(x0s: list[float]) -> float:
    """The text body's left edge: the leftmost place where lines start, ignoring the odd stray line."""
    counts: dict[float, int] = {}
    for x in x0s:
        counts[round(x)] = counts.get(round(x), 0) + 1
    return min((x for x, n in counts.items() if n >= max(2, len(x0s) // 50)), default=min(x0s, default=0.0))


def _refuse_unreadable(path: Path, pages: list[PageContent]) -> None:
    scanned = [p.number for p in pages if not p.has_text and p.has_images]
    if not any(p.has_text for p in pages) or scanned:
        which = _page_list(scanned or [p.number for p in pages])
        raise ReportError(path, f"the PDF has no text layer on {which} (a scanned or image-only PDF); "
                          "this reader does not do OCR",
                          hint="use the report's .docx or a PDF printed from it (with selectable text)")
    garbled = [p.number for p in pages if p.cid]
    if garbled:
        raise ReportError(path, f"the PDF's fonts give no Unicode text on {_page_list(garbled)} "
                          "(glyphs read as '(cid:N)'); the text cannot be read reliably",
                          hint="print it again with embedded Unicode fonts, or use the report's .docx")


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10]) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
    return f"page {shown}" if len(numbers) == 1 else f"pages {shown}"

