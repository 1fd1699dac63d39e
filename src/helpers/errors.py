"""The one error type the ingest raises for bad input, worded for the person who ran it."""

from __future__ import annotations

from pathlib import Path


class ReportError(ValueError):
    """A report that cannot be read as a final-accounts report.

    The message names the file, the line (1-based, as an editor shows it) or the section,
    what was found and what was expected, so the reader can open the file and fix it.
    """

    def __init__(self, path: Path | str, problem: str, *, line: int | None = None,
                 section: str | None = None, hint: str | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.section = section
        self.problem = problem
        self.hint = hint
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if section:
            where += f" (section {section})"
        message = f"{where}: {problem}"
        if hint:
            message += f"\n  what to do: {hint}"
        super().__init__(message)

    def __reduce__(self):
        # A report read in a worker process (helpers.executors) raises there; the error travels back pickled.
        return (_rebuild, (type(self), self.path, self.problem, self.line, self.section, self.hint))


def _rebuild(kind: type, path: Path, problem: str, line: int | None, section: str | None, hint: str | None):
    return kind(path, problem, line=line, section=section, hint=hint)
