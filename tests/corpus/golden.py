"""Golden records: what every annotated report and bundled sample reads as, frozen.

A restructuring must not change a single record.  `golden_records.json`
holds, for each case, the sha256 of every top-level part of its record
(canonical JSON), so a failure says which part moved (tables, facts,
checks, issues, ...).  Real report texts stay in ../shared: only digests
are stored here, never their text.

When a change is *meant* to alter records, regenerate and commit the file
with the change, so the diff shows which cases moved:

    .venv/bin/python -m tests.corpus.golden --update
    .venv/bin/python -m tests.corpus.golden --diff sample_09   # show one case's record
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
SHARED = (ROOT / ".." / "shared").resolve()
GOLDEN = Path(__file__).with_name("golden_records.json")


def cases() -> Iterator[tuple[str, Path, bool]]:
    """(name, text path, real) for every annotated document and every bundled sample."""
    for kind in ("reports", "excerpts"):
        for p in sorted((ROOT / "annotations" / kind).glob("*.json")):
            ann = json.loads(p.read_text(encoding="utf-8"))
            yield f"{kind}/{ann['id']}", (ROOT / ann["text"]["path"]).resolve(), True
    for p in sorted((ROOT / "samples").iterdir()):
        if not p.name.endswith(".json"):
            yield f"samples/{p.stem}", p, False


def record_of(path: Path) -> dict[str, Any]:
    import extractor

    rec = extractor.extract_file(path).to_dict()
    rec["source"] = dict(rec["source"], path=path.name)  # where the clone sits is not behaviour
    return rec


def canonical(v: Any) -> bytes:
    return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(rec: dict[str, Any]) -> dict[str, str]:
    """sha256 (first 16 hex digits) of each top-level part of a record, and of the whole."""
    out = {k: hashlib.sha256(canonical(v)).hexdigest()[:16] for k, v in sorted(rec.items())}
    out["*"] = hashlib.sha256(canonical(rec)).hexdigest()[:16]
    return out


def compute(only_available: bool = True) -> dict[str, dict[str, str]]:
    out = {}
    for name, path, _real in cases():
        if only_available and not path.exists():
            continue
        out[name] = digest(record_of(path))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite golden_records.json from the current code")
    ap.add_argument("--diff", metavar="CASE", help="print the current record of one case (e.g. samples/sample_09)")
    args = ap.parse_args(argv)
    if args.diff:
        for name, path, _ in cases():
            if name == args.diff or name.endswith("/" + args.diff):
                sys.stdout.write(json.dumps(record_of(path), ensure_ascii=False, indent=1) + "\n")
                return 0
        print(f"no case {args.diff}", file=sys.stderr)
        return 2
    now = compute()
    if args.update:
        GOLDEN.write_text(json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {len(now)} cases to {GOLDEN}")
        return 0
    old = json.loads(GOLDEN.read_text(encoding="utf-8"))
    moved = {n: sorted(k for k in d if d[k] != old.get(n, {}).get(k)) for n, d in now.items() if d != old.get(n)}
    for n, parts in moved.items():
        print(f"{n}: {', '.join(parts)}")
    print(f"{len(now)} cases, {len(moved)} changed")
    return 1 if moved else 0


if __name__ == "__main__":
    raise SystemExit(main())
