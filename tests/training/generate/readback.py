"""Reading a rendered report back independently of the generator's own bookkeeping.

The generator tests find labels in the text, take the numbers that follow
them and check gold identities themselves, so a bug in the writer cannot
hide behind the writer's own record of what it wrote.  Shared by the test
modules of `extractor.training.generate`.
"""
from __future__ import annotations

import random
import re
import unicodedata

from extractor.spec.labels import labels
from extractor.training.generate.tables import random_tables

METRICS = {
    "posts", "press_conferences", "briefings", "hearings", "interpretations", "responses",
    "training_sessions", "training_participants", "messages_received", "messages_replied",
    "reply_rate", "accounts", "applications_received", "applications_completed",
    "applications_carried_forward", "fees_collected", "readership",
}


CHANNELS = {"website", "weibo", "wechat", "douyin", "toutiao", "new_media", "gazette", "press", "other", None}


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def identity_failures(gold: dict) -> list[str]:
    """Every identity of labels.toml checked on a gold (nulls = cell absent in the template)."""
    L = labels()
    t3, t4 = gold["table3"], gold["table4"]
    cols = list(L.col3)
    fails = []
    for ident in L.identities:
        if ident.table == "table3" and ident.per == "row":
            for key, vals in t3.items():
                if vals is None or any(v is None for v in vals):
                    continue
                lhs = sum(vals[cols.index(c)] for c in ident.lhs)
                rhs = sum(vals[cols.index(c)] for c in ident.rhs)
                if lhs != rhs:
                    fails.append(f"{ident.rule} {key}")
        elif ident.table == "table3":
            rhs_rows = L.outcome_rows if ident.rhs == "outcomes" else ident.rhs
            for ci, col in enumerate(cols):
                def total(rows):
                    return sum(t3[r][ci] for r in rows if t3.get(r) is not None and t3[r][ci] is not None)
                if total(ident.lhs) != total(rhs_rows):
                    fails.append(f"{ident.rule} {col}")
        elif ident.table == "table4":
            c4 = list(L.col4)
            for g, vals in t4.items():
                if sum(vals[c4.index(c)] for c in ident.lhs) != sum(vals[c4.index(c)] for c in ident.rhs):
                    fails.append(f"{ident.rule} {g}")
    return fails


def big_gold(seed: int = 1, template: str = "2021") -> dict:
    """A random gold with at least one number >= 1000 and plenty of zeros (so every mess has a place)."""
    gold = random_tables(random.Random(seed), template=template)
    gold["table2"]["licensing"] = 139265
    return gold


def printed_rows(template: str) -> list[tuple[str, str, str | None]]:
    """(row key, printed label, group label printed before it or None), in table order."""
    L = labels()
    groups = L.raw["table3"]["groups"]
    old_rows = {g["old_template_row"]: g["match"][0] for g in groups if "old_template_row" in g}
    out = []
    gi = 0
    seen_outcome = False
    for r in L.table3_rows:
        if template == "2019" and r.new_template_only:
            continue
        group = None
        if r.outcome and not seen_outcome:
            group, seen_outcome = groups[0]["match"][0], True
        elif r.outcome and r.ordinal == 1:
            gi += 1
            group = groups[gi]["match"][0]
        label = old_rows[r.key] if template == "2019" and r.key in old_rows else r.label
        out.append((r.key, label, group))
    return out


def table3_segments(text: str, template: str) -> dict[str, str]:
    """The text between each table-3 row's label and the next label: where its numbers are."""
    t = nfkc(text)
    rows = printed_rows(template)
    segs = {}
    pos = 0
    end_of_table = nfkc(labels().group4_labels[0])
    for i, (key, label, _group) in enumerate(rows):
        at = t.find(nfkc(label), pos)
        assert at >= 0, f"label of {key} not found in order: {label}"
        start = at + len(nfkc(label))
        ends = []
        if i + 1 < len(rows):
            nkey, nlabel, ngroup = rows[i + 1]
            for cand in (nlabel, ngroup):
                if cand:
                    j = t.find(nfkc(cand), start)
                    if j >= 0:
                        ends.append(j)
        else:
            ends.append(t.find(end_of_table, start))
        end = min(e for e in ends if e >= 0)
        segs[key] = t[start:end]
        pos = start
    return segs


def zero_token_re() -> re.Pattern:
    L = labels()
    marks = sorted({*L.zero_marks, *(f"0{u}" for u in L.units)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, marks)) + r"|\d+(?:\.\d+)?")


def values_read(seg: str, glued: bool, zero_re: re.Pattern | None = None) -> tuple[list | str, int]:
    """Numbers in a segment (ints, or the digit run when glued) and how many placeholders stood for 0."""
    if zero_re is None:
        toks = re.findall(r"\d+", seg)
        marks = 0
    else:
        raw = zero_re.findall(seg)
        marks = sum(1 for x in raw if not x.isdigit())
        toks = [x if x.isdigit() else "0" for x in raw]
    if glued:
        return "".join(toks), marks
    return [int(x) for x in toks], marks


def expect(vals: list, glued: bool) -> list | str:
    """What a row should read as: its printed values (a null cell is printed blank)."""
    vals = [v for v in vals if v is not None]
    return "".join(str(v) for v in vals) if glued else vals


def cjk_pattern(label: str, sep: str) -> re.Pattern:
    return re.compile(sep.join(re.escape(ch) for ch in label))


LABEL_WORDS = sorted({*labels().col3_labels, *labels().col4_labels,
                      *(r.label for r in labels().table3_rows if len(r.label) <= 12)})


def has_split_label(text: str, sep: str, must: str) -> bool:
    """Some table label printed with `must` (a space, a newline) between its characters."""
    for lab in LABEL_WORDS:
        for m in cjk_pattern(lab, sep).finditer(text):
            if must in m.group(0):
                return True
    return False
