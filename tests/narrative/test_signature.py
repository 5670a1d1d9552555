"""The prose signature (extractor.narrative.signature): deterministic, chunked without changing a bit."""
from __future__ import annotations

from extractor.narrative import signature as sig


def test_minhash_in_chunks_equals_minhash_at_once(monkeypatch):
    """bench_memory's digits_1mb: hashing every shingle by every permutation at once rose by 200 MB; the
    chunked minimum must be the same signature, whatever the chunk."""
    prose = "本机关全年主动公开政府信息1234条，其中政策解读56条。" * 40 + "0123456789" * 50
    whole = sig.minhash(prose)
    monkeypatch.setattr(sig, "CHUNK", 7)
    assert sig.minhash(prose) == whole and len(whole) == sig.PERMUTATIONS


def test_similar_prose_is_similar_and_other_prose_is_not():
    a = "本机关全年主动公开政府信息1234条，其中政策解读56条，召开新闻发布会3场。" * 5
    b = a.replace("1234", "1235")
    c = "依申请公开工作平稳有序，全年未发生行政复议和行政诉讼案件，未收取任何费用。" * 5
    assert sig.similarity(sig.minhash(a), sig.minhash(a)) == 1.0
    assert sig.similarity(sig.minhash(a), sig.minhash(b)) > 0.6
    assert sig.similarity(sig.minhash(a), sig.minhash(c)) < 0.2
    assert sig.minhash("短") == [] and sig.similarity([], sig.minhash(a)) == 0.0
