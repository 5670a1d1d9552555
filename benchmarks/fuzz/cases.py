"""Case number i of a seeded run: one input file, rebuilt from (seed, i) alone.

A case is a pure function of the seed and its number, so a worker builds
its own input (nothing big crosses a pipe) and the parent rebuilds any case
it wants to keep (`--out`) or a test wants to replay.  The schedule: first
every adversarial input once, then every base report unmutated in every
format (the baseline the "median report" is measured on), then random
mutants, with an adversarial input now and then.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.fuzz import formats
from benchmarks.fuzz.adversarial import ADVERSARIES
from benchmarks.fuzz.mutate import BYTE_MUTATIONS, TEXT_MUTATIONS
from benchmarks.fuzz.sources import bases

# How often each format is drawn for a mutant: a PDF costs ~30x a text to read (and again to check).
FORMAT_WEIGHTS = {"txt": 32, "md": 16, "html": 25, "docx": 14, "pdf": 5}
ADVERSARIAL_RATE = 0.002
BYTE_MUTATION_RATE = 0.2
# A mutant PDF's text is cut to this (about ten pages): a duplicated report made
# 100-page PDFs costing a minute each, and many pages are the 300-page PDF's job.
PDF_MAX_CHARS = 30_000


@dataclass(frozen=True)
class Case:
    index: int
    family: str  # "adversarial", "baseline" or "mutant"
    kind: str  # what was done, e.g. "mutant:html:pt003:digits+glue:gb18030/declared=gb2312"
    suffix: str
    data: bytes

    @property
    def format(self) -> str:
        return formats.FORMAT_OF[self.suffix]

    @property
    def pages(self) -> int:
        """Pages of a PDF (its reading budget grows per page), 1 for anything else."""
        if self.suffix != ".pdf":
            return 1
        return max(1, self.data.count(b"/Type /Page") - self.data.count(b"/Type /Pages"))


def schedule_sizes() -> tuple[int, int]:
    """(adversarial inputs, baseline inputs) that open every run."""
    return len(ADVERSARIES), len(bases()) * len(formats.FORMATS)


def make_case(seed: int, index: int, scale: float = 1.0) -> Case:
    """Case `index` of the run seeded `seed` (`scale` shrinks the adversarial sizes)."""
    rng = random.Random(f"{seed}:{index}")
    n_adv, n_base = schedule_sizes()
    if index < n_adv:
        return _adversarial(rng, index, ADVERSARIES[index].name, scale)
    if index < n_adv + n_base:
        k = index - n_adv
        base, fmt = bases()[k // len(formats.FORMATS)], formats.FORMATS[k % len(formats.FORMATS)]
        data = formats.render(None, fmt, base.text)[0]
        return Case(index, "baseline", f"baseline:{fmt}:{base.name}", formats.SUFFIX[fmt], data)
    if rng.random() < ADVERSARIAL_RATE:
        adv = rng.choice(ADVERSARIES[:-1])  # the 300-page PDF only once per run
        return _adversarial(rng, index, adv.name, scale * rng.uniform(0.2, 1.0))
    return _mutant(rng, index)


def _adversarial(rng: random.Random, index: int, name: str, scale: float) -> Case:
    adv = next(a for a in ADVERSARIES if a.name == name)
    return Case(index, "adversarial", f"adversarial:{name}", adv.suffix, adv.build(rng, scale))


def _mutant(rng: random.Random, index: int) -> Case:
    base = rng.choice(bases())
    fmt = rng.choices(list(FORMAT_WEIGHTS), weights=list(FORMAT_WEIGHTS.values()))[0]
    use_markup = fmt == "html" and base.markup is not None and rng.random() < 0.5
    text = base.markup if use_markup and base.markup is not None else base.text
    names = rng.sample(sorted(TEXT_MUTATIONS), k=rng.choice([1, 1, 2, 2, 3]))
    for name in names:
        text = TEXT_MUTATIONS[name](rng, text)
    if fmt == "pdf":
        text = text[:PDF_MAX_CHARS]
    data, how = formats.render(rng, fmt, text, markup=text if use_markup else None)
    if rng.random() < BYTE_MUTATION_RATE:
        name = rng.choice(sorted(BYTE_MUTATIONS))
        data = BYTE_MUTATIONS[name](rng, data)
        names.append(name)
    kind = f"mutant:{fmt}:{base.name}{':markup' if use_markup else ''}:{'+'.join(names)}:{how}"
    return Case(index, "mutant", kind, formats.SUFFIX[fmt], data)
