"""Where each table stands in the normalised text: after its section heading, at its first header.

The words a table starts at are data (`starts` of each table in labels.toml);
the section ids come from the sections the text has.
"""
from __future__ import annotations

from extractor.spec.labels import labels
from extractor.text.sections import Found


def _first(text: str, literals: tuple[str, ...], start: int, end: int | None = None) -> int | None:
    hits = [i for i in (text.find(x, start, end if end is not None else len(text)) for x in literals) if i >= 0]
    return min(hits) if hits else None


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
        "table2": (t2, t2_end) if t2 is not None else None,
        "table3": (t3, t3_end) if t3 is not None else None,
        "table4": (t4, t4_end) if t4 is not None else None,
    }
