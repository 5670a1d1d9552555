"""PDF reading: warm ms per born-digital PDF beside pypdfium2's plain text extraction, and seconds per scanned page.

Not a test: run it by hand (ideally on a quiet machine).
    .venv/bin/python benchmarks/bench_pdf.py [--rounds 15] [--scan-pages 5]

Text layer: each PDF (the three real ones in ../shared/corpus/pdf when
present, and the seed report rendered by reportlab) is read by
`extractor.input.load.load_bytes` and, in the same rounds interleaved, by
the floor: pypdfium2 opening it and extracting each page's plain text.
The figure is the median warm time of each and their ratio (aim: ≤ 4x).

Scans: the seed report rendered to PDF and then to page images (skewed,
blurred, speckled) in an image-only PDF of `--scan-pages` pages, read on
ONE core (onnxruntime on one thread, as the reader runs) `--scan-rounds`
times: seconds per page and for the whole file, wall and CPU time, and the
median CPU time (aim: 5 pages ≤ 20 s), after one page read to warm the
engine.  The load average is printed: on a shared
machine the wall time is the CPU time stretched by the other processes.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.input.load import load_bytes  # noqa: E402
from tests.helpers import SHARED, image_pdf, page_images, seed_text, to_pdf  # noqa: E402


def floor(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    return text


def text_layer(rounds: int) -> None:
    files = {p.stem: p.read_bytes() for p in sorted((SHARED / "corpus" / "pdf").glob("*.pdf"))}
    files["seed (reportlab)"] = to_pdf(seed_text())
    print(f"{'file':<18} {'ours ms':>8} {'floor ms':>9} {'ratio':>6}")
    ratios = []
    for name, data in files.items():
        load_bytes(data, "x.pdf"), floor(data)  # warm
        ours, base = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            load_bytes(data, "x.pdf")
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            floor(data)
            base.append(time.perf_counter() - t)
        o, b = statistics.median(ours) * 1000, statistics.median(base) * 1000
        ratios.append(o / b)
        print(f"{name:<18} {o:8.1f} {b:9.1f} {o / b:6.2f}")
    print(f"median ratio to pypdfium2's plain text: {statistics.median(ratios):.2f}x")


def scans(pages: int, rounds: int) -> None:
    pdf = to_pdf("\n".join([seed_text()] * 3), embedded=True, fs=8)
    images = page_images(pdf, speckle=0.0005)[:pages]
    load_bytes(image_pdf(images[:1]), "warm.pdf")  # the engine, built once per process
    data = image_pdf(images)
    cpus = []
    for _ in range(rounds):
        t, cpu = time.perf_counter(), time.process_time()
        doc = load_bytes(data, "scan.pdf")
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert doc.format == "pdf-ocr", doc.error
        cpus.append(cpu)
        print(f"scanned PDF: {len(images)} pages in {took:.1f} s wall, {cpu:.1f} s CPU ({cpu / len(images):.2f} s CPU a page), "
              f"one core (OCR confidence {statistics.mean(p.confidence for p in doc.pages):.3f}), load {os.getloadavg()[0]:.1f}")
    print(f"scanned PDF: median {statistics.median(cpus):.1f} s CPU over {rounds} reads")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--scan-pages", type=int, default=5)
    ap.add_argument("--scan-rounds", type=int, default=3, help="reads of the scan; the median CPU time is the figure")
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    text_layer(args.rounds)
    if args.scan_pages:
        scans(args.scan_pages, args.scan_rounds)
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
