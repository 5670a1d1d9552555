"""OCR of pictures: offline engine, deskew from the rules, boxes and rules in the picture's pixels, lookalike zeros."""
from __future__ import annotations

import socket
from types import SimpleNamespace

import numpy as np
import pytest

from extractor.input import ocr
from tests.helpers import cjk_font_path


def _picture(lines: list[str], skew: float = 0.0, rules: bool = True):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (900, 60 + 50 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(cjk_font_path()), 28, index=0)
    for k, line in enumerate(lines):
        draw.text((40, 40 + 50 * k), line, font=font, fill=0)
        if rules:
            draw.line((20, 30 + 50 * k, 880, 30 + 50 * k), fill=0, width=3)
    if rules:
        draw.line((20, 30 + 50 * len(lines), 880, 30 + 50 * len(lines)), fill=0, width=3)
    return img.rotate(skew, fillcolor=255) if skew else img


def test_reads_text_offline_with_the_models_in_the_wheel(monkeypatch):
    """No socket may be opened: the engine is built from the wheel's model files, nothing is fetched."""
    def refuse(*a, **k):
        raise AssertionError("OCR tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(ocr, "_engine", None)
    page = ocr.read_image(np.asarray(_picture(["行政许可 1426", "行政处罚 58"]).convert("RGB")))
    texts = "".join(b.text for b in page.boxes)
    assert "行政许可" in texts and "1426" in texts and "58" in texts
    assert page.confidence > 0.9 and len([e for e in page.edges if e.horizontal]) == 3


@pytest.mark.parametrize("degrees", [0.8, -0.6])
def test_the_slant_of_a_scan_is_measured_from_its_rules(degrees):
    gray = np.asarray(_picture(["规章 1 0 3"] * 4, skew=degrees))
    assert ocr.skew_angle(gray) == pytest.approx(-degrees, abs=0.15)


class _Engine:
    """Stands in for rapidocr: the detection call gives the quads, each recognition call the next reading."""

    def __init__(self, quads: list, reads: list[tuple[str, float]]) -> None:
        self.quads, self.reads = quads, list(reads)

    def __call__(self, img, *, use_det: bool, use_cls: bool, use_rec: bool):
        assert not use_cls and use_det != use_rec  # each call names the one step it runs
        if use_det:
            return SimpleNamespace(boxes=np.array(self.quads, dtype=float))
        text, score = self.reads.pop(0)
        return SimpleNamespace(txts=(text,), scores=(score,))


def test_a_lone_o_is_read_as_zero_and_said_so(monkeypatch):
    quad = [[10, 10], [30, 10], [30, 30], [10, 30]]
    fake = _Engine([quad] * 3, [("O", 0.9), ("1426", 0.99), ("~", 0.2)])
    monkeypatch.setattr(ocr, "engine", lambda: fake)
    page = ocr.read_image(np.full((60, 60, 3), 255, dtype=np.uint8))
    assert [b.text for b in page.boxes] == ["0", "1426"]  # the low-score speck is dropped
    assert page.repairs == ["O->0"] and fake.reads == []


def test_rules_are_painted_out_before_recognition_and_strokes_are_not():
    """A cell's rule read with its digit turned `0` into `10` (tests/corpus/test_scanned, seed_001):
    long runs go, a character's stroke (as long as the line is high) stays."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (400, 200), "white")
    draw = ImageDraw.Draw(img)
    draw.line((100, 10, 100, 190), fill="black", width=2)   # a rule: 180 px down
    draw.line((200, 80, 200, 110), fill="black", width=2)   # a stroke: 30 px, one line of text high
    arr = np.asarray(img)
    gray = ocr._gray(arr)
    parts = ocr.rule_parts(gray, (np.zeros_like(gray), np.where(gray < 128, 255, 0).astype(np.uint8)))
    clean = ocr._without_rules(arr, parts, longer_than=2 * 30)
    assert (clean[:, 98:103] == 255).all()
    assert (clean[85:105, 195:205] < 128).any(axis=(1, 2)).all()  # every row of the stroke kept
