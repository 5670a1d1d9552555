"""The fact tagger as a spaCy pipeline component, for people who build spaCy pipelines.

    nlp = spacy.blank("zh")            # jieba segmenter, see `blank`
    nlp.add_pipe("disclosure_facts")   # found through the entry point in pyproject.toml
    for doc in nlp.pipe(texts):
        for span in doc.spans["facts"]:
            span.label_, span._.channel, span._.value, span._.score

The component runs the same tagger `extract` runs (`pipeline.prose_facts`,
with the shipped facts model, or the one in `models_dir`), on the whole
text as prose: no tables are looked for, so a number inside a table is a
candidate like any other.  `extract` itself never imports spaCy (1 s to load
and 20 ms a report to segment a whole text, against 7 ms for the whole
narrative stage): this is a second door to the same tagger, not its engine.
A fact's span is expanded to whole tokens; `span._.start_char/_.end_char`
keep the fact's exact characters.  `doc.spans["facts"].attrs["scores"]`
holds the scores in span order, as spaCy's span categorizer does.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from extractor import pipeline
from extractor.classify import Models, load_models

NAME = "disclosure_facts"
SPANS_KEY = "facts"
EXTENSIONS = ("channel", "value", "score", "role", "unit", "start_char", "end_char")


def blank():
    """`spacy.blank("zh")` with the jieba segmenter (zh_core_web_* models are not available here)."""
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def _extensions() -> None:
    for name in EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class DisclosureFacts:
    """Puts the facts of a Doc's text in `doc.spans["facts"]` (label = metric; channel, value, score as extensions)."""

    def __init__(self, models: Models | None):
        _extensions()
        self.models = models

    def __call__(self, doc: Doc) -> Doc:
        facts = pipeline.prose_facts(doc.text, self.models).facts
        spans: list[Span] = []
        for f in facts:
            span = doc.char_span(f.span[0], f.span[1], label=f.metric, alignment_mode="expand")
            if span is None:
                continue
            span._.channel, span._.value, span._.score = f.channel, f.value, f.confidence
            span._.role, span._.unit, span._.start_char, span._.end_char = f.role, f.unit, f.span[0], f.span[1]
            spans.append(span)
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans,
                                         attrs={"scores": [s._.score for s in spans]})
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(NAME, default_config={"models_dir": None})
def make_disclosure_facts(nlp: Language, name: str, models_dir: str | None) -> DisclosureFacts:
    """The component; `models_dir` another model directory (default: the shipped models)."""
    return DisclosureFacts(load_models(Path(models_dir)) if models_dir else None)
