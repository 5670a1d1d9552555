"""The prose: the facts it states (with spans) and the report's meta (agency, year, publication date).

`read` and `read_meta` never raise; the tagging passes are one module each:
`view` (the folded text), `numbers` (every written number and its
words), `decide` (what it counts, by the tiers of metrics.toml), `roles`
(channel, role, category, phrase), `tag` (facts and restatements).
"""
from extractor.narrative.meta import read_meta
from extractor.narrative.tag import Prose, read, tag

__all__ = ["Prose", "read", "read_meta", "tag"]
