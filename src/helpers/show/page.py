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

from IPython.display import Markdown, display

from helpers.data.load import YearData, load_year
from helpers.show.display import safe
from helpers.story import wording


class Page:
    """The page of one notebook run: `year` (None for a page over all years), `lang`, the tidy data."""

    def __init__(self, year: int | None, lang: str = "zh", tidy_dir: str = "") -> None:
        self.lang = wording.check_lang(lang)
        self.year = year
        self.tidy_dir = tidy_dir or None
        self.data: YearData | None = load_year(year, self.tidy_dir) if year is not None else None

    def text(self, topic: str, name: str, **values) -> str:
        """The sentence `name` of `topic` in the page's language, as plain text."""
        return wording.say(self.lang, topic, name, **values)

    def say(self, topic: str, name: str, **values) -> None:
        """Show a sentence as a Markdown paragraph (report text in it is escaped)."""
        display(Markdown(safe(self.text(topic, name, **values))))

    def heading(self, topic: str, name: str, level: int = 3, **values) -> None:
        """Show a heading of the given level in the page's language."""
        display(Markdown("#" * level + " " + safe(self.text(topic, name, **values))))
