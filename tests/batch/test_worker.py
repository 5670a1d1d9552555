"""A worker's warm-up (extractor/batch/worker.py): what it loads before the first file's clock starts."""
from __future__ import annotations

from extractor.batch.records import DEFAULT_EXTRACT
from extractor.batch.worker import warm_up
from extractor.classify.facts.tokens import window_tokens


def test_warm_up_cuts_a_window_so_the_fork_server_holds_the_lexicon() -> None:
    """Issue 14: the words lexicon loads in the fork server, once for all workers, not in each on its first report."""
    window_tokens.cache_clear()
    warm_up(DEFAULT_EXTRACT)
    assert window_tokens.cache_info().currsize > 0
