"""One notebook page: its year's data, its language, and the sentences and headings it shows.

Every notebook starts with the same cell after its parameters:

    from helpers.show.page import Page
    page = Page(year, lang, tidy_dir)
    data = page.data

and shows its words with `page.heading(topic, name)` and `page.say(topic, name, **values)`, so a
Chinese page is Chinese throughout and an English page English: the words come from the templates
in story/templates/<lang>/<topic>.j2 (see `helpers.story.wording`).
"""

from __future__ import annotations

import base64
import functools
import html
import io
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Image, Markdown, display
from matplotlib.backends.backend_agg import FigureCanvasAgg

from helpers.constants import LANGUAGES
from helpers.data.load import YearData, english_names, load_year, resolve_unit, units, with_glosses
from helpers.show import charts
from helpers.show.display import bullets, safe, table
from helpers.story import citations, wording

LABELS = Path(__file__).resolve().parent / "labels.csv"


def png(fig) -> bytes:
    """`fig` as PNG bytes, then closed: laid out and drawn once, the bytes `fig.savefig(format="png")` writes.

    savefig draws a figure with a layout engine twice: once with drawing switched off, to run the layout, then
    for the image. Agg's own draw runs the layout first, so the first pass is work thrown away (a sixth of a
    chart's time); a figure left for the notebook to show would be drawn again by pyplot and twice more by the
    inline backend. Same PNG as savefig with this project's settings (savefig.bbox "standard", the figure's own
    dpi and colours; tested)."""
    plt.close(fig)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi)
    return buffer.getvalue()


@functools.cache
def labels() -> pd.DataFrame:
    """show/labels.csv: key -> words per language (column headers, metric names, chart titles and alt text)."""
    table = pd.read_csv(LABELS, dtype=str, keep_default_na=False).set_index("key")
    missing = [lang for lang in LANGUAGES if lang not in table.columns]
    if missing:
        raise ValueError(f"{LABELS} has no column for {', '.join(missing)}: add one per language")
    return table


class Page:
    """The page of one notebook run: `year` (None for a page over all years), `lang`, the tidy data and
    the unit (`unit`: a unit id of reports.csv; empty means the only unit in the tidy data)."""

    def __init__(self, year: int | None, lang: str = "zh", tidy_dir: str = "", unit: str = "",
                 every_unit: bool = False) -> None:
        self.lang = wording.check_lang(lang)
        self.year = year
        self.tidy_dir = tidy_dir or None
        # a page over every unit (08_compare) has no unit of its own and loads no one unit's year
        self.unit_id = "" if every_unit else resolve_unit(unit, self.tidy_dir)
        self.data: YearData | None = (load_year(year, self.tidy_dir, self.unit_id)
                                      if year is not None and not every_unit else None)
        # a report read from a PDF is cited by page ("page 12"), a text or Word report by line
        wording.use_pages(self.data.pages if self.data is not None else {})
        charts.use_language(self.lang)  # names in the charts in the page's language
        # and by the section or project table a line sits in ("绩效自评表：辅警经费"), the line in a tooltip
        wording.use_citations(citations.spans(self.data.sections, self.data.projects, english_names("projects"))
                              if self.data is not None else [])

    @property
    def unit(self) -> dict[str, str]:
        """The publishing unit as its report names it (zh), with an English gloss from data/names/units.csv when
        one is known for exactly that name (en, else empty): another unit's report is never given this one's."""
        present = units(self.tidy_dir)
        mine = present[present["unit_id"] == self.unit_id]
        name = str(mine.iloc[-1]["unit_zh"]) if len(mine) else ""
        return {"zh": name, "en": english_names("units").get(name, "")}

    def text(self, topic: str, name: str, **values) -> str:
        """The sentence `name` of `topic` in the page's language, as plain text. A sentence that names the unit
        (a `unit` argument) is given the page's unit unless `values` has one."""
        if "unit" not in values and wording.takes(self.lang, topic, name, "unit"):
            values["unit"] = self.unit
        return wording.say(self.lang, topic, name, **values)

    def say(self, topic: str, name: str, **values) -> None:
        """Show a sentence as a Markdown paragraph (report text in it is escaped)."""
        display(Markdown(safe(self.text(topic, name, **values))))

    def bullets(self, topic: str, name: str, rows: list[dict]) -> None:
        """Show one sentence `name` per row (each row's fields as the macro's arguments) as a list."""
        bullets([self.text(topic, name, **row) for row in rows])

    def label(self, key: str, **values) -> str:
        """The words for `key` in show/labels.csv in the page's language; `{name}` placeholders filled from values.

        A key without an entry is shown as it is, so a new column never hides; add it to labels.csv.
        """
        table = labels()
        text = table.at[key, self.lang] if key in table.index else key
        return text.format(**values) if values else text

    def table(self, df: pd.DataFrame, amounts: tuple[str, ...] = (), rates: tuple[str, ...] = (),
              counts: tuple[str, ...] = (), keys: tuple[str, ...] = (), missing: str = "–"):
        """`df` for reading: headers in the page's language, values of the `keys` columns (metric keys) named too;
        an empty cell shows `missing` (e.g. `page.label("not_reported")`).

        On a Chinese page the English-gloss columns (`*_en`) are left out; an English page shows the gloss beside
        each column of names (`glossed`).
        """
        # English glosses are for the English page; the Chinese page shows the names as printed
        if self.lang == "zh":
            shown = df.drop(columns=[c for c in df.columns if str(c).endswith("_en")])
        else:
            shown = self.glossed(df)
        for column in keys:
            shown[column] = [self.label(v) for v in shown[column]]
        return table(shown, amounts=amounts, rates=rates, counts=counts,
                     rename={c: self.label(str(c)) for c in shown.columns}, missing=missing)

    def glossed(self, df: pd.DataFrame) -> pd.DataFrame:
        """`df` as the page's tables and charts show its names: on an English page with the English gloss
        (data/names/) beside each column of names it has (project_name -> name_en, indicator -> indicator_en, ...:
        helpers.data.load.with_glosses); on a Chinese page as it is."""
        return df if self.lang == "zh" else with_glosses(df)

    def chart(self, fig, alt_key: str, **values) -> None:
        """Show a matplotlib figure as an image with alt text from labels.csv (key `alt_key`), then close it."""
        data = base64.b64encode(png(fig)).decode("ascii")
        alt = html.escape(self.label(alt_key, **values), quote=True)
        display(HTML(f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'))

    def show(self, fig) -> None:
        """Show a matplotlib figure here, drawn once, then close it. Its alt text is given when the page is
        exported, from the heading above it (helpers.publish.export.describe_charts)."""
        display(Image(data=png(fig), format="png"))

    def heading(self, topic: str, name: str, level: int = 3, **values) -> None:
        """Show a heading of the given level in the page's language."""
        display(Markdown("#" * level + " " + safe(self.text(topic, name, **values))))
