"""Pictures of text into boxes: OCR (rapidocr's shipped models on onnxruntime) and the ruling lines of a picture.

Everything runs offline: rapidocr 3 carries its detection and recognition
models inside its wheel, and the engine is built with the model files'
paths named, so nothing is looked up or downloaded.  The engine is made
once per process (about a second) behind a lock, on one thread (a batch
runs one worker per core).  A picture is deskewed from its own table
rules before it is read, since a scan is rarely square and a 1° slant
moves a row's far end by a line.  Read text comes back as `layout.Box`es
in the picture's pixels, with the engine's score, so the layout code
reads a scan as it reads a text layer.  A lone `o`/`O`/`〇` box is a zero
to the reader: whether that is right is for the identities to prove
(an OCR cell is capped at `ocr` until they do).
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from extractor.input.layout import Box, Edge

# Pictures are read scaled so their longer side is at most this (an A4 page
# at about 150 dpi): small print stays readable, larger costs time.
MAX_SIDE = 1800
# Detection (finding the lines of text) runs at the picture's own scale: scaled to
# 1408 or 1600 px it read fewer cells of the annotated reports as scans
# (lone digits, glued runs of zeros lost: seed_000 29 and 14 wrong, against
# 7 unscaled) for about 0.5 s a page less.
# Recognition reads each line alone at its own width, only padded up to
# this (one character): batches pad every line to the widest in the batch and
# PaddleOCR's default to 320 px, six times the work for a table's short cells.
REC_MIN_WIDTH = 48
# Lines that fit that shortest input (a table's lone digits) are read this
# many at once: the input is the same as alone (padded to `REC_MIN_WIDTH`),
# the call costs a quarter less a line.  Longer lines are read one by one:
# batched, each is padded to the widest, which cost more than it saved.
REC_SHORT_BATCH = 8
# Detection reads the ink's bounding box (plus this margin), not the white
# margins around it (a third of a portrait A4 page, more of a last page).
# The picture is put on the model's 32-px grid as rapidocr does, and the box
# is cut from it on that grid, never shorter than the side below which
# rapidocr scales a picture up: the boxes found are those of the whole page
# within a pixel or two (the 13 annotated reports as scans: 140 cells wrong
# of 2,600 against 141, none above the review line in either).  A picture
# smaller than that side is read whole.
DET_MARGIN = 32
DET_GRID = 32
DET_MIN_SIDE = 736
# Detection keeps a found line whose mean text probability reaches this (rapidocr's default 0.5 dropped
# lone digits of one-value-a-line tables: hb09 as a scan lost three `0`s of table 4, 15 cells).  Noise
# it lets through is read and dropped below `MIN_SCORE`.
DET_BOX_THRESH = 0.3
# Below this recognition score a box is dropped as noise (speckle, stamps).
MIN_SCORE = 0.5
# A rule is a dark run at least this share of the picture's width (or height).
RULE_SHARE = 1 / 30
# Skew under this many degrees is left alone.
MIN_SKEW = 0.05
# Lone boxes OCR reads for a printed zero.
ZERO_LOOKALIKES = frozenset({"o", "O", "〇", "○"})

_lock = threading.Lock()
_reading = threading.Lock()
_engine = None


@dataclass
class OcrPage:
    """What OCR read on one picture, in its (deskewed) pixels."""

    boxes: list[Box]
    edges: list[Edge]
    width: int
    height: int
    confidence: float  # mean recognition score over the characters read (0 when nothing was read)
    skew: float = 0.0  # degrees the picture was turned back
    repairs: list[str] = field(default_factory=list)  # "o->0" lookalikes read as zero


def _model_dir() -> Path:
    """The model files inside the rapidocr wheel."""
    from importlib.resources import files

    return Path(str(files("rapidocr") / "models"))


class Engine:
    """rapidocr's detection and recognition models, called directly.

    The engine's own call re-reads its settings, crops every found box
    and reads a single picture at a time; here detection gives the quads
    and recognition reads a list of line pictures.
    """

    def __init__(self, rapid) -> None:
        # rapidocr (pinned < 4) builds each model on first use with its engine settings.
        self._det = rapid._load_det_model()
        self._rec = rapid._load_rec_model()
        # Its mean and std as float32 arrays keep the page's normalisation in the model's float32
        # (from lists it runs in float64: three times the time, 0.05 s a page).
        self._det.mean = np.asarray(self._det.mean, dtype=np.float32)
        self._det.std = np.asarray(self._det.std, dtype=np.float32)

    def detect(self, img: np.ndarray) -> list[np.ndarray]:
        """The quads (4 x 2, picture pixels) of the lines of text found, top-down."""
        found = self._det(img)
        return [] if found.boxes is None else [np.asarray(q, dtype=np.float32) for q in found.boxes]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, score) of each line picture, in the same order."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        short = [k for k, c in enumerate(crops) if c.shape[1] <= c.shape[0]]  # no wider than `REC_MIN_WIDTH` at 48 px high
        groups = [short[i:i + REC_SHORT_BATCH] for i in range(0, len(short), REC_SHORT_BATCH)]
        groups += [[k] for k in range(len(crops)) if crops[k].shape[1] > crops[k].shape[0]]
        for group in groups:
            read = self._rec(TextRecInput(img=[crops[k] for k in group]))
            for k, text, score in zip(group, read.txts, read.scores):
                out[k] = (text, float(score))
        return out


def engine() -> Engine:
    """The OCR engine, built once per process with the wheel's own model files."""
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr import RapidOCR

            models = _model_dir()
            _engine = Engine(RapidOCR(params={
                "Global.log_level": "error",
                "Global.use_cls": False,  # pages are upright; deskew handles the slant
                # Pictures come already bounded (`MAX_SIDE`); a line's crop must not be stretched to
                # the engine's 32-px grid, which turns `1426` into `226`.
                "Global.use_preprocess_img": False,
                "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
                "Det.box_thresh": DET_BOX_THRESH,
                "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
                "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
                "Rec.rec_batch_num": REC_SHORT_BATCH,
                "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }))
        return _engine


def _gray(img: np.ndarray) -> np.ndarray:
    import cv2

    if img.ndim == 3:
        return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY if img.shape[2] == 3 else cv2.COLOR_RGBA2GRAY)
    return img


def _rule_masks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = gray.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, int(w * RULE_SHARE)), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, int(h * RULE_SHARE)))))
    return horiz, vert


def skew_angle(gray: np.ndarray, horiz: np.ndarray | None = None) -> float:
    """The slant of the picture's horizontal rules (`horiz`: their mask, when made already), in degrees (0 without rules)."""
    import cv2

    if horiz is None:
        horiz, _ = _rule_masks(gray)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(horiz)
    if n <= 1:
        return 0.0
    angles, weights = [], []
    ys, xs = np.nonzero(horiz)
    lab = labels[ys, xs]
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_WIDTH] < gray.shape[1] / 4:
            continue
        sel = lab == k
        x, y = xs[sel].astype(float), ys[sel].astype(float)
        slope = np.polyfit(x, y, 1)[0]
        angles.append(math.degrees(math.atan(slope)))
        weights.append(len(x))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.array(weights)[order])
    return float(np.array(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def _rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255) if img.ndim == 3 else 255)


Parts = tuple[np.ndarray, np.ndarray]  # connected components of a rule mask: (labels, stats)


def rule_parts(gray: np.ndarray, masks: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[Parts, Parts]:
    """The connected runs of the picture's horizontal and vertical rule masks (`masks`: when made already)."""
    import cv2

    horiz, vert = masks if masks is not None else _rule_masks(gray)
    return tuple(cv2.connectedComponentsWithStats(m)[1:3] for m in (horiz, vert))  # type: ignore[return-value]


def rulings(parts: tuple[Parts, Parts]) -> list[Edge]:
    """The picture's ruling lines as edges, from long dark runs across and down it."""
    out: list[Edge] = []
    for (_, stats), horizontal in zip(parts, (True, False)):
        for k in range(1, len(stats)):
            x, y, w, h = (int(v) for v in stats[k, :4])
            if horizontal:
                out.append(Edge(True, y + h / 2, float(x), float(x + w)))
            else:
                out.append(Edge(False, x + w / 2, float(y), float(y + h)))
    return out


def _scaled(img: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    h, w = img.shape[:2]
    k = min(1.0, MAX_SIDE / max(h, w))
    if k >= 1.0:
        return img, 1.0
    return cv2.resize(img, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA), k


def _despeckled(img: np.ndarray) -> np.ndarray:
    """The picture with isolated specks removed (a 3 x 3 median): a speck beside a digit reads as a point."""
    import cv2

    return cv2.medianBlur(img, 3)


def _without_rules(img: np.ndarray, parts: tuple[Parts, Parts], longer_than: float) -> np.ndarray:
    """The picture with its ruling lines painted out: a cell's rule read with its digit turns `0` into `10`.

    Only runs longer than `longer_than` (twice a line of text) are rules:
    a shorter one is a character's stroke, which a small picture's masks
    also hold.
    """
    import cv2

    rules = np.zeros(img.shape[:2], dtype=bool)
    for (labels, stats), side in zip(parts, (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)):
        long = [k for k in range(1, len(stats)) if stats[k, side] > longer_than]
        if long:
            rules |= np.isin(labels, long)
    clean = img.copy()
    clean[cv2.dilate(rules.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 255
    return clean


def _on_grid(img: np.ndarray) -> np.ndarray:
    """The picture stretched to the model's grid, as rapidocr's detection does it (sides ≥ `DET_MIN_SIDE`)."""
    import cv2

    h, w = img.shape[:2]
    gh, gw = (round(n / DET_GRID) * DET_GRID for n in (h, w))
    return img if (gh, gw) == (h, w) else cv2.resize(img, (gw, gh))


def _span(ink: np.ndarray, size: int) -> tuple[int, int]:
    """(start, length) on the grid covering the ink's rows (or columns) with the margin, within `size`."""
    lo = max(0, int(ink[0]) - DET_MARGIN) // DET_GRID * DET_GRID
    hi = min(size, int(ink[-1]) + 1 + DET_MARGIN)
    length = min(size, max(DET_MIN_SIDE, -(-(hi - lo) // DET_GRID) * DET_GRID))
    return min(lo, size - length), length


def _ink_frame(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the part of a picture on the grid (`_on_grid`) that detection reads."""
    h, w = gray.shape
    ink = gray < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return 0, 0, h, w
    (top, height), (left, width) = _span(rows, h), _span(cols, w)
    return top, left, height, width


def _detect(eng: Engine, seen: np.ndarray) -> list[np.ndarray]:
    """The quads of the picture's lines of text, in its pixels; detection reads only its ink's frame."""
    h, w = seen.shape[:2]
    if min(h, w) < DET_MIN_SIDE:
        return eng.detect(seen)
    grid = _on_grid(seen)
    top, left, fh, fw = _ink_frame(_gray(grid))
    scale = np.float32([w / grid.shape[1], h / grid.shape[0]])
    return [np.round((q + np.float32([left, top])) * scale) for q in eng.detect(grid[top:top + fh, left:left + fw])]


def _read_lines(seen: np.ndarray, parts: tuple[Parts, Parts]) -> list[tuple[np.ndarray, str, float]]:
    """(quad, text, score) of each line of text: found on the picture as printed, read without its rules.

    Detection keeps the rules, which part one cell's text from the next;
    recognition reads each line from the picture without them.  One
    picture is read at a time.
    """
    from rapidocr.utils.process_img import get_rotate_crop_image

    eng = engine()
    with _reading:
        quads = _detect(eng, seen)
        if not quads:
            return []
        line = float(np.median([q[:, 1].max() - q[:, 1].min() for q in quads]))
        clean = _without_rules(seen, parts, 2 * line)
        found = [(q, get_rotate_crop_image(clean, q.copy())) for q in quads]
        found = [(q, crop) for q, crop in found if min(crop.shape[:2]) >= 2]
        read = eng.recognise([crop for _, crop in found])
    return [(q, text, score) for (q, _), (text, score) in zip(found, read) if text]


def read_image(img: np.ndarray) -> OcrPage:
    """OCR of one picture (RGB or grey array): boxes and rules in the picture's pixels, deskewed."""
    img, k = _scaled(img if img.ndim == 3 else np.stack([img] * 3, axis=-1))
    gray = _gray(img)
    masks = _rule_masks(gray)
    skew = skew_angle(gray, masks[0])
    if abs(skew) >= MIN_SKEW:
        img = _rotate(img, skew)
        gray = _gray(img)
        masks = _rule_masks(gray)
    seen = _despeckled(img)
    boxes: list[Box] = []
    repairs: list[str] = []
    chars = 0
    score_sum = 0.0
    parts = rule_parts(gray, masks)
    for quad, text, score in _read_lines(seen, parts):
        text = text.strip()
        if not text or score < MIN_SCORE:
            continue
        if text in ZERO_LOOKALIKES:
            repairs.append(f"{text}->0")
            text = "0"
        q = np.asarray(quad, dtype=float)
        boxes.append(Box(text, q[:, 0].min() / k, q[:, 1].min() / k, q[:, 0].max() / k, q[:, 1].max() / k))
        chars += len(text)
        score_sum += float(score) * len(text)
    edges = [Edge(e.horizontal, e.at / k, e.lo / k, e.hi / k) for e in rulings(parts)]
    h, w = img.shape[:2]
    return OcrPage(boxes, edges, round(w / k), round(h / k), score_sum / chars if chars else 0.0, skew, repairs)
