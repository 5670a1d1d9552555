"""The cached jieba lexicon: answers as a dict would, and its cache file is written once, read back, rebuilt when damaged."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.classify.facts import lexicon

WORDS = ["主", "主动", "主动公开", "公", "公开"]
FREQ = [0, 40, 50, 3, 700]


def test_lexicon_answers_like_a_dict() -> None:
    lex = lexicon.Lexicon(WORDS, FREQ)
    ref = dict(zip(WORDS, FREQ))
    for w in ["主", "主动", "主动公开", "公开", "开", "主动公", "", "公开公开", "丁"]:
        assert (w in lex) == (w in ref)
        assert lex.get(w) == ref.get(w)
        assert lex.get(w, 1) == ref.get(w, 1)
        if w in ref:
            assert lex[w] == ref[w]
        else:
            with pytest.raises(KeyError):
                lex[w]
    assert len(lex) == 5 and 3 not in lex


@pytest.fixture()
def small_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """A five-word 'jieba' and a cache dir of the test's own; counts the builds."""
    calls = []

    def build() -> tuple[list[str], list[int], int]:
        calls.append(1)
        return list(WORDS), list(FREQ), sum(FREQ)

    monkeypatch.setattr(lexicon, "build", build)
    monkeypatch.setenv("EXTRACTOR_CACHE", str(tmp_path / "cache"))
    return calls


def test_cache_built_once_then_read(small_build: list[int]) -> None:
    lex, total = lexicon.load()
    assert small_build == [1] and total == 793 and lex.get("公开") == 700
    files = list(lexicon.cache_dir().glob("jieba-*.npz"))
    assert len(files) == 1
    lex2, total2 = lexicon.load()
    assert small_build == [1] and total2 == 793
    assert [lex2.get(w) for w in WORDS] == FREQ


def test_damaged_cache_is_rebuilt(small_build: list[int]) -> None:
    lexicon.load()
    (path,) = lexicon.cache_dir().glob("jieba-*.npz")
    path.write_bytes(b"not an npz")
    lex, total = lexicon.load()
    assert small_build == [1, 1] and total == 793 and lex.get("主动") == 40
    assert lexicon.load()[1] == 793 and small_build == [1, 1]  # the rebuilt file is read


def test_unwritable_cache_builds_in_memory(small_build: list[int], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("EXTRACTOR_CACHE", str(blocker / "sub"))  # a directory under a file: not creatable
    lex, total = lexicon.load()
    assert total == 793 and lex.get("公开") == 700
    lexicon.load()
    assert small_build == [1, 1]
