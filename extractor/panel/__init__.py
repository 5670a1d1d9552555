"""The panel: one row per report, the table researchers compare years and bodies with (INDICATORS.md).

`columns` (what each column is, from data: the dictionary), `rows` (records
to rows; the indicators come from `extractor.indicators` alone) and `write`
(.csv/.parquet/.xlsx by suffix, typed).  `extractor panel` only calls them.
"""
from extractor.panel.columns import Column, cell_column, columns, dictionary_rows
from extractor.panel.rows import panel_rows, read_records, row_of
from extractor.panel.write import arrow_table, panel_kind, write_dictionary, write_panel

__all__ = ["Column", "cell_column", "columns", "dictionary_rows", "panel_rows", "read_records", "row_of",
           "arrow_table", "panel_kind", "write_dictionary", "write_panel"]
