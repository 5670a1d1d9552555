"""A seeded fuzzing harness for `extractor.extract_file` (issue 10).

    .venv/bin/python -m benchmarks.fuzz --n 100000 --seed 1 --workers 2 --out /tmp/fuzz

Mutations of the annotated reports (read from ../shared when present) and
of the bundled samples, in every format, plus adversarial inputs, each read
in a long-lived child process with a hard time limit.  It reports crashes,
hangs, non-conforming records (../shared/tools/check_record.py), records
that ran out of budget (`input.too_slow`), the time per input and the
slowest inputs; `--out` keeps the worst inputs for regression tests.  Case
i of a seed is rebuilt from (seed, i) alone (`cases.make_case`), so any
finding replays without the run.

Rooms: `sources` (what is mutated), `mutate`, `formats`, `adversarial`,
`cases` (the schedule), `worker` and `pool` (running), `summary`.
"""
