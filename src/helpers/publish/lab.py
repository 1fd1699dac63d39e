"""JupyterLab on the templates: the save hook `make lab` installs so that templates stay clean.

Running a template in JupyterLab and saving it (autosave does, every two minutes) would write its
outputs into the committed notebook. The hook drops them from what is saved: the file keeps the
code and the prose; the executed pages are the batch's, under reports/. The git filter
(nbstripout, installed by `make setup`) cleans commits as well, for templates edited elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

# JupyterLab's `--config=…` loads this file (see main below, the Makefile's `lab` target and
# tests/test_jupyter_server.py).
SERVER_CONFIG = Path(__file__).resolve().with_name("jupyter_server_config.py")


def strip_outputs(model: dict, path: str = "", contents_manager=None, **_: object) -> int:
    """Jupyter's pre-save hook: remove outputs, execution counts and run metadata (papermill's, the kernel's
    language_info) from a notebook about to be saved. Returns the number of cells that had outputs (and logs it,
    when any had)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return 0
    notebook = model["content"]
    stripped = 0
    for cell in notebook.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
        if cell.get("cell_type") != "code":
            continue
        stripped += bool(cell.get("outputs") or cell.get("execution_count") is not None)
        cell["outputs"], cell["execution_count"] = [], None
    # the kernel's language_info (version, mimetype, lexer…) is the run's, not the template's: kept, it would make
    # git see every saved template as changed
    for key in ("papermill", "language_info"):
        notebook.get("metadata", {}).pop(key, None)
    if stripped and contents_manager is not None:
        contents_manager.log.info("%s saved without the outputs of %d cell(s): templates stay clean "
                                  "(`make reports` writes the executed pages under reports/)", path, stripped)
    return stripped


def main(argv: list[str] | None = None) -> None:
    """`make lab`: JupyterLab with the arguments given, started without compiling jsonschema's IRI grammars.

    The server imports jsonschema (through jupyter-events), which compiles rfc3987_syntax's grammars at import:
    about 3 s of the server's 5 s start on this machine (2.0 s without them), for a check that no schema of a
    start uses. The stand-in of `kernels.skip_iri_grammars` leaves them for the first check that does, as the
    batch and the git filter do.
    """
    from helpers.publish.kernels import skip_iri_grammars

    skip_iri_grammars()
    from jupyterlab.labapp import LabApp

    LabApp.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
