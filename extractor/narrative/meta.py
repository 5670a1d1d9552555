"""Agency, year and publication date from a report's title, crawler header or signature.

Where a crawler kept no title line (a whole report on one line), a compact
title at the start of a segment, the statistics period's year and the body
named at the start of the overview stand in, each at a level of its own:
a batch chains a body's years only when it knows both.
"""
from __future__ import annotations

import logging

import regex as re

from extractor.confidence import value
from extractor.narrative.view import PINYIN
from extractor.record import Cell, missing_cell
from extractor.spec.metrics import rules

log = logging.getLogger(__name__)


def _date(y: str, m: str, d: str) -> str | None:
    yi, mi, di = int(y), int(m), int(d)
    if not (1990 <= yi <= 2100 and 1 <= mi <= 12 and 1 <= di <= 31):
        return None
    return f"{yi:04d}-{mi:02d}-{di:02d}"


def _clean_agency(s: str) -> str:
    s = re.sub(PINYIN, "", s)
    s = re.sub(r"^[#>*\s]+|[\s:：,，]+$", "", s)
    return re.sub(r"\s+", "", s)


def _title_meta(text: str, head: str) -> tuple[Cell, Cell]:
    """Agency and year from the report's title line (or the line before it, or a 标题: header)."""
    R = rules()
    hm = R.meta["header_title"].search(head)
    lines: list[tuple[int, str]] = []
    if hm:
        lines.append((hm.start(1), hm.group(1)))
    pos = 0
    for line in head.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    for k, (at, line) in enumerate(lines):
        nxt = lines[k + 1][1] if k + 1 < len(lines) else ""
        joined = re.sub(PINYIN, "", line + nxt).replace(" ", "")
        ym = R.meta["year_title"].search(line)
        if not ym or not R.meta["title"].search(joined):
            continue
        year = Cell(int(ym.group(1)), value("title_year"), (at + ym.start(1), at + ym.end(1)))
        before = line[:ym.start()]
        agency_raw, a_at, conf = before, at, value("title_agency")
        if not _clean_agency(before):
            after = line[ym.end():]
            cut = R.meta["agency_end"].search(after)
            agency_raw = after[:cut.start()] if cut else ""
            a_at, conf = at + ym.end(), value("agency_after_year")
            if not _clean_agency(agency_raw) and k > 0:
                j = k - 1
                while j > 0 and not lines[j][1].strip():
                    j -= 1
                agency_raw, a_at, conf = lines[j][1], lines[j][0], value("agency_line_before")
        agency = _clean_agency(agency_raw)
        if not agency or len(agency) > 40:
            return missing_cell(), year
        if R.meta["agency_junk"].search(agency):
            conf = value("agency_junk")
        lead = len(agency_raw) - len(agency_raw.lstrip("#>* \t\u3000"))
        body = agency_raw.rstrip(" \t\u3000:：,，")
        return Cell(agency, conf, (a_at + lead, a_at + len(body))), year
    return missing_cell(), missing_cell()


def read_meta(text: str) -> dict[str, Cell]:
    """agency, year, published_on from the title, a crawler header, or the signature date; never raises."""
    out = {"agency": missing_cell(), "year": missing_cell(), "published_on": missing_cell()}
    try:
        if not isinstance(text, str) or not text:
            return out
        head = text[:1500]
        out["agency"], out["year"] = _title_meta(text, head)
        if out["agency"].value is None or out["year"].value is None:
            _untitled_meta(text, out)
        if out["agency"].span is not None:
            s, e = out["agency"].span
            if text[s:e].strip() and _clean_agency(text[s:e]) != out["agency"].value:
                out["agency"] = Cell(out["agency"].value, out["agency"].confidence, None)
        out["published_on"] = _published(text, head)
    except Exception:
        log.exception("read_meta failed")
    return out


def _untitled_meta(text: str, out: dict[str, Cell]) -> None:
    """Fill a missing agency or year from a compact title, the statistics period, or the overview's opening."""
    meta = rules().meta
    head = text[:3000]
    found: dict[str, Cell] = {}
    m = meta["title_compact"].search(head[:1500])
    if m and not meta["agency_junk"].search(m.group(1)):
        found["agency"] = Cell(_clean_agency(m.group(1)), value("title_agency"), m.span(1))
        found["year"] = Cell(int(m.group(2)), value("title_year"), m.span(2))
    if "year" not in found and (m := meta["period_year"].search(head)):
        found["year"] = Cell(int(m.group(1)), value("period_year"), m.span(1))
    if "agency" not in found and (m := meta["overview_agency"].search(head)):
        found["agency"] = Cell(_clean_agency(m.group(1)), value("overview_agency"), m.span(1))
    for key, cell in found.items():
        if out[key].value is None:
            out[key] = cell


def _published(text: str, head: str) -> Cell:
    hd = rules().meta["header_date"].search(head)
    if hd:
        d = _date(*hd.groups())
        if d:
            return Cell(d, value("header_date"), hd.span(1)[:1] + (hd.end(3),))
    tail_at = max(0, len(text) - 400)
    last = None
    for m in rules().meta["signature"].finditer(text, tail_at):
        last = m
    if last is not None:
        d = _date(*last.groups())
        if d:
            return Cell(d, value("signature_date"), (last.start(1), last.end()))
    return missing_cell()

