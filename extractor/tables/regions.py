"""Where each table stands in the normalised text: after its section heading, at its first header.

The words a table starts at are data (`starts` of each table in labels.toml);
the section ids come from the sections the text has.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractor.spec.labels import labels
from extractor.text.sections import Found


# A table's region is cut this many characters after its start, at a line's end: the annotated reports'
# tables run to 1,600 characters, their converter-flattened variants to 8,700; without the cut a table whose
# successor is not found runs to the end of the document (a report pasted twice, a megabyte of noise), and
# every row search and classifier pass over it costs.  Rows beyond the cut are missing, and flagged as such.
MAX_REGION = 40_000

# What a converter may leave inside a header word: spaces, line breaks, pipes (a cell break and a few empty cells).
_CUT = r"[ \t\n|]{0,24}"


def _first(text: str, literals: tuple[str, ...], start: int, end: int | None = None) -> int | None:
    """Where the first of `literals` stands; failing that, the first printed broken over cells or lines."""
    stop = end if end is not None else len(text)
    hits = [i for i in (text.find(x, start, stop) for x in literals) if i >= 0]
    # Before the first one found whole, one a converter broke over cells and lines (`申请人 |\n| 情况`).
    stop = min(hits, default=stop)
    hits += [m.start() for m in (_broken(x).search(text, start, stop) for x in literals) if m]
    return min(hits) if hits else None


@lru_cache(maxsize=64)
def _broken(literal: str) -> re.Pattern:
    return re.compile(_CUT.join(re.escape(ch) for ch in literal))


def regions(text: str, headings: list[Found]) -> dict[str, tuple[int, int] | None]:
    """Where each table stands: after its section heading, at its first header."""
    L = labels()
    h = {f.id: f for f in headings}
    n = len(text)
    t2 = _first(text, L.starts("table2"), h["proactive"].end if "proactive" in h else 0)
    s3 = h["requests"].end if "requests" in h and (t2 is None or h["requests"].end > t2) else (t2 or 0)
    t3 = _first(text, L.starts("table3"), s3)
    if t3 is None and t2 is not None:
        t3 = _first(text, L.starts("table3"), t2)
    after3 = t3 if t3 is not None else (t2 or 0)
    if "review_litigation" in h and h["review_litigation"].end > after3:
        t4 = h["review_litigation"].end
        t4_heading = h["review_litigation"].start
    else:
        t4 = _first(text, L.starts("table4"), after3 + 1 if t3 is not None else after3)
        t4_heading = t4
    t4_end = h["problems"].start if "problems" in h and t4 is not None and h["problems"].start > t4 else None
    if t4 is not None and t4_end is None:
        t4_end = min(n, t4 + 1500)
    t2_end = None
    if t2 is not None:
        t2_end = h["requests"].start if "requests" in h and h["requests"].start > t2 else (t3 or t4_heading or n)
    t3_end = None
    if t3 is not None:
        t3_end = t4_heading if t4_heading is not None and t4_heading > t3 else n
    return {
        "table2": _bounded(text, t2, t2_end) if t2 is not None else None,
        "table3": _bounded(text, t3, t3_end) if t3 is not None else None,
        "table4": _bounded(text, t4, t4_end) if t4 is not None else None,
    }


def _bounded(text: str, start: int, end: int) -> tuple[int, int]:
    """The region, cut at the end of the last line within `MAX_REGION` characters of its start."""
    if end - start <= MAX_REGION:
        return start, end
    cut = text.rfind("\n", start, start + MAX_REGION)
    return start, cut if cut > start else start + MAX_REGION
