"""A gold rendered into a whole messy report, and many renderings of one gold.

This is the generator's front door for training and tests: it settles the
agency, year and mess kinds, composes the blocks, writes them in a layout,
and returns the text beside the gold it was rendered from and the facts
planted in it.  Mess changes presentation only, so `Generated.gold` always
equals the input tables.
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from extractor.training.generate.document import compose
from extractor.training.generate.converter import CONVERTER_LAYOUTS
from extractor.training.generate.layout import LAYOUTS, to_cr_only, to_crlf, write_text
from extractor.training.generate.mess import CONVERTER_MESS, MESS_KINDS, Mess
from extractor.training.generate.narrative import random_agency
from extractor.training.generate.tables import copy_gold, template_of
from extractor.training.generate.vocab import vocab


@dataclass
class Generated:
    """One rendered report: its text, the gold it was rendered from, and what was planted.

    `facts` spans index `text` (code points); `gold` holds the tables in the
    corpus gold shape plus "agency" and "year".  `fragments`: in a converter
    layout, the gold label of every label fragment its tables print, in the
    annotation format (`training.annotations`: span, label, text) with its
    `form` (`converter.FORMS`: displaced, a broken header piece, a group
    label in a cell of its own ...); the classic layouts' are derived from
    their own reading (`training.samples`), so they carry none.
    """
    text: str
    gold: dict
    layout: str
    mess: tuple[str, ...]
    facts: list[dict]
    seed: int | None = None
    template: str = "2021"
    fragments: list[dict] = field(default_factory=list)

    def gold_record(self) -> dict:
        """The `.gold.json` content of a bundled sample: gold plus what was planted."""
        return {**self.gold, "template": self.template, "layout": self.layout,
                "mess": list(self.mess), "seed": self.seed, "facts": self.facts}


def render(gold: dict, *, layout: str, mess: Iterable[str] = (), rng: random.Random | None = None,
           agency: str | None = None, year: int | None = None, facts: bool = True,
           seed: int | None = None) -> Generated:
    """Render a whole report of `gold` in `layout` with the chosen mess kinds.

    `rng` drives every choice (or `random.Random(seed)` when no rng is given).
    Agency and year default to the gold's, else are made up.  Mess changes
    presentation only: `Generated.gold` equals the input tables.
    """
    if layout not in LAYOUTS + CONVERTER_LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS + CONVERTER_LAYOUTS}")
    if rng is None:
        rng = random.Random(seed)
    words = vocab()
    chosen = set(mess)
    if chosen - set(MESS_KINDS + CONVERTER_MESS):
        raise ValueError(f"unknown mess kinds: {sorted(chosen - set(MESS_KINDS + CONVERTER_MESS))}")
    kinds = tuple(k for k in MESS_KINDS + CONVERTER_MESS if k in chosen)
    template = template_of(gold)
    agency = agency or gold.get("agency") or random_agency(rng)
    if year is None:
        year = gold.get("year") or (rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2024))
    m = Mess(kinds, rng, words.zero_marks, words.units)
    blocks = compose(gold, template, rng, m, agency, year, facts)
    doc = write_text(blocks, layout, m, rng, agency, year)
    text = doc.text()
    if "cr_only" in kinds:
        text = to_cr_only(text)
    elif "crlf" in kinds:
        text = to_crlf(text, doc.facts + doc.fragments)
    return Generated(text=text, gold=copy_gold(gold, agency, year), layout=layout, mess=kinds,
                     facts=doc.facts, seed=seed, template=template, fragments=doc.fragments)


def variants(gold: dict, n: int, seed: int) -> list[Generated]:
    """`n` renderings of the same gold: layouts cycle, and every mess kind is covered in 10.

    Variant i uses layout i mod 5, one mess kind on a cycle that meets each
    layout with different kinds, and up to three more kinds at random.
    """
    out = []
    k = len(MESS_KINDS)
    for i in range(n):
        s = seed * 100003 + i
        rng = random.Random(s)
        primary = MESS_KINDS[(i * 3 + i // k) % k]
        extra = rng.sample(MESS_KINDS, k=rng.choice((0, 0, 1, 2, 3)))
        kinds = tuple(dict.fromkeys([primary, *extra]))
        out.append(render(gold, layout=LAYOUTS[i % len(LAYOUTS)], mess=kinds, rng=rng, seed=s))
    return out


def converter_variants(gold: dict, n: int, seed: int) -> list[Generated]:
    """`n` renderings of the same gold as converters leave reports: shattered or OCR markdown.

    Variant i uses converter layout i mod 2 and the converter mess kinds on
    a cycle (each one alone, then together), plus up to two classic kinds.
    """
    out = []
    cycle = [(k,) for k in CONVERTER_MESS] + [CONVERTER_MESS, ()]
    for i in range(n):
        s = seed * 100019 + i
        rng = random.Random(s)
        extra = rng.sample(("odd_spaces", "page_furniture", "split_words", "placeholders", "fullwidth"),
                           k=rng.choice((0, 1, 2)))
        kinds = tuple(dict.fromkeys([*cycle[i % len(cycle)], *extra]))
        layout = CONVERTER_LAYOUTS[i % len(CONVERTER_LAYOUTS)]
        out.append(render(gold, layout=layout, mess=kinds, rng=rng, seed=s))
    return out
