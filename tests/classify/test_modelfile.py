"""The one verified loader: one status shape for every model, loaded once per process."""
from __future__ import annotations

import threading

from extractor import classify
from extractor.classify.modelfile import Lazy, Status
from tests.helpers import ROOT


def test_both_shipped_models_load_with_one_status_shape():
    m = classify.load_models(ROOT / "models")
    for model, st in ((m.rows, m.rows_status), (m.facts, m.facts_status)):
        assert model is not None and isinstance(st, Status) and st.ok, st.message
        assert st.trained_on and st.path.endswith(".npz")


def test_a_directory_without_models_says_so(tmp_path):
    m = classify.load_models(tmp_path)
    assert m.rows is None and m.facts is None
    assert "not found" in m.rows_status.message and "fuzzy" in m.rows_status.message
    assert "not found" in m.facts_status.message and "rules" in m.facts_status.message


def test_lazy_loads_once_under_threads():
    calls = []
    lazy = Lazy(lambda: calls.append(1) or len(calls))
    threads = [threading.Thread(target=lazy.get) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert lazy.get() == 1 and calls == [1]
    lazy.reset()
    assert lazy.get() == 2
