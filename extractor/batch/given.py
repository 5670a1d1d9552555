"""Files a person gives a batch: a manifest of where each report came from, and a hierarchy of bodies.

The manifest (`--manifest FILE.csv`: `path`, `url`, `fetched_at` and any
other columns) carries each row into its record's `source`, so a value can
be traced to where and when it was published (the sha256 is there
already).  Its paths are read relative to the manifest's folder, the batch's
relative to where it runs; both are compared resolved.  A column named like
one of the record's own source keys (path, sha256, ...) is kept as
`manifest_<name>`, never over the extractor's value.

The hierarchy (`--hierarchy FILE.csv`: `parent`, `child` agency names, one
pair a line) says which bodies' reports add up to which; `--hierarchy
gazetteer` takes the parts from the gazetteer instead (the same kind of body
in every division under the parent's); without either there is no
hierarchy check.  Not by default: a city government's own report is not the
sum of its districts' (each body reports the requests it handled itself),
so a batch holding a city and all its districts would fail the check on
figures nobody got wrong; the check is for a region's summary report, where
a person says which reports sum up.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

OWN_SOURCE_KEYS = ("path", "sha256", "encoding", "format", "chars")


def _rows(path: Path, needed: tuple[str, ...]) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in needed if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: no column {', '.join(missing)} (it has {', '.join(reader.fieldnames or ())})")
        return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def read_manifest(path: str | os.PathLike) -> dict[str, dict[str, str]]:
    """Resolved report path -> its manifest row (without `path`); ValueError for a file without a path column."""
    path = Path(path)
    out = {}
    for row in _rows(path, ("path",)):
        if row["path"]:
            out[str((path.parent / row["path"]).resolve())] = {k: v for k, v in row.items() if k != "path"}
    return out


def manifest_key(batch_path: str) -> str:
    """How a batch input is looked up in a manifest."""
    return str(Path(batch_path).resolve())


def with_provenance(rec: dict[str, Any], row: dict[str, str]) -> dict[str, Any]:
    """The record with its manifest row in `source` (idempotent; the extractor's own keys are kept)."""
    source = dict(rec.get("source") or {})
    for k, v in row.items():
        source[f"manifest_{k}" if k in OWN_SOURCE_KEYS else k] = v
    rec["source"] = source
    return rec


GAZETTEER = "gazetteer"  # `--hierarchy gazetteer`: the parts from the gazetteer


def read_hierarchy(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(parent, child) agency-name pairs; ValueError for a file without those columns."""
    return [(r["parent"], r["child"]) for r in _rows(Path(path), ("parent", "child")) if r["parent"] and r["child"]]
