"""The candidate label fragments of a table region, and the labels a fragment can have.

Training (`extractor.training.train`) and anchoring use this same
`segment`, so the classifier sees at run time what it learnt from.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex as re

from extractor.spec.labels import fold, labels
from extractor.text.numerals import ORDINALS

@lru_cache(maxsize=1)
def label_names() -> tuple[str, ...]:
    """Every label a fragment can have, from data/labels.toml (the model's label list)."""
    L = labels()
    return tuple(
        [f"table2.{r.key}" for r in L.table2_rows + L.table2_extra_rows]
        + [f"table3.{k}" for k in L.row3]
        + [f"table4.{g}" for g in L.group4]
        + ["table4.header", "header", "group", "noise"]
    )


def row_label(table: str, key: str) -> str:
    return f"{table}.{key}"


_VALUE_CH = r"\d\s|/—–\-×"
# A run of label text: single spaces inside it, and "/" between two Han ("本年增/减").
_RUN = re.compile(rf"[^{_VALUE_CH}]+(?:(?: |(?<=\p{{Han}})/(?=\p{{Han}}))[^{_VALUE_CH}]+)*")
_NUM = re.compile(r"\d+(?:\.\d+)?|——|[/—–\-×]")
_HAS_WORD = re.compile(r"[\p{Han}A-Za-z]")
_CN = ORDINALS
_CN_ORD = re.compile(rf"[(][{_CN}]{{1,2}}[)]|(?<![{_CN}第])[{_CN}]{{1,2}}、")
LEAD = re.compile(rf"^(?:[.、,:;)\s]+|[(][{_CN}]{{1,2}}[)]\s*|[{_CN}]{{1,2}}、\s*)+")
SENTENCE = re.compile(r"[。;!?]")
# A Chinese ordinal opening a fragment, "(二)" or "二、" (feature `ordinal`).
CN_ORD_AT_START = re.compile(rf"[(]([{_CN}]{{1,2}})[)]|([{_CN}]{{1,2}})、")


@dataclass
class Fragment:
    """A candidate label fragment: normalised offsets [start, end) and its surroundings."""

    start: int
    end: int
    text: str
    table: str
    furniture: str = ""  # "header" | "group" | ""
    ordinal: str = ""  # the Arabic ordinal printed right before ("2" of "2.重复申请")
    digits_after: int = 0
    cells_after: int = 0
    digits_before: int = 0
    index: int = 0
    count: int = 0
    rel: float = 0.0

    @property
    def core(self) -> str:
        """The fragment without its leading ordinal and punctuation."""
        return LEAD.sub("", self.text).strip()

    def anchor_start(self) -> int:
        """Where a row anchored on this fragment starts: over its printed Arabic ordinal."""
        return self.start - 1 if self.ordinal else self.start


@lru_cache(maxsize=None)
def furniture_patterns(table: str) -> tuple[re.Pattern | None, re.Pattern | None]:
    L = labels()
    heads = {"table2": L.table2_headers, "table3": L.table3_headers, "table4": L.table4_headers}[table]
    head = re.compile("|".join(f"(?:{p})" for p in sorted(heads, key=len, reverse=True))) if heads else None
    group = None
    if table == "table3":
        lits = sorted({m for g in L.table3_groups for m in g["match"]}, key=len, reverse=True)
        group = re.compile("|".join(re.escape(m) for m in lits))
    return head, group


def _furniture_spans(piece: str, table: str) -> list[tuple[int, int, str]]:
    """Header/group matches inside a run that split it: 3+ characters, or the whole run."""
    head, group = furniture_patterns(table)
    found: list[tuple[int, int, str]] = []
    for rx, kind in ((group, "group"), (head, "header")):
        if rx is None:
            continue
        for m in rx.finditer(piece):
            s, e = m.span()
            if e - s >= 3 or (s == 0 and e == len(piece)):
                found.append((s, e, kind))
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    kept: list[tuple[int, int, str]] = []
    for s, e, k in found:
        if kept and s < kept[-1][1]:
            continue
        # A Chinese ordinal right before a group label belongs to it ("(三)不予公开").
        m = re.search(rf"(?:[(][{_CN}]{{1,2}}[)]|[{_CN}]{{1,2}}、)\s*$", piece[kept[-1][1] if kept else 0:s])
        if m and k == "group":
            s = (kept[-1][1] if kept else 0) + m.start()
        kept.append((s, e, k))
    return kept


def _split_run(run: str, table: str) -> list[tuple[int, int, str]]:
    """A run into (start, end, furniture kind) pieces."""
    pieces: list[tuple[int, int, str]] = []
    last = 0
    for s, e, k in _furniture_spans(run, table):
        if s > last:
            pieces.append((last, s, ""))
        pieces.append((s, e, k))
        last = e
    if last < len(run):
        pieces.append((last, len(run), ""))
    out: list[tuple[int, int, str]] = []
    for s, e, k in pieces:
        if k:
            out.append((s, e, k))
            continue
        cuts = [s] + [s + m.start() for m in _CN_ORD.finditer(run[s:e]) if m.start() > 0] + [e]
        for a, b in zip(cuts, cuts[1:]):
            out.append((a, b, ""))
    return out


def segment(text: str, table: str, start: int, end: int) -> list[Fragment]:
    """The candidate label fragments of one table region of the normalised text."""
    L = labels()
    skip = set(L.zero_marks) | set(L.units)
    frags: list[Fragment] = []
    for m in _RUN.finditer(text, start, end):
        run = m.group()
        for s, e, kind in _split_run(run, table):
            piece = run[s:e]
            stripped = piece.strip()
            if not stripped or not _HAS_WORD.search(stripped) or stripped in skip:
                continue
            lead = len(piece) - len(piece.lstrip())
            a = m.start() + s + lead
            b = a + len(stripped)
            ordinal = ""
            if a > start and text[a - 1].isdigit() and stripped[:1] in ".、":
                ordinal = text[a - 1]
            frags.append(Fragment(a, b, stripped, table, kind, ordinal))
    n = len(frags)
    span = max(1, end - start)
    for i, f in enumerate(frags):
        nxt = frags[i + 1].start - (1 if frags[i + 1].ordinal else 0) if i + 1 < n else end
        prv = frags[i - 1].end if i else start
        after = text[f.end:max(f.end, nxt)]
        before = text[prv:f.anchor_start()]
        f.digits_after = sum(ch.isdigit() for ch in after)
        f.cells_after = len(_NUM.findall(after))
        f.digits_before = sum(ch.isdigit() for ch in before)
        f.index, f.count = i, n
        f.rel = (f.start - start) / span
    return frags


# ================================================================ exact keys (neighbours)
@lru_cache(maxsize=None)
def _exact_variants(table: str) -> tuple[tuple[str, str], ...]:
    L = labels()
    out: list[tuple[str, str]] = []
    if table == "table2":
        for r in L.table2_rows + L.table2_extra_rows:
            out += [(v, f"table2.{r.key}") for v in r.match]
    elif table == "table3":
        for r in L.table3_rows:
            out += [(v, f"table3.{r.key}") for v in r.match]
        for g in L.table3_groups:
            out += [(v, "group") for v in g["match"]]
    else:
        for g, lab in zip(L.group4, L.group4_labels):
            out.append((fold(lab.split("·")[-1]), f"table4.{g}"))
    return tuple(sorted(out, key=lambda x: -len(x[0])))


def exact_key(f: Fragment) -> str:
    """The label an exact variant match gives the fragment (longest variant wins), or furniture."""
    if f.furniture:
        return f.furniture
    for v, lab in _exact_variants(f.table):
        if v in f.text:
            return lab
    return "none"

