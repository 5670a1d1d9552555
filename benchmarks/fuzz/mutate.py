"""Mutations of a report: the damage real files carry, and some they should never carry.

Text mutations act on the document text before it is rendered in a format
(cuts, pasted runs of digits, duplicated or shuffled lines, glued cells,
random unicode, label soup, repeated headings, other numerals); byte
mutations act on the file afterwards (flips, truncation, spliced junk), so
they also break the containers (zip, PDF) and the encodings.  Every
mutation takes the case's own `random.Random`, so a case is its seed.
"""
from __future__ import annotations

import random
from typing import Callable

from benchmarks.fuzz.sources import headings, vocabulary

TextMutation = Callable[[random.Random, str], str]

# Characters that stress decoders, normalisers and span arithmetic: controls,
# separators, zero-width and bidi marks, full-width digits, CJK numerals,
# combining marks, compatibility forms NFKC expands, astral characters.
_ODD = ("\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\xa0\xad\u2028\u2029\u200b\u200c\u200d\u200e\u200f\u202a\u202e"
        "\u2066\u2069\ufeff\ufffe\ufffd\u3000\u3001\u3002\uff0c\uff0e\uff10\uff11\uff15\uff19\u2460\u2474"
        "\u3007\u4e00\u4e8c\u4e09\u5341\u767e\u5343\u4e07\u96f6\u58f9\u8d30\u0301\u0308\u20dd\ufb01\u2162"
        "\u00bd\u2153\u00b2\u2082\u0660\u0966\u1d7f\U0001d7ce\U0001f600\U00020000\U0010fffd\ue000|/\\-\u2014\t\r\n")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _window(rng: random.Random, n: int, most: int) -> tuple[int, int]:
    """A random [start, end) of at most `most` items out of `n` (at least one when n > 0)."""
    if n <= 1:
        return 0, n
    size = rng.randint(1, max(1, min(most, n)))
    start = rng.randrange(0, n - size + 1)
    return start, start + size


def _table_line(rng: random.Random, lines: list[str]) -> int:
    """A line that is part of a table (it has a tab or is a number), else any line."""
    rows = [i for i, line in enumerate(lines) if "\t" in line or line.strip().isdigit()]
    return rng.choice(rows) if rows and rng.random() < 0.8 else rng.randrange(len(lines))


def digit_run(rng: random.Random, length: int, separators: str = " \t,.-|/") -> str:
    """A run of digits with, sometimes, separators between them (the readings search's worst food)."""
    rate = rng.choice([0.0, 0.0, 0.05, 0.2, 0.5])
    out = []
    for _ in range(length):
        out.append(rng.choice(separators) if rng.random() < rate else rng.choice("0123456789"))
    return "".join(out)


def cut(rng: random.Random, text: str) -> str:
    """Truncation at a random point, or a missing chunk in the middle (a bad copy, a lost page)."""
    if len(text) < 2:
        return text
    if rng.random() < 0.6:
        return text[: rng.randrange(len(text))]
    s, e = _window(rng, len(text), max(1, len(text) // 5))
    return text[:s] + text[e:]


def digits(rng: random.Random, text: str) -> str:
    """A pasted run of digits, mostly inside a table row."""
    lines = _lines(text)
    i = _table_line(rng, lines)
    run = digit_run(rng, rng.choice([3, 12, 40, 120, 400, 1500, 5000]))
    line = lines[i]
    k = rng.randint(0, len(line))
    lines[i] = line[:k] + run + line[k:]
    return "\n".join(lines)


def duplicate(rng: random.Random, text: str) -> str:
    """A block of lines repeated (a page printed twice, a template pasted over and over)."""
    lines = _lines(text)
    s, e = _window(rng, len(lines), 60)
    times = rng.choice([1, 2, 5, 20, 100])
    return "\n".join(lines[:e] + lines[s:e] * times + lines[e:])


def shuffle(rng: random.Random, text: str) -> str:
    """A window of lines out of order (a PDF read in the wrong column order)."""
    lines = _lines(text)
    s, e = _window(rng, len(lines), 80)
    part = lines[s:e]
    rng.shuffle(part)
    return "\n".join(lines[:s] + part + lines[e:])


def glue(rng: random.Random, text: str) -> str:
    """Separators deleted in a window: tabs, bars, spaces or line breaks gone, so cells run together."""
    lines = _lines(text)
    s, e = _window(rng, len(lines), 120)
    how = rng.choice(["tabs", "bars", "spaces", "breaks", "all"])
    part = "\n".join(lines[s:e])
    if how in ("tabs", "all"):
        part = part.replace("\t", "")
    if how in ("bars", "all"):
        part = part.replace("|", "")
    if how in ("spaces", "all"):
        part = part.replace(" ", "").replace("\u3000", "")
    if how in ("breaks", "all"):
        part = part.replace("\n", "")
    return "\n".join(lines[:s] + [part] + lines[e:])


def unicode_noise(rng: random.Random, text: str) -> str:
    """Odd or random characters sprinkled in (any code point but lone surrogates)."""
    chars = list(text)
    for _ in range(rng.choice([1, 5, 30, 200])):
        if rng.random() < 0.7:
            ch = rng.choice(_ODD)
        else:
            cp = rng.randrange(0x110000)
            ch = chr(cp) if not 0xD800 <= cp < 0xE000 else "\ufffd"
        chars.insert(rng.randint(0, len(chars)), ch)
    return "".join(chars)


def soup_line(rng: random.Random, words: int) -> str:
    """Labels, numbers and separators in random order: a row that matches everything a little."""
    vocab = vocabulary()
    parts = []
    for _ in range(words):
        r = rng.random()
        parts.append(rng.choice(vocab) if r < 0.6 else str(rng.randrange(10 ** rng.randint(1, 6))))
        parts.append(rng.choice(["", "", "\t", " ", "|", "\n", "\u3001", "."]))
    return "".join(parts)


def label_soup(rng: random.Random, text: str) -> str:
    """Lines of label soup inserted, or a window of lines replaced by it."""
    lines = _lines(text)
    s, e = _window(rng, len(lines), 40)
    soup = [soup_line(rng, rng.choice([3, 10, 40, 200])) for _ in range(rng.choice([1, 3, 10]))]
    if rng.random() < 0.5:
        return "\n".join(lines[:s] + soup + lines[s:])
    return "\n".join(lines[:s] + soup + lines[e:])


def repeat_headings(rng: random.Random, text: str) -> str:
    """Section headings printed again and again (a table of contents, a template pasted repeatedly)."""
    lines = _lines(text)
    heads = list(headings())
    block = [rng.choice(heads) for _ in range(rng.choice([2, 10, 60, 300]))]
    k = rng.randint(0, len(lines))
    return "\n".join(lines[:k] + block + lines[k:])


def numerals(rng: random.Random, text: str) -> str:
    """Digits rewritten as full-width digits, CJK numerals or other digits (an OCR, another typist)."""
    zh = "\u3007\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d"
    style = rng.choice(["fullwidth", "cjk", "random"])
    rate = rng.choice([0.05, 0.3, 1.0])
    out = []
    for ch in text:
        if "0" <= ch <= "9" and rng.random() < rate:
            d = int(ch)
            ch = chr(0xFF10 + d) if style == "fullwidth" else zh[d] if style == "cjk" else str(rng.randrange(10))
        out.append(ch)
    return "".join(out)


def whitespace(rng: random.Random, text: str) -> str:
    """Line ends and blanks of other systems: CRLF, lone CR, ideographic spaces, tabs as runs of spaces."""
    how = rng.choice(["crlf", "cr", "ideographic", "spaces", "blank_lines"])
    if how == "crlf":
        return text.replace("\n", "\r\n")
    if how == "cr":
        return text.replace("\n", "\r")
    if how == "ideographic":
        return text.replace("\t", "\u3000")
    if how == "spaces":
        return text.replace("\t", " " * rng.choice([1, 2, 4, 12]))
    return text.replace("\n", "\n" * rng.choice([2, 3, 10]))


TEXT_MUTATIONS: dict[str, TextMutation] = {
    "cut": cut, "digits": digits, "duplicate": duplicate, "shuffle": shuffle, "glue": glue,
    "unicode": unicode_noise, "soup": label_soup, "headings": repeat_headings, "numerals": numerals,
    "whitespace": whitespace,
}


# ---------------------------------------------------------------- bytes

def flip(rng: random.Random, data: bytes) -> bytes:
    """A few bytes changed at random (a bad disk, a bad transfer)."""
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.choice([1, 3, 20, 200])):
        buf[rng.randrange(len(buf))] ^= rng.randrange(1, 256)
    return bytes(buf)


def byte_cut(rng: random.Random, data: bytes) -> bytes:
    """The file cut at a random byte (a download that stopped): mid-character, mid-zip, mid-PDF."""
    return data[: rng.randrange(len(data))] if len(data) > 1 else data


def splice(rng: random.Random, data: bytes) -> bytes:
    """Random bytes spliced in at a random place."""
    k = rng.randint(0, len(data))
    junk = bytes(rng.randrange(256) for _ in range(rng.choice([1, 16, 512])))
    return data[:k] + junk + data[k:]


BYTE_MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": flip, "bytecut": byte_cut, "splice": splice,
}
