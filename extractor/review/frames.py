"""A batch as the reviewer sees it: records in, DataFrames of what needs a look out.

A batch of thousands of reports is only reviewable if the few that need a
person come first: `review_frame` is one row per report needing review,
least certain first, sortable by any column.  The small readers here
(`low_cells`, `flagged_cells`, `review_log`, …) are what the views and the
controls ask of a record, so they all agree on what "in doubt" means: below
`confidence.REVIEW_BELOW` and not yet settled by a person.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from extractor import config
from extractor.confidence import ABSENT, REVIEW_BELOW
from extractor.input.load import load

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# The key of a record under which a person's decisions are logged (`decisions`).
REVIEW_KEY = "review"
REVIEW_COLUMNS = ("path", "agency", "year", "confidence", "needs_review", "failing_checks", "n_failing",
                  "error_codes", "low_cells", "low_facts", "ambiguous_cells", "template")
# Columns where more is worse: sorted descending by default.
_MORE_IS_WORSE = ("n_failing", "low_cells", "low_facts", "ambiguous_cells")


def read_batch(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of a batch's JSON Lines file, in file order.

    A line that is not a JSON object is skipped with a warning rather than
    failing the whole view: a batch cut by a kill may end in a partial line,
    and the reviewer still wants the rest.
    """
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                log.warning("%s:%d: not JSON, skipped", path, n)
                continue
            if isinstance(rec, dict):
                out.append(rec)
    return out


def run_sample_batch(out_dir: str | os.PathLike, inputs: Sequence[str | os.PathLike] | None = None,
                     workers: int | None = None) -> Path:
    """Run `extractor batch` (the library call) on `inputs` (default: the bundled samples) into out_dir.

    Why here: the review notebook must open *some* batch on a fresh clone;
    with no path given it makes one from the samples in a temporary directory.
    """
    # Imported here: the batch and its engines load only when a batch is run from review.
    from extractor.batch import Options, run_batch

    out = Path(out_dir) / "batch.jsonl"
    srcs = [str(p) for p in (inputs or [config.samples_dir()])]
    run_batch(srcs, Options(out=out, workers=workers, progress=False, fsync=False))
    return out


def record_cells(record: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(table, row, col, cell) for every table cell of a record dict."""
    for t, rows in (record.get("tables") or {}).items():
        for r, cols in rows.items():
            for c, cell in cols.items():
                yield t, r, c, cell


def review_log(record: dict[str, Any]) -> dict[str, Any]:
    """The person's decisions logged on a record so far (empty for a record nobody reviewed)."""
    return record.get(REVIEW_KEY) or {"cells": {}, "facts": {}}


def low_cells(record: dict[str, Any], below: float = REVIEW_BELOW) -> list[str]:
    """Names (table.row.col) of read cells a person has not settled whose confidence is below `below`."""
    done = review_log(record)["cells"]
    return [f"{t}.{r}.{c}" for t, r, c, cell in record_cells(record)
            if cell.get("value") is not None and cell.get("confidence", ABSENT) < below and f"{t}.{r}.{c}" not in done]


def low_facts(record: dict[str, Any], below: float = REVIEW_BELOW) -> list[int]:
    """Indexes of facts not yet settled whose confidence is below `below`."""
    done = review_log(record)["facts"]
    return [i for i, f in enumerate(record.get("facts") or [])
            if f.get("confidence", ABSENT) < below and str(i) not in done]


def failing_checks(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's checks that fail (identities, agreement with the prose, cross-year)."""
    return [c for c in record.get("checks") or [] if not c.get("ok", True)]


def flagged_cells(record: dict[str, Any]) -> dict[str, list[str]]:
    """Cell name → the failing checks that name it."""
    out: dict[str, list[str]] = {}
    for ch in failing_checks(record):
        for name in ch.get("cells") or []:
            out.setdefault(name, []).append(ch["rule"])
    return out


def review_frame(records: Iterable[dict[str, Any]] | str | os.PathLike, *, only_review: bool = True) -> pd.DataFrame:
    """One row per report (least certain first): what a reviewer sorts and picks from.

    Columns: path, agency, year, confidence, needs_review, failing_checks
    (the rules, joined), n_failing, error_codes (issue codes, joined and
    de-duplicated), low_cells / low_facts (how many below the review
    threshold), ambiguous_cells (cells with candidate readings), template.
    The index is the record's position in the batch, so `records[i]` is the
    row's record after any sort.
    """
    import pandas as pd

    recs = read_batch(records) if isinstance(records, (str, os.PathLike)) else list(records)
    rows = []
    for i, rec in enumerate(recs):
        if only_review and not rec.get("needs_review"):
            continue
        meta = rec.get("meta") or {}
        fails = [c["rule"] for c in failing_checks(rec)]
        codes = list(dict.fromkeys(issue["code"] for issue in rec.get("issues") or []))
        if rec.get("error") and rec["error"].get("code") not in codes:
            codes.insert(0, rec["error"]["code"])
        rows.append({
            "path": (rec.get("source") or {}).get("path"),
            "agency": (meta.get("agency") or {}).get("value"),
            "year": (meta.get("year") or {}).get("value"),
            "confidence": rec.get("confidence"),
            "needs_review": bool(rec.get("needs_review")),
            "failing_checks": ", ".join(fails),
            "n_failing": len(fails),
            "error_codes": ", ".join(codes),
            "low_cells": len(low_cells(rec)),
            "low_facts": len(low_facts(rec)),
            "ambiguous_cells": sum(1 for *_, c in record_cells(rec) if c.get("candidates")),
            "template": rec.get("template"),
            "_index": i,
        })
    df = pd.DataFrame(rows, columns=[*REVIEW_COLUMNS, "_index"])
    df = df.set_index("_index")
    df.index.name = None
    return sort_frame(df)


def sort_frame(df: pd.DataFrame, by: str | Sequence[str] = ("confidence", "n_failing", "low_cells"),
               ascending: bool | Sequence[bool] | None = None) -> pd.DataFrame:
    """Sort the review table; default: least confident, then most failing checks, then most low cells."""
    by = [by] if isinstance(by, str) else list(by)
    if ascending is None:
        ascending = [b not in _MORE_IS_WORSE for b in by]
    return df.sort_values(by=by, ascending=ascending, kind="stable", na_position="first")


def facts_frame(record: dict[str, Any]) -> pd.DataFrame:
    """The record's facts as a DataFrame (index = the fact's index, what accept/correct/reject take)."""
    import pandas as pd

    done = review_log(record)["facts"]
    rows = []
    for i, f in enumerate(record.get("facts") or []):
        rows.append({"metric": f.get("metric"), "channel": f.get("channel"), "value": f.get("value"),
                     "unit": f.get("unit"), "role": f.get("role"), "confidence": f.get("confidence"),
                     "text": f.get("text"), "reviewed": (done.get(str(i)) or {}).get("action", "")})
    df = pd.DataFrame(rows, columns=["metric", "channel", "value", "unit", "role", "confidence", "text", "reviewed"])
    df["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # 1424 stays 1424, not 1424.0
    return df


def pick_record(records: Sequence[dict[str, Any]], which: str | int) -> dict[str, Any]:
    """A record by its position in the batch, or by (the end of) its source path."""
    if isinstance(which, int) or str(which).isdigit():
        return records[int(which)]
    hits = [r for r in records if str((r.get("source") or {}).get("path")).endswith(str(which))]
    if len(hits) != 1:
        raise KeyError(f"{len(hits)} records match {which!r}")
    return hits[0]


def resolve_source(record: dict[str, Any], base: str | os.PathLike | None = None) -> Path:
    """The record's source file: its path as given to the batch, tried from `base`, the cwd and the checkout.

    A batch writes paths as it was given them, so a relative one only
    resolves from where the batch ran (usually the checkout).
    """
    p = Path((record.get("source") or {}).get("path") or "")
    if p.is_absolute():
        return p
    for b in [Path(base) if base else None, Path.cwd(), config.checkout()]:
        if b is not None and (b / p).exists():
            return (b / p).resolve()
    return p


def source_text(record: dict[str, Any], base: str | os.PathLike | None = None) -> str:
    """The document text every span of the record indexes into (`extractor.load(path).text`)."""
    doc = load(resolve_source(record, base))
    if doc.error is not None:
        raise ValueError(f"{doc.path}: {doc.error.message}")
    sha = (record.get("source") or {}).get("sha256")
    if sha and doc.sha256 != sha:
        log.warning("%s changed since the batch read it: spans may be off", doc.path)
    return doc.text


def indicators_frame(record: dict[str, Any]) -> pd.DataFrame:
    """The record's indicators (INDICATORS.md) as a person reads them: name, meaning, value, uncertain.

    From the record as it stands (`extractor.indicators`, the one
    computation), so a person's correction shows in them at once.
    """
    import pandas as pd

    from extractor.indicators import compute
    from extractor.spec.indicators import definitions

    ind = compute(record)
    rows = [{"indicator": d.name, "zh": d.zh, "value": ind.values[d.name], "uncertain": d.name in ind.uncertain,
             "formula": d.formula} for d in definitions().indicators if d.name in ind.values]
    df = pd.DataFrame(rows, columns=["indicator", "zh", "value", "uncertain", "formula"]).set_index("indicator")
    df["value"] = pd.Series([r["value"] for r in rows], index=df.index, dtype=object)  # counts stay whole
    return df
