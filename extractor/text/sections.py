"""Find the six parts of a report, even renamed, misnumbered, glued or missing.

Every place a section's title (or a known variant) occurs is a candidate;
a candidate scores for standing where headings stand (line start, after a
sentence, behind its numeral) and loses for standing in a list ("全文包含
总体情况、主动公开…").  The best in-order choice wins, so an introduction
that names all six parts does not steal their headings.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex as re

from extractor.spec.labels import labels
from extractor.text.numerals import ORDINALS

_CN_NUM = ORDINALS
_NUMBERING = re.compile(
    rf"(?:第([{ORDINALS}])部分|([{ORDINALS}])\s*[、.,]|([1-9])\s*[、.])\s*([^\n。,、;]{{0,12}})$"
)
_LINE_START = re.compile(r"(?:^|\n)[ \t#>*|]*$")
# Bounds that keep a text made of headings (a title repeated 90,000 times)
# linear: occurrences scored per variant, and heading candidates per
# section kept for the in-order choice (the best scored).  A real report
# names a section a few dozen times at most.
MAX_OCCURRENCES = 500
MAX_CANDIDATES = 64


@dataclass
class Found:
    id: str
    number: int
    title: str
    start: int  # normalised offset where the heading (with its numbering) starts
    end: int  # normalised offset where the heading title ends
    score: float


def _occurrences(text: str, number: int, sid: str, variants: tuple[str, ...]) -> list[Found]:
    out: list[Found] = []
    seen: set[int] = set()
    for v in variants:
        s = text.find(v)
        n = 0
        while s >= 0 and n < MAX_OCCURRENCES:
            if s not in seen:
                seen.add(s)
                out.append(_score(text, number, sid, v, s, s + len(v)))
                n += 1
            s = text.find(v, s + 1)
    return out


def _score(text: str, number: int, sid: str, title: str, s: int, e: int) -> Found:
    before = text[max(0, s - 12):s]
    after = text[e:e + 2]
    score = 0.0
    start = s
    m = _NUMBERING.search(before)
    if m:
        n = m.group(1) or m.group(2)
        k = _CN_NUM.index(n) + 1 if n else int(m.group(3))
        score += 3 if k == number else 1
        score -= 0.5 if m.group(4) else 0  # words between numbering and title ("五、当前存在的…")
        start = s - (len(before) - m.start())
        pre = text[max(0, start - 12):start]
    else:
        pre = before
    if _LINE_START.search(pre):
        score += 2
    elif pre.endswith(("。", ";", "!", "?", ":", " ", ")", "\t")) or (pre and pre[-1].isdigit()):
        score += 1
    if after[:1] in ("、", ",") or pre.endswith(("、", "包括", "包含", "和", "及")):
        score -= 4  # a list of the parts, not a heading
    if after[:1] in ("\n", "") or after[:1] == " ":
        score += 0.5
    return Found(sid, number, title, start, e, score)


def find_sections(text: str, min_score: float = 2.0) -> list[Found]:
    """The headings found, in document order; missing sections are simply absent."""
    per_section: list[list[Found]] = []
    for sec in labels().sections:
        cands = [c for c in _occurrences(text, sec.number, sec.id, sec.match) if c.score >= min_score]
        if len(cands) > MAX_CANDIDATES:
            cands = sorted(cands, key=lambda c: (-c.score, c.start))[:MAX_CANDIDATES]
        per_section.append(sorted(cands, key=lambda c: c.start))
    return _best_order(per_section)


def _best_order(per_section: list[list[Found]]) -> list[Found]:
    """Choose at most one candidate per section, increasing positions, maximal total score."""
    # states: list of (last_end, total_score, chosen) – kept small by dominance pruning.
    states: list[tuple[int, float, list[Found]]] = [(-1, 0.0, [])]
    for cands in per_section:
        new_states = list(states)  # skipping this section is allowed
        for last_end, total, chosen in states:
            for c in cands:
                if c.start > last_end:
                    new_states.append((c.end, total + c.score, chosen + [c]))
        # keep, for each reachable end, only the best score; and drop dominated states
        new_states.sort(key=lambda s: (s[0], -s[1]))
        pruned: list[tuple[int, float, list[Found]]] = []
        best = float("-inf")
        for st in new_states:
            if st[1] > best:
                pruned.append(st)
                best = st[1]
        states = pruned
    return max(states, key=lambda s: s[1])[2]
