"""The trained part of the fact tagger: a classifier over candidate windows.

The rules of `metrics.toml` propose a label for every candidate number; this
model (DictVectorizer + multinomial logistic regression) decides every
candidate from the rules' evidence and the words around it, overruling the
rules' label only when sure (`model.Decision`), and its calibrated
probability is the fact's confidence.  It is trained from the annotations
by `extractor.training.facts` (what `extractor train` calls), measured by
grouped cross-validation on the development documents and on the held-out
test documents (`annotations/split.json`), and stored with skops, never
pickle, beside a meta file with the hash of the annotations it was trained
on, its labels, its decision thresholds and calibration, library versions
and metrics.

Loading is defensive: the file's hash must match the meta, and skops must
report no type outside the explicit trusted list below.  Anything else
(missing, damaged, tampered) leaves the tagger on rules alone, which
the status says and the confidences show (all below the review threshold).
"""
