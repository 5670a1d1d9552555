"""Bytes to text, honestly: the encoding a file was written in, never replacement characters.

UTF-8 with or without BOM, UTF-16 with or without BOM, GB18030 (GB2312 and
GBK are subsets), Big5, then charset-normalizer for the rare rest; a file
that decodes only by chance (mostly control characters) is binary.
"""
from __future__ import annotations

import codecs
import re


# Characters every report uses in either script; used to choose between
# encodings that both decode a file without error (GB18030 vs Big5).
_COMMON = set("政府信息公开開年度报報告申请請情况況工作的本和处理處行复複议議诉訴讼訟主动動")


# Scoring a prefix is enough to tell two decodings apart; a whole 600 KB page
# scored twice per candidate cost more than reading it.
SCORE_CHARS = 50_000


def cjk_score(text: str) -> float:
    """The share of characters every report uses, over the first `SCORE_CHARS`."""
    text = text[:SCORE_CHARS]
    if not text:
        return 0.0
    return sum(ch in _COMMON for ch in text) / len(text)


def looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NULs in every other byte.

    ASCII-heavy text has a NUL in nearly every other byte; Chinese text has
    them only around digits, tabs and newlines (and in characters like 一
    U+4E00), so for it the byte order whose decoding reads most like a
    report wins, if either does.
    """
    if len(data) < 4:  # an odd length is a truncated file, still UTF-16
        return None
    sample = data[:4000]
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.2 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.2 * half and odd < 0.05 * half:
        return "utf-16-be"
    if odd + even < max(4, 0.02 * half):
        return None
    best: tuple[float, str | None] = (0.01, None)
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if not is_binary(text):
            best = max(best, (cjk_score(text), enc), key=lambda x: x[0])
    return best[1]


def is_binary(text: str) -> bool:
    """Decoded text that is mostly control characters is a binary file that decoded by chance."""
    if not text:
        return False
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) > max(8, 0.01 * len(sample))


# Control characters but the five whitespace ones (\t \n \v \f \r), and the replacement character.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")


def decode_cut(data: bytes, enc: str) -> str:
    """Decode strictly, except that the bytes may end inside a character.

    Downloads and crawler dumps are often cut mid-character; the incomplete
    trailing sequence (at most 3 bytes) is dropped, nothing is replaced, and
    any invalid byte elsewhere still raises UnicodeDecodeError.
    """
    return codecs.getincrementaldecoder(enc)(errors="strict").decode(data, final=False)


def decode(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding).  Raises UnicodeError if nothing fits."""
    if data.startswith(codecs.BOM_UTF8):
        return decode_cut(data[len(codecs.BOM_UTF8):], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_cut(data, "utf-16"), "utf-16"
    u16 = looks_utf16(data)
    if u16:
        try:
            return decode_cut(data, u16), u16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8000]:
        raise UnicodeError("binary content (NUL bytes)")
    try:
        return decode_cut(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            t = decode_cut(data, enc)
        except UnicodeDecodeError:
            continue
        decoded.append((cjk_score(t), enc, t))
    if decoded:
        decoded.sort(key=lambda x: (-x[0], x[1] != "gb18030"))
        _, enc, t = decoded[0]
        return t, enc
    from charset_normalizer import from_bytes  # only for the rare leftovers

    best = from_bytes(data).best()
    if best is None:
        raise UnicodeError("no known encoding decodes this file")
    return str(best), best.encoding

