"""Damaged variants of a labelled report: row labels truncated, reworded, misnumbered, glued, split; noise lines.

The gold tables stay; the fragment labels move with the text, so every
variant is a labelled training (or held-out) text of its own.
"""
from __future__ import annotations

import random

import regex as re

from extractor.spec.labels import labels
from extractor.text.numerals import ORDINALS
from extractor.training.samples import Sample, seed_of

_ORD = re.compile(r"^\s*(?:\d[.、．]|[（(][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}、)\s*")
_CN = ORDINALS
# Generic function words reports put into or before a label (not label text).
_FILLERS = ("的", "等", "类", "之", "、", "及", "和", "其", "所", "中")
_PREFIXES = ("涉及", "对", "因", "其中", "含")
_NOISE_LINES = ("续表", "单位：件", "（续）", "注：", "表格", "备注", "附表", "单位:个")
_MARKUP = re.compile(r"<!--|-->|\[bookmark|[<>\[\]]")
DAMAGE_KINDS = ("truncate", "reword", "misnumber", "glue", "split", "noise")


def _label_chars(rng: random.Random) -> str:
    L = labels()
    pool = "".join(r.label for r in L.table3_rows + L.table2_rows)
    return rng.choice([ch for ch in pool if "\u4e00" <= ch <= "\u9fff"])


def _reword(core: str, rng: random.Random) -> str:
    s = list(core)
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choice(("delete", "insert", "substitute", "swap", "prefix"))
        if op == "delete" and len(s) > 2:
            del s[rng.randrange(len(s))]
        elif op == "insert":
            s.insert(rng.randrange(len(s) + 1), rng.choice(_FILLERS))
        elif op == "substitute" and s:
            s[rng.randrange(len(s))] = _label_chars(rng)
        elif op == "swap" and len(s) > 2:
            i = rng.randrange(len(s) - 1)
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == "prefix":
            s[:0] = list(rng.choice(_PREFIXES))
    return "".join(s)


def _misnumber(prefix: str, rng: random.Random) -> str:
    if not prefix.strip():
        return rng.choice(("", f"{rng.randint(1, 9)}.", f"({rng.choice(_CN)})"))
    p = prefix.strip()
    if rng.random() < 0.25:
        return ""
    if p[0].isdigit():
        d = rng.choice([x for x in "123456789" if x != p[0]])
        return d + p[1:]
    m = re.search(f"[{_CN}]+", p)
    if m:
        new = rng.choice([x for x in _CN if x != m.group()])
        if rng.random() < 0.3:
            return f"{_CN.index(new) + 1}."
        return p[:m.start()] + new + p[m.end():]
    return p


def _damage_one(label_text: str, kind: str, rng: random.Random) -> str | None:
    m = _ORD.match(label_text)
    prefix = label_text[:m.end()] if m else ""
    core = label_text[len(prefix):]
    if kind == "truncate":
        if len(core) < 3:
            return None
        k = rng.randint(2, len(core) - 1)
        core = core[:k] if rng.random() < 0.6 else core[-k:]
        return prefix + core
    if kind == "reword":
        return prefix + _reword(core, rng)
    if kind == "misnumber":
        return _misnumber(prefix, rng) + core
    if kind == "split":
        if len(core) < 2:
            return None
        i = rng.randint(1, len(core) - 1)
        sep = rng.choice(("\n", "\t", " ", "\n\n", "\t\n"))
        if prefix and rng.random() < 0.4:
            return prefix + sep + core
        return prefix + core[:i] + sep + core[i:]
    return None


def _narrative_clause(text: str, fragments: list[dict], rng: random.Random) -> str:
    lo = min((f["span"][0] for f in fragments), default=len(text))
    head = text[:lo]
    parts = [p for p in re.split(r"[。;；，,\n]", head) if 4 <= len(p.strip()) <= 30]
    return rng.choice(parts).strip() if parts else rng.choice(_NOISE_LINES)


def damage(s: Sample, rng: random.Random, n_edits: int | None = None, idx: int = 0) -> Sample:
    """A messy variant of `s`: damaged row labels and noise lines; fragments move with the text."""
    frs = sorted(s.fragments, key=lambda f: f["span"][0])
    # Labels printed with markup around them (Word comments, bookmarks) are left alone:
    # cutting into the markup makes text no report prints.
    rows = [i for i, f in enumerate(frs) if f["label"].startswith(("table2.", "table3."))
            and not _MARKUP.search(s.text[f["span"][0]:f["span"][1]])]
    if not rows:
        return s
    k = n_edits if n_edits is not None else rng.choice((1, 2, 2, 3, 4, 6))
    chosen = sorted(rng.sample(rows, min(k, len(rows))))
    edits: dict[int, tuple[str, str]] = {}  # fragment index -> (kind, new text)
    for i in chosen:
        kind = rng.choice(DAMAGE_KINDS)
        t = s.text[frs[i]["span"][0]:frs[i]["span"][1]]
        if kind in ("glue", "noise"):
            edits[i] = (kind, t)
            continue
        new = _damage_one(t, kind, rng)
        if new is not None and new.strip():
            edits[i] = (kind, new)
    out_text: list[str] = []
    out_frs: list[dict] = []
    pos = 0
    length = 0

    def emit(chunk: str) -> None:
        nonlocal length
        out_text.append(chunk)
        length += len(chunk)

    for i, f in enumerate(frs):
        a, b = f["span"]
        between = s.text[pos:a]
        kind, new = edits.get(i, ("", s.text[a:b]))
        if kind == "glue":
            between = between.rstrip(" \t\n|")
        if kind == "noise":
            emit(between)
            noise = _narrative_clause(s.text, frs, rng) if rng.random() < 0.5 else rng.choice(_NOISE_LINES)
            emit("\n")
            out_frs.append({"span": [length, length + len(noise)], "label": "noise"})
            emit(noise)
            emit("\n")
        else:
            emit(between)
        start = length
        emit(new)
        out_frs.append({"span": [start, length], "label": f["label"]})
        pos = b
        if kind == "glue":
            nxt = frs[i + 1]["span"][0] if i + 1 < len(frs) else len(s.text)
            m = re.match(r"[ \t\n|]+", s.text[pos:nxt])
            if m:
                pos += m.end()
    emit(s.text[pos:])
    kind = s.kind if s.kind.endswith("-damaged") else f"{s.kind}-damaged"
    return Sample(f"{s.id}~d{idx}", s.group, "".join(out_text), out_frs, s.gold, kind)


def with_damage(samples: list[Sample], per: int, seed: int) -> list[Sample]:
    out: list[Sample] = []
    for s in samples:
        out.append(s)
        for i in range(per):
            out.append(damage(s, random.Random(seed_of(seed, s.id, i)), idx=i))
    return out
