"""What every batch worker process does once, whichever engine runs it.

A worker keeps native thread pools to one thread (`single_threaded`) and
loads the models before its first file (`warm_up`), so a file's time limit
measures the file, not the model loading.  The local engine's fork server
warms up once for all its workers (`extractor.batch.preload`, told which
pipeline by `WARM_ENV`).
"""
from __future__ import annotations

from extractor.batch.records import resolve
from extractor.input.document import from_text

WARM_ENV = "EXTRACTOR_BATCH_WARM_UP"
# Each worker is one process on one core: BLAS/OpenMP thread pools inside
# it only fight the other workers for the same cores.
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_single_threaded = False


def single_threaded() -> None:
    """Limit native thread pools in this worker process to one thread (once per process)."""
    global _single_threaded
    if _single_threaded:
        return
    _single_threaded = True
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # threadpoolctl missing or a pool it cannot drive: only a speed matter
        pass


def warm_up(extract: str) -> None:
    """Load the models once, before the clock of the first file starts.

    The prose states a total so the facts model cuts a window: the word
    lexicon it needs is then loaded here too (in the fork server, once for
    every worker) instead of in each worker on its first report.
    """
    try:
        resolve(extract)(from_text("一、总体情况\n政府信息公开工作年度报告\n全年召开新闻发布会3场。\n"))
    except Exception:
        pass

