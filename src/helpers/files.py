"""Writing files so that a reader never sees half of one: write beside the target, then move it in.

An interrupt, a full disk or an error leaves the old file (or no file) in place, never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

SHARED_MODE = 0o644  # mkstemp makes 0600; data and reports are meant to be read by others


def atomic_write(path: Path, content: str | bytes) -> Path:
    """Write `content` (text is UTF-8) to `path` through a temporary file in the same folder."""
    with atomic_file(path) as handle:
        handle.write(content.encode("utf-8") if isinstance(content, str) else content)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: Path):
    """A binary file to write `path` through piece by piece: written beside it and moved in when the block ends
    without an error (then the old file, or no file, stays)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, SHARED_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(out_dir: Path, payloads: dict[str, bytes]) -> list[Path]:
    """Write every file of `payloads` (name -> bytes) into `out_dir`, all or nothing.

    Every file is written into a temporary folder on the same file system first; only when all
    are complete are they moved over the old ones (each move is atomic), so an error while
    writing leaves `out_dir` as it was.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for filename, payload in payloads.items():
            (staging / filename).write_bytes(payload)
            os.chmod(staging / filename, SHARED_MODE)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for filename in payloads:
            os.replace(staging / filename, out_dir / filename)
            written.append(out_dir / filename)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def compiled_templates(kind: str):
    """Where Jinja2 keeps the compiled templates of `kind` ("wording", "pages"), beside the installed packages (as
    Python keeps its .pyc files): compiling a set takes up to a second, loading it compiled a few hundredths. Jinja2
    keys each by the template's source (an edited template is compiled again) and Python's bytecode version. None
    when the environment is read-only."""
    import sys

    import jinja2

    folder = Path(sys.prefix) / "share" / "luzhou-budget" / f"{kind}-jinja{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None
