"""The dask engine gives the same output as the local one (extractor/batch/dask.py)."""
from __future__ import annotations

import pytest

from extractor.batch import run_batch
from extractor.batch.dask import process_path_limited
from tests.batch.hooks import LIGHT, opts, small_reports
from tests.helpers import to_html


def test_dask_local_cluster_gives_the_same_output(tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    files = small_reports(tmp_path / "in", 8)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "page.html").write_bytes(to_html("一、总体情况\n规章\t1\t2\t3", "gbk"))
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    hook = LIGHT  # the engine is under test here, not the pipeline (whose models load slowly)
    run_batch([str(tmp_path / "in")], opts(local, extract=hook, facts=tmp_path / "local.csv"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        s = run_batch([str(tmp_path / "in")], opts(remote, engine="dask", scheduler=cluster.scheduler_address,
                                                   extract=hook, facts=tmp_path / "dask.csv"))
    assert s["engine"] == "dask" and s["reports"] == len(files) + 2 and s["errors_by_code"] == {"input.empty": 1}
    assert remote.read_bytes() == local.read_bytes()
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


def test_the_time_limit_is_kept_inside_the_task(tmp_path):
    [p] = small_reports(tmp_path, 1)
    assert process_path_limited(str(p), "tests.batch.hooks:slow_extract", None).status == "ok"
    r = process_path_limited(str(p), "tests.batch.hooks:slow_extract", 0.01)
    assert (r.status, r.entry.code) == ("error", "input.timeout")
