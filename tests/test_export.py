"""The page exporter gives nbconvert's page without its whole-page BeautifulSoup pass (see publish/export.py)."""

from __future__ import annotations

import pytest

from conftest import executed, visible_text
from helpers.publish import export, fonts
from helpers.publish.chrome import phrase


def stock_exporter(lang: str):
    """nbconvert's own HTMLExporter on the same template and settings as `export.html_exporter`."""
    from nbconvert import HTMLExporter

    stock = HTMLExporter(template_name="offline", extra_template_basedirs=[str(export.TEMPLATES)])
    stock.exclude_input_prompt = stock.exclude_output_prompt = True
    stock.language_code = phrase(lang, "html_lang")
    return stock


def same_page(notebook, lang: str) -> tuple[str, str]:
    ours, _ = export.html_exporter(False, lang).from_notebook_node(notebook)
    theirs, _ = stock_exporter(lang).from_notebook_node(notebook)
    return ours, theirs


def test_the_page_is_nbconverts_page_for_code_html_images_and_markdown():
    import nbformat
    from bs4 import BeautifulSoup

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell('html = "</script><b>x</b> & <img src=x onerror=alert(1)>"  # 中文\nprint(1 < 2)')
    code.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": "<table><tr><td>1</td></tr></table>"}),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo="}),
        nbformat.v4.new_output("display_data", {"text/html": '<img src="data:image/png;base64,AA==">'}),
        nbformat.v4.new_output("stream", name="stdout", text="a < b\n")]
    code.outputs.append(nbformat.v4.new_output("display_data", {"text/markdown": "## 这些数字可靠吗？\n\n中文 &lt;"}))
    nb.cells = [nbformat.v4.new_markdown_cell("# Title 标题\n\nSome *text* <b>bold</b>"), code]
    ours, theirs = same_page(nb, "en")
    assert BeautifulSoup(ours, "html.parser") == BeautifulSoup(theirs, "html.parser")
    # the markup nbconvert adds in its own pass: focusable areas, alt text for an image without one
    assert ours.count('class="jp-Cell-inputWrapper" tabindex="0"') == 2  # the Markdown cell and the code cell
    assert ours.count('jp-OutputArea-output" tabindex="0"') + ours.count('jp-OutputArea-output " tabindex="0"') >= 1
    assert f'<img alt="{export.NO_ALT}"' in ours
    # inline HTML in Markdown keeps its content (nbconvert's embed_images would give "<b></b>bold")
    assert "<b>bold</b>" in ours
    # headings carry their characters, not references to them (the font is cut to what the page shows)
    assert ">这些数字可靠吗？<" in ours and ">Title 标题<" in ours and "&#" not in visible_text(ours)
    assert {"这", "题"} <= fonts.wide_chars(ours)
    # the code is escaped by Pygments: nothing of it is markup
    assert "<img src=x" not in ours and "</script><b>" not in ours


@pytest.mark.slow
@pytest.mark.parametrize(("name", "lang"), [("01_overview", "en"), ("05_audit", "zh")])
def test_built_pages_are_nbconverts_pages(batch_run, name, lang):
    import nbformat
    from bs4 import BeautifulSoup

    out, _ = batch_run
    notebook = nbformat.read(executed(out, name, lang), as_version=4)
    ours, theirs = same_page(notebook, lang)
    assert BeautifulSoup(ours, "html.parser") == BeautifulSoup(theirs, "html.parser")

