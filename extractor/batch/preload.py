"""Imported by the local engine's fork server only: warm the pipeline there, before any worker forks.

The fork server imports this module by name (`local.PRELOAD`) with
`worker.WARM_ENV` set to the pipeline to load; the workers it forks then
start with the models loaded, and share their memory.  Nothing else imports
this module: importing it is the warm-up, and has no other effect.  It is
imported after the whole `extractor.batch` package, so the pipeline it
loads may import any of it.
"""
from __future__ import annotations

import logging
import os

from extractor.batch.worker import WARM_ENV, warm_up


def _preload_warm_up() -> None:
    """Load the models when the variable names a pipeline (it is set only while the fork server starts)."""
    name = os.environ.pop(WARM_ENV, None)
    if name:
        logging.getLogger().addHandler(logging.NullHandler())
        warm_up(name)


_preload_warm_up()
