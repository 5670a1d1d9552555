"""A compact signature of a report's prose, so a batch can find two reports whose narrative is nearly the same.

Copy-pasted reports (the same text year after year, or one body's report
under another's name) are a complaint of the people who assess these
reports; comparing texts pairwise would need every text at the end of a
batch.  Instead each record carries a MinHash of its prose (the text
outside the tables, as character shingles), and the copy-paste check
(`checks.copypaste`) estimates how much two prose texts share from two
signatures alone (the share of equal positions estimates the Jaccard
similarity of their shingle sets).  Deterministic across processes and
machines: shingles are hashed by a fixed polynomial over their code points
(computed for all shingles at once with numpy, not one Python call each),
not by Python's salted hash.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

SHINGLE = 5  # characters per shingle: long enough that shared template words alone do not make two texts alike
PERMUTATIONS = 64
CHUNK = 8192  # shingles hashed at once by every permutation: 4 MB of work array, whatever the prose's length
_rng = np.random.default_rng(20240615)  # fixed: a signature must mean the same in every run
_A = _rng.integers(1, 1 << 63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)
_BASE = np.uint64(0x100000001B3)  # the polynomial's base (FNV's prime): odd, so no shingle bits are lost


def prose_of(text: str, exclude: Sequence[tuple[int, int]]) -> str:
    """The text without the table regions, whitespace dropped (layout is not content)."""
    keep, pos = [], 0
    for s, e in sorted(exclude):
        keep.append(text[pos:max(pos, s)])
        pos = max(pos, e)
    keep.append(text[pos:])
    return "".join("".join(keep).split())


def shingle_hashes(prose: str) -> np.ndarray:
    """A 64-bit hash of every `SHINGLE`-character window of the prose, distinct values only."""
    codes = np.frombuffer(prose.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):  # (((c0*B + c1)*B + c2)*B ...) mod 2**64, every window at once
            h = h * _BASE + codes[k:k + n]
        h ^= h >> np.uint64(29)  # fold the high bits down: the next step keeps only high bits
    return np.unique(h)


def minhash(prose: str) -> list[int]:
    """The MinHash signature of the prose's shingles ([] for prose shorter than one shingle)."""
    if len(prose) < SHINGLE:
        return []
    x = shingle_hashes(prose)
    # multiply-shift hashing: (a*x + b) mod 2**64, its high 32 bits; one row per permutation (the high
    # bits of the least value are the least high bits, so the shift comes after the min).  In chunks: a
    # megabyte of prose has a million shingles, and all permutations at once would take 64 × 8 bytes each.
    least = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(0, len(x), CHUNK):
            mixed = np.outer(_A, x[k:k + CHUNK])
            mixed += _B[:, None]
            np.minimum(least, mixed.min(axis=1), out=least)
    return (least >> np.uint64(32)).tolist()


def similarity(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Estimated Jaccard similarity of two prose texts from their signatures (0 when either is empty).

    Signatures as numpy arrays (`as_array`) compare fastest: a batch's
    copy-paste check compares up to `copypaste.MAX_PAIRS` of them.
    """
    if len(a) == 0 or len(b) == 0 or len(a) != len(b):
        return 0.0
    return int(np.count_nonzero(as_array(a) == as_array(b))) / len(a)


def as_array(sig: Sequence[int] | np.ndarray) -> np.ndarray:
    """A signature as an int64 array (its values are the high 32 bits of a hash: they fit)."""
    return np.asarray(sig, dtype=np.int64)


def signature(text: str, exclude: Sequence[tuple[int, int]]) -> dict[str, object]:
    """What a record keeps of its prose: its length and MinHash."""
    prose = prose_of(text, exclude)
    return {"chars": len(prose), "minhash": minhash(prose)}
