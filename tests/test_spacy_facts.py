"""The fact tagger as a spaCy component: found by name, facts in doc.spans["facts"], nlp.pipe."""
from __future__ import annotations

import spacy

from extractor.spacy_facts import SPANS_KEY, blank

TEXT = "本年度召开新闻发布会3场，发布政策解读稿件12篇。联系电话12345。"


def test_add_pipe_by_name_puts_facts_in_doc_spans() -> None:
    nlp = blank()
    nlp.add_pipe("disclosure_facts")
    doc = nlp(TEXT)
    facts = doc.spans[SPANS_KEY]
    assert [(s.label_, s._.value) for s in facts] == [("press_conferences", 3), ("interpretations", 12)]
    assert all(0.0 < s._.score <= 1.0 for s in facts) and list(facts.attrs["scores"]) == [s._.score for s in facts]
    assert "3" in TEXT[facts[0]._.start_char:facts[0]._.end_char] and "3" in facts[0].text


def test_nlp_pipe_tags_every_text() -> None:
    nlp = blank()
    nlp.add_pipe("disclosure_facts")
    docs = list(nlp.pipe([TEXT, "没有数字的句子。", "通过门户网站发布信息86条。"]))
    assert [len(d.spans[SPANS_KEY]) for d in docs] == [2, 0, 1]
    assert docs[2].spans[SPANS_KEY][0]._.channel == "website"


def test_the_component_is_registered_through_the_package_entry_point() -> None:
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="spacy_factories") if e.name == "disclosure_facts"]
    assert ep.value == "extractor.spacy_facts:make_disclosure_facts"
    assert "disclosure_facts" in spacy.registry.factories.get_all() or spacy.util.registry.find("factories", "disclosure_facts")
