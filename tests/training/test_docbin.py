"""The annotated facts as a spaCy DocBin: spans by metric, the split side in user_data."""
from __future__ import annotations

from pathlib import Path

from extractor.training.annotations import Annotation
from extractor.training.docbin import write_docbin
from extractor.training.split import Split

TEXT = "全年通过门户网站发布信息120条。2023年收到申请5件。"


def _doc(doc_id: str) -> Annotation:
    facts = [{"metric": "posts", "channel": "website", "value": 120, "span": [2, 16], "text": TEXT[2:16]},
             {"metric": "other", "channel": None, "value": 2023, "span": [17, 22], "text": TEXT[17:22]}]
    return Annotation(Path(f"{doc_id}.json"), {"id": doc_id, "facts": facts}, "excerpt", text=TEXT)


def test_docbin_holds_the_spec_facts_as_spans_and_the_side(tmp_path: Path) -> None:
    from spacy.tokens import DocBin

    from extractor.spacy_facts import blank

    split = Split(1, 0.5, frozenset({"B"}), frozenset({"A"}))
    out = tmp_path / "facts.spacy"
    assert write_docbin([_doc("A"), _doc("B")], split, out, sides=("development",)) == 1
    (doc,) = DocBin().from_disk(out).get_docs(blank().vocab)
    assert doc.user_data["id"] == "A" and doc.user_data["split"] == "development"
    (span,) = doc.spans["facts"]
    assert span.label_ == "posts" and span.kb_id_ == "website" and "120" in span.text
