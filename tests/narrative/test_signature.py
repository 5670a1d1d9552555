"""Prose signatures (extractor/narrative/signature.py): the share of equal positions, lists or arrays alike;
chunked hashing that changes no bit."""
from __future__ import annotations

import numpy as np

from extractor.narrative import signature as sig
from extractor.narrative.signature import as_array, minhash, similarity


def test_similarity_is_the_share_of_equal_positions_for_lists_and_arrays() -> None:
    a = [5, 6, 7, 8]
    b = [5, 0, 7, 9]
    assert similarity(a, b) == 0.5 == similarity(as_array(a), as_array(b)) == similarity(a, as_array(b))
    assert similarity(a, a) == 1.0
    assert similarity([], a) == similarity(a, []) == similarity(a, a[:3]) == 0.0
    assert similarity(np.array([], dtype=np.int64), as_array(a)) == 0.0


def test_similar_prose_has_a_similar_signature() -> None:
    text = "本机关全年主动公开政府信息一千二百条，办理依申请公开事项三十件，均在法定期限内答复。" * 4
    same, other = minhash(text), minhash(text.replace("三十件", "四十件"))
    assert len(same) == 64 and max(same) < 2 ** 32
    assert similarity(same, minhash(text)) == 1.0
    assert 0.5 < similarity(same, other) < 1.0
    assert similarity(same, minhash("完全不同的一段文字，讲的是别的事情。" * 5)) < 0.2


def test_minhash_in_chunks_equals_minhash_at_once(monkeypatch) -> None:
    """bench_memory's digits_1mb: hashing every shingle by every permutation at once rose by 200 MB; the
    chunked minimum must be the same signature, whatever the chunk."""
    prose = "本机关全年主动公开政府信息1234条，其中政策解读56条。" * 40 + "0123456789" * 50
    whole = minhash(prose)
    monkeypatch.setattr(sig, "CHUNK", 7)
    assert minhash(prose) == whole and len(whole) == sig.PERMUTATIONS
