"""Messy synthetic annual reports whose every value is known: the project's own test data.

Real reports reach us flattened from Word (one cell a line), from PDF (tab
rows with merged cells shifted), from HTML pages (`|` pipes, real tables),
as markdown, and from crawlers that glue a whole page onto one line.  An
extractor is only as good as the variety it has been checked against, and
hand-checked gold is scarce, so this package renders gold tables and planted
narrative facts into whole reports in those layouts, with the kinds of mess
real ones carry (bookmarks, Word comments, odd spaces, page furniture, split
labels, placeholders ...).  Mess only changes presentation: the gold stays.

Everything is deterministic for the `random.Random` passed in, and every
label is read from `extractor.spec.labels` (spec/data/labels.toml), never
spelled here.  The rooms follow the data: `tables` (random gold), `vocab`
(the label data as the renderer walks it), `forms` and `grid` (the
official tables as merged-cell grids), `narrative` (prose and planted
facts), `mess`, `document` (blocks), `layout` (the five text layouts),
`html`, `render` (the front door) and `samples` (the bundled samples).

    >>> import random
    >>> from extractor.training import generate
    >>> rng = random.Random(7)
    >>> gold = generate.random_tables(rng)
    >>> g = generate.render(gold, layout="glued", mess=("thousands",), rng=rng)
    >>> g.text[:3], g.gold["table3"]["new"] == gold["table3"]["new"]
    ('标题:', True)
"""
from __future__ import annotations

from extractor.training.generate.html import render_html
from extractor.training.generate.layout import LAYOUTS
from extractor.training.generate.mess import MESS_KINDS
from extractor.training.generate.narrative import random_agency
from extractor.training.generate.printed import format_number
from extractor.training.generate.render import Generated, converter_variants, render, variants
from extractor.training.generate.samples import main, write_samples
from extractor.training.generate.tables import TEMPLATES, random_tables, template_of

__all__ = [
    "LAYOUTS", "MESS_KINDS", "TEMPLATES", "Generated", "converter_variants", "format_number", "main", "random_agency", "random_tables",
    "render", "render_html", "template_of", "variants", "write_samples",
]
