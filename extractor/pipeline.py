"""load → normalize → sections → tables / facts → checks → record.

The one place the steps are put together.  `extract*` never raise on bad
input: whatever goes wrong ends up in the record's `error`/`issues`, with
everything read up to that point kept (the partial parse).
"""
from __future__ import annotations

import logging
import os
import traceback

from extractor.checks import run_checks
from extractor.load import Document, from_text, load
from extractor.normalize import normalize
from extractor.record import Issue, Report, SectionSpan
from extractor.sections import find_sections
from extractor.tables import read_tables

log = logging.getLogger(__name__)


def extract(text: str, path: str | None = None) -> Report:
    """Read a report from its text (the text spans index into)."""
    return extract_document(from_text(text, path))


def extract_file(path: str | os.PathLike) -> Report:
    """Read a report file of any supported format."""
    try:
        doc = load(path)
    except FileNotFoundError:
        raise
    except Exception as e:  # a loader bug must not cost the record
        log.exception("loading %s failed", path)
        return Report(source={"path": str(path), "sha256": "", "encoding": None, "format": "text", "chars": 0},
                      error=Issue("input.unreadable", f"{type(e).__name__}: {e}"))
    return extract_document(doc)


def extract_document(doc: Document) -> Report:
    report = Report(source=doc.source())
    report.issues.extend(doc.warnings)
    if doc.error is not None:
        report.error = doc.error
        return report
    try:
        _read(doc, report)
    except Exception as e:  # keep the partial parse, say what broke
        log.exception("extraction failed for %s", doc.path)
        report.error = Issue("internal.error", f"{type(e).__name__}: {e} ({traceback.format_exc(limit=-1).strip().splitlines()[-1]})")
    return report


def _read(doc: Document, report: Report) -> None:
    text = doc.text
    if not text.strip():
        report.error = Issue("input.empty", "the document has no text")
        return
    norm = normalize(text)
    headings = find_sections(norm.text)
    report.sections = _section_spans(norm, headings)

    read = read_tables(norm, text, headings)
    report.tables = read.tables
    report.template = read.template
    report.parsing = read.parsing
    report.issues.extend(read.issues)
    from extractor import model as tables_model  # loaded by the table reader already

    st = tables_model.status()
    if not st["ok"]:
        report.issues.append(Issue("model.tables_unavailable", st["message"] or "table-row classifier not loaded; fuzzy matching only"))

    found_any = any(cell.value is not None for *_, cell in report.cells())
    if not found_any and len(headings) < 3:
        report.error = Issue("input.not_a_report",
                             "no standard table and no report sections found: not an annual disclosure report")
        report.issues = [i for i in report.issues if not i.code.endswith(".missing")]
        _narrative(text, report, read, norm)
        return
    report.checks = run_checks(report.tables, read.certain)
    for ch in report.checks:
        if not ch.ok:
            code = "agency_error" if ch.cause == "agency" else "check_failed"
            report.issues.append(Issue(f"{ch.rule.split('.')[0]}.{code}",
                                       f"{ch.rule}: {ch.detail}" + (" (as printed: the report's own arithmetic)" if ch.cause == "agency" else "")))
    _narrative(text, report, read, norm)


def _narrative(text: str, report: Report, read, norm) -> None:
    """Facts and meta from the prose (the narrative module), and their agreement with the tables."""
    try:
        from extractor import narrative
    except ImportError:  # narrative module not installed in this build
        return
    exclude = [norm.to_source(*r) for r in read.regions.values() if r]
    report.meta = narrative.read_meta(text)
    report.facts = narrative.tag_facts(text, report.sections, exclude=exclude)
    if report.error is None:
        agree = narrative.agreement_checks(report.facts, report.tables, text=text, exclude=exclude)
        report.checks.extend(agree)
        for ch in agree:
            if not ch.ok:
                report.issues.append(Issue("narrative.disagrees", f"{ch.rule}: {ch.detail}"))
    status = getattr(narrative, "model_status", None)
    if status is not None:
        st = status()
        if st and st.get("ok") is False:
            report.issues.append(Issue("model.facts_unavailable", st.get("message", "facts model not loaded; rules only")))


def _section_spans(norm, headings) -> list[SectionSpan]:
    out: list[SectionSpan] = []
    text = norm.text
    for i, h in enumerate(headings):
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        s, _ = norm.to_source(h.start, h.end)
        e = norm.source_pos(end) if end < len(text) else norm.source_len
        line_end = min([p for p in (text.find("\n", h.end), text.find("。", h.end)) if p >= 0] + [h.end + 20, end])
        title = text[h.start:line_end].strip() if line_end - h.start <= 40 else text[h.start:h.end]
        out.append(SectionSpan(h.id, h.number, title, (s, max(e, s + 1)), norm.to_source(h.start, h.end)))
    return out
