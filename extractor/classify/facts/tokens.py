"""jieba tokens of a candidate's window, with the domain user dictionary (`spec/data/userdict.txt`).

The cut is jieba's accurate mode without the HMM (`Tokenizer.lcut(s,
HMM=False)`: the likeliest path through the words the dictionary knows),
written out here over the cached `lexicon` so that a cold start neither
imports jieba (a quarter second, most of it `pkg_resources`) nor loads its
marshalled dictionary (a second).  `tests/classify/facts/test_tokens.py`
checks it against jieba itself, token for token.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from math import log

from extractor.classify.facts import lexicon

# jieba's own patterns (re_han_default, re_skip_default, re_eng), with the standard `re` it uses.
_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_SKIP = re.compile("(\r\n|\\s)", re.U)
_ENG = re.compile("[a-zA-Z0-9]", re.U)

_lock = threading.Lock()
_loaded: tuple[lexicon.Lexicon, float] | None = None


def _lexicon() -> tuple[lexicon.Lexicon, float]:
    """(the lexicon, log of its total frequency), loaded on first use."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                lex, total = lexicon.load()
                _loaded = lex, log(total)
    return _loaded


def _cut_block(s: str, lex: lexicon.Lexicon, logtotal: float) -> list[str]:
    """jieba's `__cut_DAG_NO_HMM`: every dictionary word from each position, the likeliest route, lone
    ASCII letters and digits joined."""
    n = len(s)
    dag = []
    for k in range(n):
        ends = []
        i, frag = k, s[k]
        while i < n and frag in lex:
            if lex[frag]:
                ends.append(i)
            i += 1
            frag = s[k:i + 1]
        dag.append(ends or [k])
    route: list[tuple[float, int]] = [(0, 0)] * (n + 1)
    for idx in range(n - 1, -1, -1):
        route[idx] = max((log(lex.get(s[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x) for x in dag[idx])
    out, buf, x = [], "", 0
    while x < n:
        y = route[x][1] + 1
        word = s[x:y]
        if _ENG.match(word) and len(word) == 1:
            buf += word
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(word)
        x = y
    if buf:
        out.append(buf)
    return out


def cut(s: str) -> list[str]:
    """jieba's `lcut(s, HMM=False)` with its dictionary and ours."""
    lex, logtotal = _lexicon()
    out: list[str] = []
    for blk in _BLOCK.split(s):
        if not blk:
            continue
        if _BLOCK.match(blk):
            out.extend(_cut_block(blk, lex, logtotal))
            continue
        for part in _SKIP.split(blk):
            if _SKIP.match(part):
                out.append(part)
            else:
                out.extend(part)
    return out


def tokens(s: str) -> list[str]:
    return list(window_tokens(s))


@lru_cache(maxsize=8192)
def window_tokens(s: str) -> tuple[str, ...]:
    """jieba words of a window, remembered: the same short windows ("主动公开政府信息") recur across reports."""
    if not s:
        return ()
    return tuple(t for t in cut(s) if t.strip())
