"""A labelled number's channel, role and category, and the phrase a reviewer reads.

After the labels are final (a list inherits from the number before it):
the channel named since the previous number (or the one it continues),
whether it is a part of a total (其中…, a channel figure under an overall
one, an applicant type), the category a part counts (通知公告, 工作动态 …),
and the words of the fact as shown in the record.
"""
from __future__ import annotations

import regex as re

from extractor import budget

from extractor.narrative.decide import Quantity, in_breakdown_of_same
from extractor.spec.metrics import OTHER, rules, spec_metrics

_CLAUSE_DELIMS = frozenset(",。;:!?\n\t|")
_MAX_PHRASE_LEFT = 26

# ================================================================== channel
def _channels_in(window: str) -> list[str]:
    """Channels named in a stretch of text; a stretch claimed by an earlier channel is not seen again."""
    found: list[str] = []
    work = window
    for cid, pat in rules().channels:
        hit = False
        for mm in pat.finditer(work):
            hit = True
            work = work[:mm.start()] + "□" * (mm.end() - mm.start()) + work[mm.end():]
        if hit:
            found.append(cid)
    return found


_NEW_MEDIA = frozenset({"wechat", "weibo", "douyin", "toutiao", "new_media"})
_PARENS = re.compile(r"\([^()]*\)|“[^”]*”")


def combine_channels(found: list[str]) -> str | None:
    """One channel, several new-media ones (new_media), or a mix (null: an overall figure)."""
    kinds = list(dict.fromkeys(found))
    if not kinds:
        return None
    if len(kinds) == 1:
        return kinds[0]
    if all(k in _NEW_MEDIA for k in kinds):
        return "new_media"
    return None


def _channel(text: str, qs: list[Quantity], i: int) -> None:
    """The channel named in the stretch since the previous number, else the one it continues."""
    q = qs[i]
    m = rules().by_id.get(q.label)
    if m is not None and not m.has_channel:
        return
    prev = qs[i - 1] if i > 0 else None
    lo = q.ctx.sentence_start
    if prev is not None and prev.number.end > lo:
        lo = prev.number.end
    window = text[lo:q.number.start]
    if q.how == "right" or len(q.ctx.left.strip(",、 ")) <= 2:
        window += "|" + q.ctx.right
    found = _named(window)
    if found:
        q.channel, q.channel_how = combine_channels(found), "named"
        return
    src = _channel_source(qs, i)
    if src is not None and src.channel is not None:
        q.channel, q.channel_how = src.channel, "inherited"


def _named(window: str) -> list[str]:
    """Channels named in a window; names inside brackets or quotes count only when nothing outside does."""
    outside = _PARENS.sub("", window)
    found = _channels_in(outside)
    if not found and outside != window:
        found = _channels_in(window)
    return found


def _channel_source(qs: list[Quantity], i: int) -> Quantity | None:
    """Whose channel a number without one takes: what precedes it in its sentence or breakdown."""
    q = qs[i]
    prev = qs[i - 1] if i > 0 else None
    m = rules().by_id.get(q.label)
    if prev is not None and prev.number.end >= q.ctx.sentence_start:
        if m is not None and m.inherit_channel and not rules().total_words.search(q.ctx.left):
            return prev
        if q.link != "none" and prev.label == q.label:
            return prev
    if q.parent is not None and qs[q.parent].label == q.label:
        for j in range(i - 1, q.parent - 1, -1):
            if qs[j].label == q.label:
                return qs[j]
    return None


# ===================================================================== role
def _category(q: Quantity, text: str) -> str | None:
    """The name of the breakdown a part counts (通知公告, 工作动态, 自然人 …), cleaned of verbs and channels."""
    R = rules()
    left = q.ctx.left
    if q.label == "applications_received":
        mm = R.applicants.search(left)
        return R.applicant_tail.sub("", left[mm.start():]) if mm else None
    quoted = R.quoted_column.search(left)
    if quoted:
        return quoted.group(1)
    s = R.category_strip.sub("", left)
    verbs = list(R.category_verbs.finditer(s))
    if verbs and len(s) - verbs[-1].end() >= 2:
        s = s[verbs[-1].end():]
    for _, pat in R.channels:
        s = pat.sub("", s)
    s = R.category_lead.sub("", s)
    s = R.category_tail.sub("", s)
    s = s.strip("“”\"()、,: ")
    if len(s) < 2 or s in R.category_generic:
        return None
    return s


def _role(text: str, qs: list[Quantity], i: int) -> None:
    q = qs[i]
    R = rules()
    if q.label == OTHER:
        return
    prev = qs[i - 1] if i > 0 else None
    if in_breakdown_of_same(qs, i) or (q.parent is not None and qs[q.parent].label == q.label):
        q.role = "part"
    elif q.label == "posts" and R.category_markers.search(q.ctx.left):
        q.role = "part"
    elif q.label == "applications_received" and R.applicants.search(q.ctx.left):
        q.role = "part"
    elif prev is not None and q.link in ("list", "glued") and prev.label == q.label and prev.role == "part":
        q.role = "part"
    elif q.label in ("posts", "accounts") and q.channel is not None and _under_total(qs, i):
        q.role = "part"
    if q.role == "part" and q.label == "posts" and q.channel is None:
        _channel_since_last_fact(text, qs, i)
    if q.role == "part" and q.label in ("posts", "applications_received") and (
            q.channel is None or q.label == "applications_received" or R.category_markers.search(q.ctx.left)):
        q.category = _category(q, text)


def _channel_since_last_fact(text: str, qs: list[Quantity], i: int) -> None:
    """A category part whose channel was named since the last fact ("局门户网站的信息公开…。一是…类信息11条")."""
    q = qs[i]
    lo = q.ctx.paragraph_start
    for j in range(i - 1, -1, -1):
        if qs[j].label in spec_metrics():
            lo = max(lo, qs[j].number.end)
            break
    kinds = list(dict.fromkeys(_named(text[lo:q.ctx.clause_start])))
    if len(kinds) == 1:
        q.channel, q.channel_how = kinds[0], "inherited"


def _under_total(qs: list[Quantity], i: int) -> bool:
    """A channel figure after an overall one of the same metric in its paragraph, and not larger."""
    q = qs[i]
    for j in range(i - 1, -1, -1):
        p = qs[j]
        if p.number.end < q.ctx.paragraph_start:
            return False
        if p.label == q.label and p.channel is None and p.role == "total":
            return q.number.value <= p.number.value
    return False


# =================================================================== phrase
def _phrase(text: str, q: Quantity) -> tuple[int, int]:
    """The words of a fact as a reviewer reads them: the clause up to the unit (and the noun after it)."""
    s = max(q.ctx.clause_start, q.number.start - _MAX_PHRASE_LEFT)
    while s > q.ctx.clause_start and (text[s - 1].isdigit() or text[s - 1].isascii() and text[s - 1].isalpha()):
        s -= 1
    while s < q.number.start and (text[s].isspace() or text[s] in ",。;:、!?|)"):
        s += 1
    e = q.number.end
    if q.how == "right" or (q.label != OTHER and len(q.ctx.left.strip()) <= 2 and q.ctx.right):
        e += len(q.ctx.right)
    while e > q.number.end and text[e - 1] in " \t\n“(":
        e -= 1
    return s, e


def attach(text: str, qs: list[Quantity]) -> None:
    """Channel, role and phrase of every number, once the labels are final."""
    for i, q in enumerate(qs):
        if not i % 64:
            budget.check()
        _channel(text, qs, i)
        _role(text, qs, i)
        q.phrase = _phrase(text, q)
