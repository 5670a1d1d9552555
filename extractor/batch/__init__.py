"""Many report files in, exactly one record per file out: kill -9 safe, resumable, deterministic.

`run_batch` is the library call behind `extractor batch`; `run` says how a
run is put together and which module does each step.
"""
from __future__ import annotations

from extractor.batch.inputs import collect_inputs
from extractor.batch.output import OutputFault, cut_partial_line, finalize
from extractor.batch.run import Options, format_summary, run_batch

__all__ = ["Options", "OutputFault", "collect_inputs", "cut_partial_line", "finalize", "format_summary", "run_batch"]
