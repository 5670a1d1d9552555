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
    """Stands in for the engine: detection gives the quads, recognition the readings in order."""

    def __init__(self, quads: list, reads: list[tuple[str, float]]) -> None:
        self.quads, self.reads = quads, list(reads)

    def detect(self, img):
        return [np.array(q, dtype=np.float32) for q in self.quads]

    def recognise(self, crops):
        read, self.reads = self.reads[:len(crops)], self.reads[len(crops):]
        return read


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


def test_detection_reads_the_ink_box_on_the_model_grid():
    gray = np.full((1216, 992), 255, dtype=np.uint8)  # a picture on the grid
    gray[100:1000, 300:400] = 0
    top, left, h, w = ocr._ink_frame(gray)
    assert top % ocr.DET_GRID == left % ocr.DET_GRID == h % ocr.DET_GRID == w % ocr.DET_GRID == 0
    assert top <= 100 - ocr.DET_MARGIN and top + h >= 1000 + ocr.DET_MARGIN
    assert (left, w) == (256, ocr.DET_MIN_SIDE)  # 100 columns of ink: the least side rapidocr reads unscaled
    assert ocr._ink_frame(np.full((900, 900), 255, dtype=np.uint8)) == (0, 0, 900, 900)  # no ink: the whole


def test_a_picture_goes_on_the_grid_as_rapidocr_puts_it():
    assert ocr._on_grid(np.zeros((1241, 1754, 3), dtype=np.uint8)).shape == (1248, 1760, 3)
    on = np.zeros((1248, 1760), dtype=np.uint8)
    assert ocr._on_grid(on) is on


def test_boxes_found_in_the_ink_frame_are_in_the_pictures_pixels():
    from PIL import Image

    page = Image.new("L", (1100, 1000), 255)
    page.paste(_picture(["行政许可 1426"], rules=False), (150, 600))
    read = ocr.read_image(np.asarray(page.convert("RGB")))
    box = next(b for b in read.boxes if "1426" in b.text)
    assert 150 + 30 < box.x0 < 150 + 60 and 600 + 30 < box.top < 600 + 50


class _Rec:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, args):
        self.calls.append(len(args.img))
        return SimpleNamespace(txts=tuple(str(im.shape[1]) for im in args.img), scores=(1.0,) * len(args.img))


def test_short_lines_are_read_in_batches_and_come_back_in_order():
    rec = _Rec()
    rapid = SimpleNamespace(_load_det_model=lambda: SimpleNamespace(mean=[0.5] * 3, std=[0.5] * 3), _load_rec_model=lambda: rec)
    crops = [np.zeros((20, w, 3), dtype=np.uint8) for w in [15, 200, 18, 19, 16, 17, 12, 13, 14, 11, 90]]
    read = ocr.Engine(rapid).recognise(crops)
    assert [t for t, _ in read] == [str(c.shape[1]) for c in crops]
    assert rec.calls == [ocr.REC_SHORT_BATCH, 1, 1, 1]  # nine short lines in two batches, the long ones alone


def test_a_short_line_reads_the_same_in_a_batch_as_alone():
    """The batch pads each short line to the same width it has alone: batching changes the cost, not the reading."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(cjk_font_path()), 18, index=0)
    crops = []
    for text in ["0", "7", "12", "3", "0", "58", "9"]:
        img = Image.new("RGB", (30, 26), "white")
        ImageDraw.Draw(img).text((4, 2), text, font=font, fill="black")
        crops.append(np.asarray(img))
    eng = ocr.engine()
    together = eng.recognise(crops)
    alone = [eng.recognise([c])[0] for c in crops]
    assert [t for t, _ in together] == [t for t, _ in alone] == ["0", "7", "12", "3", "0", "58", "9"]
    assert [s for _, s in together] == pytest.approx([s for _, s in alone], abs=1e-4)
