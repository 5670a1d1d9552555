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


def test_a_lone_o_is_read_as_zero_and_said_so(monkeypatch):
    quad = [[10, 10], [30, 10], [30, 30], [10, 30]]
    fake = SimpleNamespace(boxes=[quad, quad, quad], txts=("O", "1426", "~"), scores=(0.9, 0.99, 0.2))
    monkeypatch.setattr(ocr, "engine", lambda: lambda img: fake)
    page = ocr.read_image(np.full((60, 60, 3), 255, dtype=np.uint8))
    assert [b.text for b in page.boxes] == ["0", "1426"]  # the low-score speck is dropped
    assert page.repairs == ["O->0"]
