"""Read the three standard tables out of normalised report text.

For each table: its region (`regions`), its anchors (`anchors`), each row's
value material (`material`), every reading of that material (`readings`),
and the joint choice that satisfies the identities (`solve`).  Values are
copied from the text, never computed: a total the agency printed wrong
stays as printed (the checks flag it).  Each cell's confidence says how the
value was obtained (the levels of `extractor.confidence`), never more than
its row's anchor.
"""
from __future__ import annotations

from extractor.record import Issue
from extractor.spec.labels import labels
from extractor.tables.anchors import RowClassifier
from extractor.tables.cells import TablesRead
from extractor.tables.material import line_gaps
from extractor.tables.regions import regions
from extractor.tables.table2 import Plausibility, read_table2
from extractor.tables.table3 import read_table3
from extractor.tables.table4 import read_table4
from extractor.text.normalize import Normalized
from extractor.text.sections import Found


def read_tables(norm: Normalized, src: str, headings: list[Found], row_classifier: RowClassifier | None = None,
                prior: Plausibility | None = None, ocr_spans: list[tuple[int, int]] = ()) -> TablesRead:
    """The three tables of a report (`src` is the document text, `norm` its normalised form).

    `row_classifier` anchors the rows exact matching misses; without it,
    fuzzy matching alone does (the record then says so).  `prior` ranks the
    readings of a glued table-2 run nothing settles (without it, size rules).
    `ocr_spans`: the stretches of `src` read by OCR, whose known faults the
    readings may repair where the identities prove it.
    """
    L = labels()
    out = TablesRead(ocr_spans=list(ocr_spans))
    regs = regions(norm.text, headings)
    out.regions = regs
    spans = [r for r in regs.values() if r]
    if spans:  # one layout for the three tables: table 4's few values alone show no rhythm
        out.gaps = line_gaps(norm.text, min(s for s, _ in spans), max(e for _, e in spans))
    if regs["table2"]:
        read_table2(norm, src, regs["table2"], headings, out, row_classifier, prior)
    else:
        out.issues.append(Issue("table2.missing", f"table 2 ({L.raw['table2']['title']}) not found"))
    if regs["table3"]:
        read_table3(norm, src, regs["table3"], headings, out, row_classifier)
    else:
        out.issues.append(Issue("table3.missing", f"table 3 ({L.raw['table3']['title']}) not found"))
    if regs["table4"]:
        read_table4(norm, src, regs["table4"], headings, out)
    else:
        out.issues.append(Issue("table4.missing", f"table 4 ({L.raw['table4']['title']}) not found"))
    out.parsing["template_parts"] = dict(out.parts)
    return out
