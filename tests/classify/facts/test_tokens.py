"""The facts windows are cut exactly as jieba with its own dictionary and ours cuts them (the lexicon is only faster to load)."""
from __future__ import annotations

import logging
import subprocess
import sys

import jieba

from extractor.classify.facts import lexicon
from extractor.classify.facts.tokens import cut, window_tokens
from tests.helpers import ROOT


def _reference() -> jieba.Tokenizer:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.load_userdict(str(lexicon.userdict_path()))
    return tk


def _windows() -> list[str]:
    """Every 16- and 8-character window of the bundled samples (the features' two widths), and odd ones."""
    out = {"", " ", "a b", "2023年度", "ABC公开123.5%", "\t主动公开\r\n政府信息", "依申请公开-#&_%", "（一）收到申请"}
    for p in sorted((ROOT / "samples").iterdir()):
        if p.suffix in (".txt", ".md"):
            text = p.read_text(encoding="utf-8", errors="replace")
            for w in (16, 8):
                out.update(text[i:i + w] for i in range(0, max(1, len(text) - w), 3))
    return sorted(out)


def test_windows_cut_as_jieba_cuts_them() -> None:
    ref = _reference()
    windows = _windows()
    assert len(windows) > 1000
    for s in windows:
        assert cut(s) == ref.lcut(s, HMM=False), s
        assert window_tokens(s) == tuple(t for t in ref.lcut(s, HMM=False) if t.strip()), s


def test_whole_samples_cut_as_jieba_cuts_them() -> None:
    """Long text too: every route jieba takes through a page of prose, the same."""
    ref = _reference()
    for p in sorted((ROOT / "samples").glob("*.txt")):
        text = p.read_text(encoding="utf-8", errors="replace")
        assert cut(text) == ref.lcut(text, HMM=False), p.name


def test_lexicon_holds_jiebas_words_and_ours() -> None:
    ref = _reference()
    lex, total = lexicon.load()
    assert total == ref.total and len(lex) == len(ref.FREQ)
    assert all(lex.get(w) == f for w, f in ref.FREQ.items())
    assert lex.get("政务公开") == 50  # ours (userdict.txt), not jieba's


def test_reading_a_report_does_not_import_jieba() -> None:
    """The cold start (issue 14): with the lexicon cached, the windows are cut without jieba's import."""
    lexicon.load()  # the cache exists (built here if it did not)
    code = ("import sys, extractor; from extractor.classify.facts.tokens import window_tokens; "
            "extractor.extract_file(sys.argv[1]); "
            "print(window_tokens.cache_info().currsize > 0, 'jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "samples" / "sample_05.txt")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True False"
