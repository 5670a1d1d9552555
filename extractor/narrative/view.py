"""The folded text the narrative rules read, with each character's source offset.

The same shape (and offset mapping) as the normaliser's output, plus what
only hides numbers in prose: pinyin glosses of mirror sites ("開(kāi)"),
spaces beside digits ("2098 条"), a line break inside "信息\n636\n条", and
traditional characters folded one for one.
"""
from __future__ import annotations

from functools import lru_cache

import regex as re

from extractor.spec.metrics import rules
from extractor.text.normalize import Normalized, delete_matches, normalize

# The folded text, with each character's source offset (see the module docstring).
View = Normalized


# Beyond the shared normalisation: pinyin glosses of mirror sites ("開(kāi)"),
# spaces beside digits ("2098 条"), and a line break inside "信息\n636\n条".
PINYIN = r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)"


@lru_cache(maxsize=1)
def _extra_junk() -> re.Pattern:
    unit_alt = "|".join(re.escape(u) for u in rules().units)
    return re.compile(
        rf"{PINYIN}|(?<!\d) +| +(?!\d)"
        rf"|(?<=[\p{{Han}}\d])[ \t]*\n[ \t]*(?=\d)|(?<=\d)[ \t]*\n[ \t]*(?=(?:{unit_alt}))"
    )


def make_view(text: str) -> View:
    """Normalise (shared step), drop what only hides numbers, fold traditional characters one for one."""
    norm = normalize(text)
    t, offs = delete_matches(norm.text, norm.offsets, _extra_junk())
    return View(t.translate(rules().fold), offs, len(text))

