"""The dask engine: the same per-file function on a dask.distributed cluster.

For batches larger than one machine.  Dask cannot kill a task, so the time
limit is kept inside the task (`process_path_limited`), and a task whose
worker dies becomes that file's `input.crashed` record, as with the local
engine.  `distributed` is imported only when this engine runs.
"""
from __future__ import annotations

import threading
from typing import Iterator

from extractor.batch.records import Result, crash_result, process_path, timeout_result
from extractor.batch.worker import single_threaded


def process_path_limited(path: str, extract: str, timeout: float | None,
                         tables: tuple[bool, bool] = (False, False)) -> Result:
    """`process_path` with a time limit, for engines that cannot kill a task (dask).

    The file is read in a daemon thread; past the limit the task returns an
    `input.timeout` record and the batch goes on (the thread cannot be
    killed and finishes, or not, in the background of that worker).
    """
    single_threaded()
    if not timeout:
        return process_path(path, extract, tables)
    box: list[Result] = []
    t = threading.Thread(target=lambda: box.append(process_path(path, extract, tables)), daemon=True)
    t.start()
    t.join(timeout)
    return box[0] if box else timeout_result(path, timeout, tables)


def run_dask(paths: list[str], extract: str, workers: int, timeout: float | None, scheduler: str | None,
             tables: tuple[bool, bool] = (False, False)) -> Iterator[list[Result]]:
    """Results in completion order, on `scheduler` (a LocalCluster of `workers` processes without one).

    Workers must be able to import `extractor` and read the input paths
    (a shared filesystem).  At most a few tasks per worker thread are in
    flight, so memory stays bounded on the client too.
    """
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        window = 4 * max(1, sum(client.nthreads().values()))
        todo = iter(paths)
        owner: dict[str, str] = {}

        def submit(p: str):
            fut = client.submit(process_path_limited, p, extract, timeout, tables, pure=False)
            owner[fut.key] = p
            return fut

        ac = as_completed([submit(p) for _, p in zip(range(window), todo)])
        for done in ac.batches():
            batch: list[Result] = []
            for fut in done:
                path = owner.pop(fut.key)
                try:
                    batch.append(fut.result())
                except Exception as e:  # KilledWorker and friends
                    batch.append(crash_result(path, f"{type(e).__name__}: {e}", tables))
                fut.release()
                nxt = next(todo, None)
                if nxt is not None:
                    ac.add(submit(nxt))
            yield batch
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
