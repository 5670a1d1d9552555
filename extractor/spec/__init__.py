"""The human-edited language data and its typed views.

`data/labels.toml` (labels, variants, region markers, identities, the older
template), `data/metrics.toml` (narrative cue words, channels, distractors,
what a prose total restates) and `data/userdict.txt` (jieba's domain
words): the one place a word is spelled.  `labels` and `metrics` parse them
once per process.
"""
from __future__ import annotations

from importlib import resources


def data_text(name: str) -> str:
    """The text of one data file shipped in this package (works from a wheel)."""
    return resources.files(__name__).joinpath("data", name).read_text(encoding="utf-8")


def data_bytes(name: str) -> bytes:
    return resources.files(__name__).joinpath("data", name).read_bytes()
