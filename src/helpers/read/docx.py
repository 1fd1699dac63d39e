"""Flatten a report .docx into the lines the text reader understands.

The published reports are Word files. Their text form (the .txt this project also reads) puts each
paragraph on a line, and each table row as a block of cells: a cell starts with a tab, its further
paragraphs follow on lines of their own, and a blank line ends the row. A cell continued from the row
above (a vertically merged cell) is an empty cell, so the columns of a row keep their places. Flattened
this way, a .docx and its text give the same lines, hence the same tidy data.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from helpers.errors import ReportError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph_text(p) -> str:
    """The text of a w:p element: runs' text, tabs as '\\t', breaks as new lines."""
    parts = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _is_merged_continuation(tc) -> bool:
    v_merge = tc.find(f"{W}tcPr/{W}vMerge")
    return v_merge is not None and v_merge.get(f"{W}val", "continue") == "continue"


def _table_lines(tbl) -> list[str]:
    lines: list[str] = []
    for tr in tbl.iterchildren(f"{W}tr"):
        for tc in tr.iterchildren(f"{W}tc"):
            paragraphs = [] if _is_merged_continuation(tc) else \
                [_paragraph_text(p) for p in tc.iterchildren(f"{W}p")]
            cell = "\n".join(paragraphs).split("\n") if paragraphs else [""]
            lines.append("\t" + cell[0])
            lines.extend(cell[1:])
        lines.append("")
    return lines


def docx_lines(path: Path, raw: bytes) -> list[str]:
    """The report's lines from the bytes of its .docx. Raises ReportError when it is not a Word file."""
    import docx  # python-docx
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ReportError(path, "is named .docx but is not a Word file (not a zip archive)",
                          hint="open it in Word or WPS and save it as .docx again, or rename it to what it is")
    try:
        body = docx.Document(io.BytesIO(raw)).element.body
    # What python-docx raises for a damaged package: a missing part (KeyError), broken XML (LxmlError),
    # a wrong content type (ValueError), a relationship it cannot follow (AttributeError), a corrupt
    # archive member (BadZipFile, zlib.error, EOFError), or its own package errors (OpcError).
    except (OpcError, LxmlError, KeyError, ValueError, AttributeError, EOFError, zipfile.BadZipFile,
            zlib.error) as exc:
        raise ReportError(path, f"the Word file cannot be opened ({type(exc).__name__}: {exc})",
                          hint="open it in Word or WPS and save it as .docx again") from None
    lines: list[str] = []
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            lines.extend(_paragraph_text(child).split("\n"))
        elif child.tag == f"{W}tbl":
            lines.extend(_table_lines(child))
    return [line.replace("\r", "") for line in lines]
