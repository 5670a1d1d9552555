"""load → normalize → sections → tables / narrative → checks → record.

The one place the stages are put together, and the only place that asks
for the shipped models (`classify.shipped`): every stage is given the
models it uses (or None), so a test or an evaluation passes its own.
`extract*` never raise on bad input: whatever goes wrong ends up in the
record's `error`/`issues`, with everything read up to that point kept (the
partial parse).  Each input is read within a time budget (`budget`, default
`budget.DEFAULT_SECONDS`, more per PDF page); past it the record says
`input.too_slow`.  All its searches share one pool of steps
(`budget.searches`); a document that drains it is read with what was
found, its table cells below the review line (`tables.search_capped`).
"""
from __future__ import annotations

import logging
import os
import traceback

from extractor import budget, classify, confidence, narrative
from extractor.checks.agreement import agreement_checks
from extractor.checks.identities import run_checks
from extractor.classify import Models
from extractor.input.document import Document, from_text
from extractor.input.load import load
from extractor.narrative.signature import signature
from extractor.record import Issue, Report, SectionSpan
from extractor.tables.cells import TablesRead
from extractor.tables.read import read_tables
from extractor.text.normalize import Normalized, normalize
from extractor.text.sections import Found, find_sections

log = logging.getLogger(__name__)


def extract(text: str, path: str | None = None, *, models: Models | None = None,
            seconds: float | None = budget.DEFAULT_SECONDS) -> Report:
    """Read a report from its text (the text spans index into); `seconds`: its time budget (None: none)."""
    return extract_document(from_text(text, path), models=models, seconds=seconds)


def extract_file(path: str | os.PathLike, *, models: Models | None = None,
                 seconds: float | None = budget.DEFAULT_SECONDS) -> Report:
    """Read a report file of any supported format, loading included, within `seconds` (plus per PDF page)."""
    source = {"path": str(path), "sha256": "", "encoding": None, "format": "text", "chars": 0}
    models = models if models is not None else classify.shipped()  # loaded before the clock runs
    with budget.limit(seconds):  # one budget for loading and reading
        try:
            doc = load(path)
        except FileNotFoundError:
            raise
        except budget.OverBudget as e:
            return Report(source=source, error=Issue("input.too_slow", f"loading stopped: {e}"))
        except Exception as e:  # a loader bug must not cost the record
            log.exception("loading %s failed", path)
            return Report(source=source, error=Issue("input.unreadable", f"{type(e).__name__}: {e}"))
        return extract_document(doc, models=models, seconds=seconds)


def extract_document(doc: Document, *, models: Models | None = None,
                     seconds: float | None = budget.DEFAULT_SECONDS) -> Report:
    """Read a loaded document; `models` default to the shipped ones, `seconds` is its time budget."""
    report = Report(source=doc.source())
    report.issues.extend(doc.warnings)
    if doc.error is not None:
        report.error = doc.error
        return report
    if len(doc.text) > budget.MAX_TEXT_CHARS:
        report.error = Issue("input.too_large", f"{len(doc.text)} characters of text is over the "
                                                f"{budget.MAX_TEXT_CHARS} character limit")
        return report
    if not doc.text.strip():
        report.error = Issue("input.empty", "the document has no text")
        return report
    models = models if models is not None else classify.shipped()  # loaded before the clock runs
    with budget.limit(seconds), budget.searches() as pool:
        try:
            _read(doc, report, models)
            if pool.dry:
                _cap_searched(report, pool.cap)
        except budget.OverBudget as e:  # keep the partial parse, say it ran out of time
            report.error = Issue("input.too_slow", f"{e}; stopped, and what was read so far is kept")
        except Exception as e:  # keep the partial parse, say what broke
            log.exception("extraction failed for %s", doc.path)
            report.error = Issue("internal.error", f"{type(e).__name__}: {e} ({traceback.format_exc(limit=-1).strip().splitlines()[-1]})")
    return report


def prose_facts(text: str, models: Models | None = None) -> narrative.Prose:
    """The facts of a text read as prose alone (no tables looked for): what the spaCy component tags."""
    return narrative.read(text, find_sections_spans(text), facts_model=(models or classify.shipped()).facts)


def find_sections_spans(text: str) -> list[SectionSpan]:
    """The report's parts, in source offsets (the facts' `section`)."""
    norm = normalize(text)
    return _section_spans(norm, find_sections(norm.text))


def table_anchors(text: str, models: Models | None = None) -> dict[str, list[tuple]]:
    """The row anchors reading `text` finds, per table, in normalised offsets (annotation, training)."""
    norm = normalize(text)
    read = read_tables(norm, text, find_sections(norm.text), (models or classify.shipped()).rows)
    return read.anchors


def _read(doc: Document, report: Report, models: Models) -> None:
    text = doc.text
    norm = normalize(text)
    headings = find_sections(norm.text)
    report.sections = _section_spans(norm, headings)

    ocr_spans = doc.ocr_spans()
    read = read_tables(norm, text, headings, models.rows, models.prior, ocr_spans)
    report.tables = read.tables
    report.template = read.report_template()
    report.parsing = read.parsing
    if doc.pages:
        report.parsing["pages"] = [p.to_dict() for p in doc.pages]
    report.issues.extend(read.issues)
    if not models.rows_status.ok:
        report.issues.append(Issue("model.tables_unavailable",
                                   models.rows_status.message or "table-row classifier not loaded; fuzzy matching only"))

    found_any = any(cell.value is not None for *_, cell in report.cells())
    if not found_any and len(headings) < 3:
        report.error = Issue("input.not_a_report",
                             "no standard table and no report sections found: not an annual disclosure report")
        report.issues = [i for i in report.issues if not i.code.endswith(".missing")]
        _narrative(text, report, read, norm, models)
        return
    ocr_cells = {(t, r, c) for t, r, c, cell in report.cells() if _read_by_ocr(cell, ocr_spans)}
    report.checks = run_checks(report.tables, read.certain - ocr_cells)  # an OCR misread is never the agency's
    if ocr_cells:
        _cap_ocr(report, ocr_cells)
    for ch in report.checks:
        if not ch.ok:
            code = "agency_error" if ch.cause == "agency" else "check_failed"
            report.issues.append(Issue(f"{ch.rule.split('.')[0]}.{code}",
                                       f"{ch.rule}: {ch.detail}" + (" (as printed: the report's own arithmetic)" if ch.cause == "agency" else "")))
    _narrative(text, report, read, norm, models)


def _read_by_ocr(cell, spans: list[tuple[int, int]]) -> bool:
    """Whether a cell's printed text stands in a stretch read by OCR (a cell without a place: if anything was)."""
    if not spans or cell.value is None:
        return False
    at = cell.span or cell.raw_span
    return at is None or any(s <= at[0] < e for s, e in spans)


def _cap_ocr(report: Report, cells: set) -> None:
    """OCR cells: above the review line only where every identity naming them holds (`confidence.ocr_cell`)."""
    held: dict[str, bool] = {}
    for ch in report.checks:
        for name in ch.cells:
            held[name] = held.get(name, True) and ch.ok
    for t, r, c in cells:
        cell = report.tables[t][r][c]
        cell.confidence = confidence.ocr_cell(cell.confidence, held.get(f"{t}.{r}.{c}", False))


def _cap_searched(report: Report, steps: int) -> None:
    """The pool ran dry: searches after that stopped where they were, so no table cell is proved."""
    capped = 0
    for *_, cell in report.cells():
        if cell.value is not None and cell.confidence > confidence.CAPPED:
            cell.confidence = confidence.CAPPED
            capped += 1
    report.issues.append(Issue("tables.search_capped", f"the document's searches needed more than {steps} steps "
                                                       f"in all; they stopped there, and {capped} table cells "
                                                       "are not proved (below the review line)"))


def _narrative(text: str, report: Report, read: TablesRead, norm: Normalized, models: Models) -> None:
    """Facts and meta from the prose, and their agreement with the tables."""
    exclude = [norm.to_source(*r) for r in read.regions.values() if r]
    report.parsing["prose"] = signature(text, exclude)  # for the copy-paste check of a batch
    report.meta = narrative.read_meta(text)
    prose = narrative.read(text, report.sections, exclude=exclude, facts_model=models.facts)
    report.facts = prose.facts
    if report.error is None:
        agree = agreement_checks(report.facts, report.tables, prose.restatements)
        report.checks.extend(agree)
        for ch in agree:
            if not ch.ok:
                report.issues.append(Issue("narrative.disagrees", f"{ch.rule}: {ch.detail}"))
    if not models.facts_status.ok:
        report.issues.append(Issue("model.facts_unavailable", models.facts_status.message or "facts model not loaded; rules only"))


def _section_spans(norm: Normalized, headings: list[Found]) -> list[SectionSpan]:
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
