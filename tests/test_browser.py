"""The exported reports in a real browser: headless Chromium, offline, opened from disk.

Needs Debian's `chromium` (`apt-get install chromium`; `.ci/run` installs it). Without it these
tests skip, except under CI, where a missing browser fails the run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.data.ingest import ingest
from helpers.publish.batch import run_batch
from tests.conftest import NAMES, page

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        message = "Chromium is not installed: `apt-get install chromium` (Debian) to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def open_offline(browser, page_path: Path):
    """Open a page from disk with the network off; return (page, requests, console errors)."""
    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    return page, requests, errors


@pytest.fixture(scope="module")
def opened(browser, batch_run):
    """Every page of the session's batch opened offline once, as a reader first sees it: (page, requests, console
    errors, its Chinese text drawn in a font other than the embedded one) by (name, language). Two tests read each
    page as it opens (opening one takes most of a second); the second of them may then click and print it."""
    out, _ = batch_run
    tabs = {}
    for name, lang in [(name, lang) for name in NAMES for lang in ("zh", "en")]:
        tab, requests, errors = open_offline(browser, page(out, name, lang))
        tabs[name, lang] = (tab, requests, errors, unembedded_chinese(tab))
    yield tabs
    for tab, *_ in tabs.values():
        tab.context.close()


def test_every_report_opens_offline_without_requests_or_errors(batch_run, opened):
    out, _ = batch_run
    for (name, lang), (tab, requests, errors, _) in opened.items():
        path = page(out, name, lang)
        assert requests == [path.resolve().as_uri()], f"{name} fetched {requests[1:]}"
        assert errors == [], f"{name}: {errors}"
        assert tab.title().startswith("2023")
        assert tab.locator("header.report-banner h1").inner_text() == tab.title()
        widths = tab.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
        # the summary tells its three points in words; every other page has charts, all of them shown
        assert (widths or name == "04_summary") and all(w > 100 for w in widths), f"{name}: charts not shown {widths}"
        # every chart says what it shows, in the page's language (never nbconvert's "No description …")
        alts = tab.evaluate("Array.from(document.images).map(i => i.alt)")
        assert all(len(alt) > 10 and "No description" not in alt for alt in alts), f"{name}: {alts}"
        if lang == "zh":
            assert all(re.search(r"[\u4e00-\u9fff]", alt) for alt in alts), f"{name}: {alts}"
        assert tab.locator(".report-notice").is_visible()
        # it opens on prose: one title (the banner's), no parameters or setup code, each step's code folded
        shown_code = "Array.from(document.querySelectorAll('.jp-InputArea')).filter(e => e.checkVisibility()).length"
        assert tab.locator("h1").count() == 1, name
        assert "year: int = " not in tab.content() and "page = Page(" not in tab.content(), name
        assert tab.evaluate(shown_code) == 0, name
        disclosures = tab.locator("details.report-code > summary")
        if name == "04_summary":  # for readers who do not code: no code at all
            assert disclosures.count() == 0
        else:
            assert disclosures.count() > 3 and disclosures.first.inner_text() == {"zh": "显示代码",
                                                                                  "en": "Show the code"}[lang]
            disclosures.first.click()
            assert tab.evaluate(shown_code) == 1, name
        # printing leaves the code out and keeps the story
        tab.emulate_media(media="print")
        assert tab.evaluate(shown_code) == 0, name
        assert tab.locator("footer.report-about").is_visible()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.parametrize("width", [1100, 390], ids=["desktop", "phone"])
def test_pages_pass_an_automated_wcag_check(browser, batch_run, width):
    """axe-core (the engine behind most automated WCAG checks) finds no level A or AA violation on a page of
    each language, with code shown, and on the index, at desktop and phone widths."""
    from axe_playwright_python.sync_playwright import Axe

    out, _ = batch_run
    axe = Axe()
    for path in (page(out, "01_overview", "zh"), page(out, "05_audit", "en"), page(out, "04_summary", "en"),
                 out / "index.html"):
        context = browser.new_context(offline=True, viewport={"width": width, "height": 844})
        tab = context.new_page()
        tab.goto(path.resolve().as_uri(), wait_until="load")
        found = axe.run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]}).response["violations"]
        context.close()
        assert [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in found] == [], path.name


def test_on_a_phone_tables_scroll_inside_the_page_and_text_reads_from_the_left(browser, batch_run):
    out, _ = batch_run
    context = browser.new_context(offline=True, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(page(out, "05_audit", "en").resolve().as_uri(), wait_until="load")
    assert tab.evaluate("document.documentElement.scrollWidth") == 390  # the page itself never scrolls sideways
    widths = tab.evaluate("[...document.querySelectorAll('table')].map(t => [t.clientWidth, t.scrollWidth])")
    assert widths and all(client <= 390 for client, _ in widths)
    assert any(scroll > client for client, scroll in widths), "no table is wider than a phone: test a wider one"
    cells = tab.evaluate("""[...document.querySelectorAll('table tbody td')]
        .map(td => [td.textContent.trim(), getComputedStyle(td).textAlign])""")
    context.close()
    words = [align for text, align in cells if re.search(r"[A-Za-z\u4e00-\u9fff]{3}", text)]
    numbers = [align for text, align in cells if re.fullmatch(r"[−-]?[\d,]+(\.\d+)?%?", text)]
    assert words and set(words) == {"left"} and numbers and set(numbers) == {"right"}


def test_the_index_leads_to_every_page_and_each_page_back(browser, batch_run):
    out, _ = batch_run
    tab, requests, errors = open_offline(browser, out / "index.html")
    assert errors == [] and len(requests) == 1
    assert tab.evaluate("document.documentElement.lang") == "zh-CN"
    # the place to start is the summary, in Chinese first (the default edition); its twin is one click away
    tab.locator(".start a").first.click()
    assert tab.url.endswith("/2023/04_summary.zh.html")
    tab.locator('a[rel="next"]').first.click()
    assert tab.url.endswith("/2023/01_overview.zh.html")
    tab.locator('a[hreflang="en"]').first.click()
    assert tab.url.endswith("/2023/01_overview.en.html")
    tab.locator('a[rel="index"]').first.click()
    assert tab.url.endswith("/index.html")
    tab.context.close()


def test_chinese_text_uses_the_embedded_font(browser, batch_run):
    out, _ = batch_run
    tab, _, _ = open_offline(browser, page(out, "04_summary"))
    assert tab.evaluate("document.fonts.check('16px \"Report CJK\"', '泸州')")
    assert tab.evaluate("Array.from(document.fonts).some(f => f.family === 'Report CJK' && f.status === 'loaded')")
    tab.context.close()


CJK = re.compile(r"[\u3400-\u9fff]")


def unembedded_chinese(tab) -> list[str]:
    """Texts whose Chinese characters the browser drew with a font other than the embedded one.

    Asks Chromium which fonts rendered each element's own text (DevTools' getPlatformFontsForNode):
    on a machine without a system CJK font, any Chinese glyph not drawn by the page's own
    (custom) font is a box. Headings, the banner and the nav links once were, while body text was fine.
    """
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    missing, stack = [], [cdp.send("DOM.getDocument", {"depth": -1, "pierce": False})["root"]]
    while stack:
        node = stack.pop()
        children = node.get("children", [])
        stack.extend(c for c in children if c["nodeType"] == 1 and c["nodeName"] not in ("HEAD", "STYLE", "SCRIPT"))
        own = "".join(c["nodeValue"] for c in children if c["nodeType"] == 3)
        if not CJK.search(own):
            continue
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        if not fonts:  # not drawn at all (hidden)
            continue
        embedded = sum(f["glyphCount"] for f in fonts if f["isCustomFont"])
        if embedded < len(CJK.findall(own)):
            missing.append(f"<{node['nodeName'].lower()}> {own.strip()[:40]!r}: {fonts}")
    cdp.detach()
    return missing


def test_every_chinese_character_is_drawn_with_the_embedded_font(browser, batch_run, opened):
    out, _ = batch_run
    tab, _, _ = open_offline(browser, out / "index.html")
    assert unembedded_chinese(tab) == [], "index.html"
    tab.context.close()
    assert len(opened) == 2 * len(NAMES)
    for (name, lang), (_, _, _, unembedded) in opened.items():
        assert unembedded == [], f"{name}.{lang}.html"


def test_screenshot_of_the_summary_for_people(browser, batch_run, tmp_path):
    out, _ = batch_run
    tab, _, _ = open_offline(browser, page(out, "04_summary"))
    target = tmp_path / "2023_04_summary.png"  # tests write only to temporary folders
    tab.screenshot(path=str(target), full_page=True)
    tab.context.close()
    assert target.stat().st_size > 50_000


HOSTILE = {
    # report line (1-based): (text as printed, hostile replacement)
    1770: ("51050022T000000367106-车驾管业务项目",
           "51050022T000000367106-<script>window.__pwned='script'</script>车驾管业务项目"),
    1811: ("按根据库存及实际使用情况，部分暂缓购买导致执行率未达到90%",
           "<img src=x onerror=\"window.__pwned='img'\">部分暂缓购买 [点此](javascript:window.__pwned='link')"),
    3763: ("城市道路交通信号绿波协调控制", "<a href=\"javascript:window.__pwned='a'\">绿波</a>协调控制"),
}


def test_hostile_report_text_is_shown_literally_and_runs_nothing(browser, report_lines, tmp_path):
    lines = list(report_lines)
    for number, (printed, hostile) in HOSTILE.items():
        assert printed in lines[number - 1], (number, lines[number - 1])
        lines[number - 1] = lines[number - 1].replace(printed, hostile)
    report = tmp_path / "raw" / "hostile.txt"
    report.parent.mkdir()
    report.write_text("\n".join(lines), encoding="utf-8")
    tidy = tmp_path / "tidy"
    ingest([report], tidy)
    assert "<script>window.__pwned='script'</script>" in (tidy / "projects.csv").read_text(encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("03_low_execution", "04_summary", "05_audit", "06_self_evaluation"):
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", folder)
    result = run_batch([2023], notebook_dir=folder, out_root=tmp_path / "reports", tidy_dir=tidy, progress=False)
    assert not result.failures, [f.error for f in result.failures]
    shown = {"03_low_execution": ["<script>window.__pwned='script'</script>", "onerror=\"window.__pwned='img'\""],
             "04_summary": ["<script>window.__pwned='script'</script>", "[点此](javascript:window.__pwned='link')"],
             "05_audit": ["<a href=\"javascript:window.__pwned='a'\">绿波</a>"],
             "06_self_evaluation": ["<a href=\"javascript:window.__pwned='a'\">绿波</a>"]}
    for name, texts in shown.items():
        tab, requests, errors = open_offline(browser, page(tmp_path / "reports", name))
        body = tab.inner_text("body")
        for text in texts:
            assert text in body, f"{name} does not show {text!r} literally"
        # click every link, as a curious reader would: none may run script
        for link in tab.locator("a").all():
            href = link.get_attribute("href") or ""
            assert not href.strip().lower().startswith("javascript:"), f"{name}: live javascript: link {href}"
        assert tab.evaluate("window.__pwned") is None, f"{name} ran injected code"
        assert tab.locator("img[src='x']").count() == 0
        assert errors == [], f"{name}: {errors}"
        assert all(r.startswith("file:") for r in requests), requests
        tab.context.close()


def test_on_a_phone_chart_labels_stay_readable_and_nothing_but_tables_overflows(browser, batch_run):
    """At 390 px every chart is shrunk to the screen; its smallest text (charts.MIN_FONT_PT at CHART_DPI) still
    renders at 9 px or more (project names were about 5 px at 8 in wide), and nothing but a table's own scroll
    box is wider than the screen."""
    from helpers.show.charts import CHART_DPI, MIN_FONT_PT

    out, _ = batch_run
    context = browser.new_context(offline=True, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    smallest = {}
    for name, lang in [("03_low_execution", "en"), ("03_low_execution", "zh"), ("01_overview", "en"),
                       ("05_audit", "en"), ("06_self_evaluation", "zh")]:
        tab.goto(page(out, name, lang).resolve().as_uri(), wait_until="load")
        sizes = tab.evaluate("""[...document.querySelectorAll('.jp-OutputArea-output img')]
            .filter(i => i.naturalWidth > 0).map(i => [i.naturalWidth, i.getBoundingClientRect().width])""")
        assert sizes, f"{name}.{lang} has no chart"
        smallest[f"{name}.{lang}"] = min(MIN_FONT_PT * CHART_DPI / 72 * shown / natural for natural, shown in sizes)
        overflow = tab.evaluate("""(() => { const w = document.documentElement.clientWidth;
            return [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect();
              return r.width > 0 && r.right > w + 1 && !e.closest('table') && !e.closest('details:not([open])')
                     && !e.closest('pre'); }).map(e => e.tagName + '.' + e.className); })()""")
        assert overflow == [], f"{name}.{lang}: {overflow[:5]}"
        assert tab.evaluate("document.documentElement.scrollWidth") == 390
    context.close()
    assert min(smallest.values()) >= 9, smallest
