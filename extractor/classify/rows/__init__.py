"""The table-row classifier: what a candidate label fragment of a table is.

Exact matching (`tables.anchors.find_rows`) finds a row by a variant of its
label printed intact.  Real reports also print labels truncated, reworded,
misnumbered, split over lines or glued to numbers; for the rows exact
matching misses, anchoring asks the classifier (`RowClassifier.fill_rows`,
`anchoring`), which cuts the gap between the found neighbours into
candidate fragments (`fragments`) and says what each is: one of `label_names()` — a table-2 row
(`table2.<row>`), a table-3 row (`table3.<ROW3>`), a table-4 group
(`table4.<group>`), table-4 header furniture (`table4.header`), table-2/3
header furniture (`header`), a table-3 group label (`group`) or `noise`.
Missing rows are then assigned to fragments in official order (a monotone
matching that maximises the summed log-odds over `ACCEPT`).

Fragments
---------
`segment()` cuts a table region of the normalised text into fragments: runs
of text between value material (digits, placeholders, pipes, tabs, line
breaks; single spaces inside a label are kept), then split at the header
and group furniture of `data/labels.toml` (only matches of 3+ characters, or
the whole run) and before a Chinese ordinal ("(二)", "四、").  Each fragment
knows the printed ordinal just before it ("2" of "2.重复申请") and the value
material around it.  Training (`extractor.train`) and extraction use this
same function, so the classifier sees at run time what it learnt from.

Features (one table: name, what, how)
-------------------------------------
`FEATURES` below is the whole feature set; every entry maps a fragment in
its context to a sparse dict, and a `DictVectorizer` turns the union into
the design matrix.

==========  =============================================================
ngrams      character 1-3-grams of the folded fragment, ordinals stripped
            (binary, scaled by 1/sqrt(count))
shape       length (bucket, log), sentence punctuation, share of Han
position    which table; position in the table region (tenths); index of
            the fragment among the region's fragments (first/last few)
digits      digits and cells in the value material after and before the
            fragment (buckets), digits printed inside it
ordinal     printed Arabic ordinal before it, Chinese ordinal at its start
            ("(二)" / "二、"), as value and as kind
furniture   whether it is a header / group match of labels.toml
neighbours  exact-match label of the previous/next fragment and of the
            nearest previous/next fragment that names a row exactly
fuzzy       rapidfuzz partial_ratio and ratio against every official label
            and variant, per class (max over variants); best class, margin
==========  =============================================================

The estimator is a `LogisticRegression` (lbfgs, seeded, deterministic)
wrapped in `CalibratedClassifierCV` (sigmoid, folds grouped by report), so
`predict_proba` is a calibrated probability.  It is stored with skops only
(never pickle/joblib): `models/tables.skops` holds a dict
{"vectorizer": DictVectorizer, "classifier": CalibratedClassifierCV};
`models/tables.meta.json` its sha256, the label list, the feature version,
library versions, the sha256 of the annotations and the metrics.

Loading (`model.load`) goes through the one verified loader
(`classify.modelfile`): a file it refuses leaves extraction fuzzy-only, and
the pipeline adds the issue `model.tables_unavailable` to the record.

What an anchor's confidence is, and how it caps a cell's, is the
confidence module's (`extractor.confidence.anchor`): the calibrated
probability of the row's label for a classifier anchor.  A classifier
anchor is accepted at p >= `anchoring.ACCEPT` (0.5: the label is more
likely than all others together).
"""
