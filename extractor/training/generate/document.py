"""A whole report as a list of blocks (title, headings, paragraphs, tables, signature), before any layout.

Composing once and writing many ways keeps the layouts comparable: the
text, the HTML page and every line layout show the same headings, prose and
grids, and differ only in how they flatten them.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from extractor.training.generate.forms import table2, table3, table4
from extractor.training.generate.grid import Table
from extractor.training.generate.mess import Mess
from extractor.training.generate.narrative import (
    Narrator,
    Seg,
    intro,
    opening,
    other_segments,
    overview_paragraphs,
    problems,
    visits,
)
from extractor.training.generate.printed import cn_ordinal
from extractor.training.generate.vocab import vocab


@dataclass(slots=True)
class Block:
    """One piece of the report; `name` says which section or table it is (writers treat some apart)."""
    kind: str                       # title | para | h1 | h2 | table | sign
    segs: list[Seg] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    table: Table | None = None
    width: int = 0
    name: str = ""


def compose(gold: dict, template: str, rng: random.Random, mess: Mess, agency: str, year: int,
            facts_on: bool) -> list[Block]:
    """The whole report as blocks: title, intro, six sections with prose and tables, signature."""
    words = vocab()
    nr = Narrator(rng, mess, facts_on)
    blocks: list[Block] = []
    title = f"{agency}{year}年{'度' if rng.random() < 0.4 else ''}{words.title_suffix}"
    if rng.random() < 0.35:
        cut = rng.choice((len(agency), len(title) - 6))
        blocks.append(Block("title", lines=[title[:cut], title[cut:]]))
    else:
        blocks.append(Block("title", lines=[title]))
    section_titles = [t for _, t, _ in words.sections]
    blocks.append(Block("para", segs=[intro(rng, agency, year, template, section_titles)]))

    numbered = rng.random() > 0.08
    overview_end = len(blocks)
    # Restarted outline: the tables after the prose, under an outline of their own (一、二、三).
    appendix: list[Block] | None = [] if "restarted_outline" in mess.on else None
    table_blocks: list[Block] = blocks if appendix is None else appendix
    for i, (sid, title_, variants) in enumerate(words.sections, start=1):
        nr.section = sid
        name = title_ if rng.random() < 0.7 else rng.choice(variants)
        head = f"{cn_ordinal(i)}、{name}" if numbered or i > 1 else name
        blocks.append(Block("h1", lines=[mess.heading(head)], name=sid))
        if sid == "overview":
            blocks.append(Block("para", segs=[opening(rng, agency, year)]))
            inline = rng.random() < 0.5
            for j, (sub, segs) in enumerate(overview_paragraphs(nr, gold, agency, year), start=1):
                label = f"（{cn_ordinal(j)}）{sub}{rng.choice(('情况', '方面', ''))}"
                if inline:
                    blocks.append(Block("para", segs=[mess.heading(label) + "。", *segs]))
                else:
                    blocks.append(Block("h2", lines=[mess.heading(label)]))
                    blocks.append(Block("para", segs=segs))
            overview_end = len(blocks)
        elif sid == "proactive":
            rows, w = table2(gold, template, mess, rng)
            if appendix is not None:
                appendix.append(Block("h1", lines=[f"{cn_ordinal(len(appendix) // 2 + 1)}、{title_}"], name=sid))
            table_blocks.append(Block("table", table=rows, width=w, name="table2"))
        elif sid == "requests":
            rows, w = table3(gold, template, mess)
            if appendix is not None:
                appendix.append(Block("h1", lines=[f"{cn_ordinal(len(appendix) // 2 + 1)}、{title_}"], name=sid))
            table_blocks.append(Block("table", table=rows, width=w, name="table3"))
        elif sid == "review_litigation":
            rows, w = table4(gold, mess)
            if appendix is not None:
                appendix.append(Block("h1", lines=[f"{cn_ordinal(len(appendix) // 2 + 1)}、{title_}"], name=sid))
            table_blocks.append(Block("table", table=rows, width=w, name="table4"))
        elif sid == "problems":
            blocks += [Block("para", segs=[p]) for p in problems(rng)]
        else:
            blocks.append(Block("para", segs=other_segments(nr, year)))
    if "thousands" in mess.on and not mess.used.get("thousands") and facts_on:
        # no number >= 1000 printed yet: the overview states one, so the chosen mess shows
        nr.section = words.sections[0][0]
        blocks.insert(overview_end, Block("para", segs=visits(nr)))
    blocks += appendix or []
    date = f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"
    blocks.append(Block("sign", lines=[agency, date]))
    return blocks
