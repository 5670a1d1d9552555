"""Inputs built to hurt: sizes, depths and shapes no report has, each aimed at one weak spot.

Each entry builds a file from the case's random generator and a `scale`
(1.0 in the long run; the test's short run shrinks the sizes so that it
stays quick, the shapes stay the same).  Sizes are those issue 10 names:
1 MB digit runs, 2 MB of spaces, 100k-deep HTML nesting, a 300-page PDF,
a 1 MB one-line input.
"""
from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from typing import Callable

from benchmarks.fuzz import formats
from benchmarks.fuzz.mutate import digit_run, soup_line
from benchmarks.fuzz.sources import Base, bases, headings

MB = 1 << 20


@dataclass(frozen=True)
class Adversary:
    name: str
    suffix: str
    build: Callable[[random.Random, float], bytes]


def _n(full: int, scale: float, least: int = 1) -> int:
    return max(least, int(full * scale))


def _base(rng: random.Random) -> Base:
    return rng.choice(bases())


def _reports_of(rng: random.Random, size: int) -> str:
    """Whole reports one after another, up to `size` bytes of UTF-8 (a bundle of a year's reports)."""
    parts, n = [], 0
    while n < size:
        t = _base(rng).text
        parts.append(t)
        n += len(t.encode("utf-8")) + 1
    return "\n".join(parts).encode("utf-8")[:size].decode("utf-8", "ignore")


def _table_row_with(rng: random.Random, filler: str) -> str:
    """A real report with one table-3 row's material replaced by `filler`."""
    lines = _base(rng).text.split("\n")
    rows = [i for i, line in enumerate(lines) if "\t" in line] or [len(lines) // 2]
    i = rng.choice(rows)
    lines[i] = lines[i].split("\t")[0] + "\t" + filler
    return "\n".join(lines)


def _pdf_pages(rng: random.Random, pages: int) -> bytes:
    """A real report's text repeated until the PDF has about `pages` pages (some 42 text lines a page)."""
    text = _base(rng).text
    per = max(1, text.count("\n"))
    return formats.to_pdf("\n".join([text] * max(1, pages * 42 // per)))


def _docx_cut(rng: random.Random, scale: float) -> bytes:
    data = formats.to_docx(_base(rng).text)
    return data[: rng.choice([2, 4, 30, 100, len(data) // 2, len(data) - 22])]


def _pdf_cut(rng: random.Random, scale: float) -> bytes:
    data = formats.to_pdf(_base(rng).text)
    return data[: rng.choice([5, 9, 64, len(data) // 3, len(data) - 30])]


def _zip_not_docx(rng: random.Random, scale: float) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", rng.choice([b"", b"<w:document", b"<?xml version='1.0'?><a/>"]))
    return buf.getvalue()


def _deep_html(rng: random.Random, scale: float) -> bytes:
    depth = _n(100_000, scale, 2000)
    tag = rng.choice(["div", "span", "b", "table><tr><td", "ul><li"])
    close = "".join(f"</{t}>" for t in reversed(tag.split("><")))
    return (f"<html><body>{f'<{tag}>' * depth}{_base(rng).text[:2000]}{close * depth}</body></html>").encode()


def _many_td(rng: random.Random, scale: float) -> bytes:
    n = _n(20_000, scale, 500)
    if rng.random() < 0.5:  # one row of thousands of cells
        row = "<tr>" + "".join(f"<td>{rng.randrange(100)}</td>" for _ in range(n)) + "</tr>"
    else:  # thousands of rows
        row = "".join(f"<tr><td>{rng.randrange(100)}</td><td>1</td></tr>" for _ in range(n))
    return f"<html><body><p>{headings()[2]}</p><table>{row}</table></body></html>".encode()


def _huge_spans(rng: random.Random, scale: float) -> bytes:
    cells = "".join(f'<td rowspan="{rng.choice([100000, 2**31, 0])}" colspan="{rng.choice([1000, 65534, 10**9])}">'
                    f"{rng.randrange(100)}</td>" for _ in range(50))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(_n(200, scale, 10)))
    return f"<html><body><table>{rows}</table></body></html>".encode()


def _many_pipes(rng: random.Random, scale: float) -> bytes:
    width = _n(5000, scale, 200)
    line = "|" + "|".join(str(rng.randrange(10)) if rng.random() < 0.5 else "" for _ in range(width)) + "|"
    return ("\n".join([headings()[2]] + [line] * _n(200, scale, 5))).encode()


def _tab_lines(rng: random.Random, scale: float) -> bytes:
    tabs = _n(5000, scale, 1000)
    return ("\n".join("\t" * tabs + rng.choice(["", "1", "x"]) for _ in range(_n(200, scale, 5)))).encode()


def _label_soup(rng: random.Random, scale: float) -> bytes:
    return "\n".join(soup_line(rng, 30) for _ in range(_n(3000, scale, 50))).encode()


def _repeated_headings(rng: random.Random, scale: float) -> bytes:
    heads = headings()
    return "\n".join(rng.choice(heads) for _ in range(_n(50_000, scale, 500))).encode()


def _utf16_odd(rng: random.Random, scale: float) -> bytes:
    enc = rng.choice(["utf-16-le", "utf-16-be", "utf-16"])
    data = _base(rng).text.encode(enc)
    return data + b"\x00" if rng.random() < 0.5 else data[:-1]


ADVERSARIES: tuple[Adversary, ...] = (
    Adversary("digits_1mb", ".txt", lambda rng, s: digit_run(rng, _n(MB, s)).encode()),
    Adversary("digits_1mb_in_row", ".txt", lambda rng, s: _table_row_with(rng, digit_run(rng, _n(MB, s))).encode()),
    Adversary("spaces_2mb", ".txt", lambda rng, s: b" " * _n(2 * MB, s)),
    Adversary("spaces_2mb_in_row", ".txt", lambda rng, s: _table_row_with(rng, " " * _n(2 * MB, s)).encode()),
    Adversary("one_line_1mb", ".txt", lambda rng, s: _reports_of(rng, _n(MB, s)).replace("\n", "").encode()),
    Adversary("reports_1mb_txt", ".txt", lambda rng, s: _reports_of(rng, _n(MB, s)).encode()),
    Adversary("reports_1mb_md", ".md", lambda rng, s: formats.to_markdown(_reports_of(rng, _n(MB, s))).encode()[:_n(MB, s)]),
    Adversary("reports_1mb_html", ".html",
              lambda rng, s: formats.to_html(rng, _reports_of(rng, _n(MB, s))).encode()[:_n(MB, s)]),
    Adversary("html_deep_nesting", ".html", _deep_html),
    Adversary("html_many_td", ".html", _many_td),
    Adversary("html_huge_spans", ".html", _huge_spans),
    Adversary("many_pipes", ".md", _many_pipes),
    Adversary("tab_lines", ".txt", _tab_lines),
    Adversary("label_soup", ".txt", _label_soup),
    Adversary("repeated_headings", ".txt", _repeated_headings),
    Adversary("docx_truncated", ".docx", _docx_cut),
    Adversary("zip_not_docx", ".docx", _zip_not_docx),
    Adversary("pdf_truncated", ".pdf", _pdf_cut),
    Adversary("pdf_header_only", ".pdf", lambda rng, s: rng.choice([b"%PDF-1.4\n", b"%PDF-", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"])),
    Adversary("bom_only", ".txt", lambda rng, s: rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00"])),
    Adversary("utf16_odd_length", ".txt", _utf16_odd),
    Adversary("random_bytes", ".txt", lambda rng, s: bytes(rng.randrange(256) for _ in range(_n(100_000, s, 1000)))),
    Adversary("nul_bytes", ".txt", lambda rng, s: b"\x00" * _n(MB, s)),
    Adversary("empty", ".txt", lambda rng, s: b""),
    Adversary("pdf_300_pages", ".pdf", lambda rng, s: _pdf_pages(rng, _n(300, s, 3))),
)
