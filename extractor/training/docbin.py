"""The annotated facts as a spaCy `DocBin`, for people who train spaCy models (a span categorizer, say).

Each document with a complete fact list becomes a Doc of its text
(`spacy_facts.blank`: zh with jieba), its spec facts in
`doc.spans["facts"]` labelled by metric (spans expanded to whole tokens;
the channel is the span's `kb_id_`), and `doc.user_data` saying its id
and side of the split ("development" or "test"), so a spaCy model can be
trained on the development documents and scored on the held-out ones.
Distractors and other quantities are not spans: what is not a span is
not a fact.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from extractor.spacy_facts import SPANS_KEY, blank
from extractor.spec.metrics import spec_metrics
from extractor.training.annotations import Annotation
from extractor.training.split import Split


def to_docbin(docs: Sequence[Annotation], split: Split, sides: Sequence[str] = ("development", "test")):
    """A DocBin of the documents on `sides` of the split."""
    from spacy.tokens import DocBin, SpanGroup

    nlp = blank()
    spec = spec_metrics()
    out = DocBin(store_user_data=True)
    for a in docs:
        side = split.side(a.id)
        if side not in sides or a.text is None:
            continue
        doc = nlp.make_doc(a.text)
        spans = []
        for f in a.data["facts"]:
            if f["metric"] not in spec:
                continue
            span = doc.char_span(f["span"][0], f["span"][1], label=f["metric"], kb_id=f.get("channel") or "",
                                 alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans)
        doc.user_data["id"] = a.id
        doc.user_data["split"] = side
        out.add(doc)
    return out


def write_docbin(docs: Sequence[Annotation], split: Split, path: Path | str,
                 sides: Sequence[str] = ("development", "test")) -> int:
    """Write the DocBin to `path`; returns how many documents it holds."""
    db = to_docbin(docs, split, sides)
    db.to_disk(path)
    return len(db)
