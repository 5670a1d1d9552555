"""The review notebook's controls: one report under review, and the ipywidgets that decide on it.

The callbacks are plain methods over the tested decision functions, so
the notebook only lays the widgets out and every click is testable without
a browser: `ReviewSession` holds the record as decided so far, its text and
where Save writes; `Editor` is the controls (accept / correct a cell or a
fact, take a reading, save), laid out so each decision is one click.
"""
from __future__ import annotations

import copy
import html
import os
from pathlib import Path
from typing import Any, Callable

from extractor.confidence import ABSENT
from extractor.input.load import load
from extractor.review.annotate import check_annotations, save_annotation, to_annotation
from extractor.review.decisions import accept_cell, accept_fact, apply_correction, correct_fact, reject_fact
from extractor.review.frames import flagged_cells, low_cells, low_facts, record_cells, resolve_source, review_log
from extractor.review.html import candidates_html, legend_html, review_view_html, tables_html
from extractor.review.marks import shown
from extractor.spec.metrics import OTHER, metric_ids


class ReviewSession:
    """One report under review in a notebook: the current record, its text, and the save target.

    Kept here (not in the notebook) so the widget callbacks are plain,
    tested functions; the notebook only lays the widgets out.
    """

    def __init__(self, record: dict[str, Any], annotation_dir: str | os.PathLike,
                 text_path: str | os.PathLike | None = None) -> None:
        self.original = record
        self.record = copy.deepcopy(record)
        self.text_path = Path(text_path) if text_path else resolve_source(record)
        self.text = _load_text(self.text_path)
        self.annotation_dir = Path(annotation_dir)
        self.saved: Path | None = None

    def correct(self, name: str, value: Any) -> None:
        t, r, c = name.split(".")
        self.record = apply_correction(self.record, t, r, c, value)

    def accept(self, name: str) -> None:
        t, r, c = name.split(".")
        self.record = accept_cell(self.record, t, r, c)

    def fact(self, index: int, action: str, **changes: Any) -> None:
        if action == "accept":
            self.record = accept_fact(self.record, index)
        elif action == "reject":
            self.record = reject_fact(self.record, index)
        elif action == "correct":
            self.record = correct_fact(self.record, index, **changes)
        else:
            raise ValueError(f"unknown action {action!r}")

    def save(self) -> Path:
        self.saved = save_annotation(to_annotation(self.record, self.text_path), self.annotation_dir)
        return self.saved

    def cells_to_review(self) -> list[str]:
        """Low-confidence and flagged cells first (what the cell picker offers), then every other read cell."""
        flags = flagged_cells(self.record)
        first = list(dict.fromkeys(low_cells(self.record) + [n for n in flags if n not in review_log(self.record)["cells"]]))
        rest = [f"{t}.{r}.{c}" for t, r, c, cell in record_cells(self.record) if f"{t}.{r}.{c}" not in first]
        return first + rest

    def view_html(self) -> str:
        return review_view_html(self.record, self.text)


def _load_text(path: Path) -> str:
    return load(path).text


class Editor:
    """ipywidgets to accept or correct a cell or a fact, and to save the annotation.

    Clicks per decision (the cell picker lists doubtful and flagged cells
    first and pre-selects the first, its value pre-filled; after each
    decision it moves on to the next cell still in doubt):
    - take another reading of an ambiguous cell: 1 click (its reading button);
    - accept the pre-selected cell: 1 click; type a value: click the box,
      type, 1 click on "Correct cell";
    - any other cell: 2 more clicks (open the picker, choose);
    - a fact: the first doubtful one is pre-selected and the picker moves
      on after each decision, so "Accept fact" / "Not a fact" is 1 click;
      a correction is: pick the metric / type the value, "Correct fact";
    - "Save annotation": 1 click, `check-data`'s verdict shown beside it.
    The tables re-render under the controls after every decision.
    """

    def __init__(self, session: ReviewSession) -> None:
        import ipywidgets as widgets

        self.session = session
        self.view = widgets.Output()
        self.status = widgets.HTML()
        self.cell_pick = widgets.Dropdown(options=session.cells_to_review(), description="cell",
                                          layout=widgets.Layout(width="420px"))
        self.cell_value = widgets.Text(description="value", layout=widgets.Layout(width="200px"))
        self.accept_cell = widgets.Button(description="Accept cell", button_style="success")
        self.correct_cell = widgets.Button(description="Correct cell", button_style="warning")
        self.readings = widgets.HBox()
        facts = session.record.get("facts") or []
        self.fact_pick = widgets.Dropdown(
            options=[(f"{i}: {f.get('text')} → {f.get('metric')} {shown(f.get('value'))} ({f.get('confidence', ABSENT):.2f})", i)
                     for i, f in enumerate(facts)], description="fact", layout=widgets.Layout(width="520px"))
        self.fact_metric = widgets.Dropdown(options=sorted(metric_ids()), description="metric")
        self.fact_value = widgets.Text(description="value", layout=widgets.Layout(width="200px"))
        self.accept_fact = widgets.Button(description="Accept fact", button_style="success")
        self.reject_fact = widgets.Button(description="Not a fact", button_style="danger")
        self.correct_fact = widgets.Button(description="Correct fact", button_style="warning")
        self.save = widgets.Button(description="Save annotation", button_style="primary")

        self.cell_pick.observe(lambda _: self._show_cell(), names="value")
        self.fact_pick.observe(lambda _: self._show_fact(), names="value")
        self.accept_cell.on_click(lambda _: self._do(lambda: session.accept(self.cell_pick.value), "accepted {}"))
        self.correct_cell.on_click(lambda _: self._do(lambda: session.correct(self.cell_pick.value, self.cell_value.value),
                                                      "corrected {}"))
        self.accept_fact.on_click(lambda _: self._do_fact(lambda: session.fact(self.fact_pick.value, "accept"), "accepted"))
        self.reject_fact.on_click(lambda _: self._do_fact(lambda: session.fact(self.fact_pick.value, "reject"), "rejected"))
        self.correct_fact.on_click(lambda _: self._do_fact(
            lambda: session.fact(self.fact_pick.value, "correct", metric=self.fact_metric.value, value=self.fact_value.value),
            "corrected"))
        self.save.on_click(lambda _: self._save())
        self._show_cell()
        todo = low_facts(session.record)
        if todo:  # start on the first doubtful fact
            self.fact_pick.value = todo[0]
        self._show_fact()
        self._redraw()
        self.widget = widgets.VBox([
            widgets.HBox([self.cell_pick, self.cell_value, self.accept_cell, self.correct_cell]),
            self.readings,
            widgets.HBox([self.fact_pick, self.fact_metric, self.fact_value]),
            widgets.HBox([self.accept_fact, self.reject_fact, self.correct_fact, self.save]),
            self.status, self.view])

    def _ipython_display_(self) -> None:  # so a notebook cell ending in Editor(...) shows the controls
        from IPython.display import display

        display(self.widget)

    def _cell(self) -> dict[str, Any] | None:
        if not self.cell_pick.value:
            return None
        t, r, c = self.cell_pick.value.split(".")
        return self.session.record["tables"][t][r][c]

    def _show_cell(self) -> None:
        import ipywidgets as widgets

        cell = self._cell()
        self.cell_value.value = "" if not cell or cell.get("value") is None else shown(cell["value"])
        buttons = []
        for cand in (cell or {}).get("candidates") or []:
            b = widgets.Button(description=f"use {shown(cand.get('value'))}", layout=widgets.Layout(width="auto"))
            b.on_click(lambda _, v=cand.get("value"): self._do(
                lambda: self.session.correct(self.cell_pick.value, v), "took a reading for {}"))
            buttons.append(b)
        self.readings.children = ([widgets.HTML("readings:")] + buttons) if buttons else []

    def _show_fact(self) -> None:
        if self.fact_pick.value is None:
            return
        f = self.session.record["facts"][self.fact_pick.value]
        self.fact_metric.value = f.get("metric") if f.get("metric") in metric_ids() else OTHER
        self.fact_value.value = shown(f.get("value"))

    def _do(self, action: Callable[[], None], message: str) -> None:
        try:
            action()
        except (ValueError, IndexError, KeyError) as e:
            self.status.value = f"<span style='color:#c00'>{html.escape(str(e))}</span>"
            return
        done = self.cell_pick.value
        self._redraw()
        self._advance()
        self.status.value = html.escape(message.format(done))

    def _do_fact(self, action: Callable[[], None], verb: str) -> None:
        """A fact decision, then on to the next fact still in doubt."""
        i = self.fact_pick.value
        try:
            action()
        except (ValueError, IndexError, KeyError) as e:
            self.status.value = f"<span style='color:#c00'>{html.escape(str(e))}</span>"
            return
        todo = [k for k in low_facts(self.session.record) if k != i]
        if todo:
            self.fact_pick.value = next((k for k in todo if k > i), todo[0])
        self._show_fact()
        self.status.value = html.escape(f"fact {i} {verb}; {len(todo)} doubtful facts left")

    def _advance(self) -> None:
        """After a decision, pre-select the next cell still in doubt (so the next decision is one click)."""
        current = self.cell_pick.value
        options = self.session.cells_to_review()
        todo = set(low_cells(self.session.record)) | {
            n for n in flagged_cells(self.session.record) if n not in review_log(self.session.record)["cells"]}
        nxt = options[0] if options and options[0] in todo else current
        with self.cell_pick.hold_trait_notifications():
            self.cell_pick.options = options
            self.cell_pick.value = nxt
        self._show_cell()

    def _redraw(self) -> None:
        from IPython.display import HTML, display

        self.view.clear_output(wait=True)
        with self.view:  # the tables (where a decision shows); the full view is the notebook's cell above
            display(HTML(legend_html() + tables_html(self.session.record)
                         + candidates_html(self.session.record, self.session.text)))

    def _save(self) -> None:
        p = self.session.save()
        verdict = check_annotations(self.session.annotation_dir)
        self.status.value = html.escape(
            f"saved {p}; check-data: {'ok' if verdict['ok'] else '; '.join(verdict['errors'][:3])}")


def editor(session: ReviewSession) -> Editor:
    """The review controls for a session (see `Editor`)."""
    return Editor(session)
