"""What the fuzzer starts from: real reports, the bundled samples, and the words reports are made of.

The annotated reports are read from ../shared at run time (their
`text.path` is relative to the repo root) and never copied into the repo;
where ../shared is absent they are skipped and the samples, which are
always present, carry the run.  The vocabulary (labels, headings, units)
comes from the spec data and the texts themselves, so the harness spells
no word of its own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_TOOLS = (ROOT / ".." / "shared" / "tools").resolve()


@dataclass(frozen=True)
class Base:
    """One report to mutate: its document text, and the original markup when it is a page."""

    name: str
    text: str
    markup: str | None = None  # the HTML source of an HTML sample (mutated as markup too)


@lru_cache(maxsize=1)
def bases() -> tuple[Base, ...]:
    """Annotated reports present on this machine, then the samples, in a fixed order (the seed depends on it)."""
    from extractor.input.load import load

    out: list[Base] = []
    for p in sorted((ROOT / "annotations" / "reports").glob("*.json")):
        ann = json.loads(p.read_text(encoding="utf-8"))
        src = (ROOT / ann["text"]["path"]).resolve()
        if src.exists() and src.suffix == ".txt":  # a PDF's text is a reading of it, not a base to mutate
            out.append(Base(p.stem, src.read_bytes().decode("utf-8")))
    for p in sorted((ROOT / "samples").iterdir()):
        if p.suffix == ".txt":  # a sample may be GB18030: its document text, as the loader decodes it
            out.append(Base(p.stem, load(p).text))
        elif p.suffix in (".html", ".htm"):
            doc = load(p)
            out.append(Base(p.stem, doc.text, p.read_bytes().decode(doc.encoding or "utf-8", "replace")))
    return tuple(out)


def shared_present() -> bool:
    """Whether the real reports are here (the run then mutates them as well as the samples)."""
    return any(not b.name.startswith("sample_") for b in bases())


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Labels, headers, section titles, zero marks and units: the pieces label soup is made of."""
    from extractor.spec.labels import labels

    lab = labels()
    words: list[str] = []
    for row in lab.table2_rows + lab.table2_extra_rows + lab.table3_rows:
        words.append(row.label)
        words.extend(row.match)
    for sec in lab.sections:
        words.append(sec.title)
        words.extend(sec.match)
    words.extend(lab.table2_headers + lab.table3_headers + lab.table4_headers)
    words.extend(lab.col3_labels + lab.group4_labels + lab.col4_labels + lab.zero_marks + lab.units)
    words.extend(m for g in lab.table3_groups for m in g["match"])
    for b in bases():  # the first cells of printed rows, as reports spell them
        for line in b.text.splitlines():
            cell = line.strip().split("\t")[0].strip()
            if 1 < len(cell) <= 30:
                words.append(cell)
    return tuple(dict.fromkeys(w for w in words if w))


@lru_cache(maxsize=1)
def headings() -> tuple[str, ...]:
    """Section titles as they open a section (numbered), for the repeated-headings inputs."""
    from extractor.spec.labels import labels

    lab = labels()
    numerals = "\u4e00\u4e8c\u4e09\u56db\u4e94\u516d"
    return tuple(f"{numerals[(s.number - 1) % 6]}\u3001{s.title}" for s in lab.sections)


def record_checker():
    """`check_record.problems` from ../shared/tools, or None when ../shared is absent."""
    import sys

    if not (SHARED_TOOLS / "check_record.py").exists():
        return None
    if str(SHARED_TOOLS) not in sys.path:
        sys.path.insert(0, str(SHARED_TOOLS))
    from check_record import problems

    return problems
