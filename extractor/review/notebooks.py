"""The notebooks run headless: executed from a fresh kernel with parameters injected, for the tests.

A notebook is only known to work if it runs top to bottom from a fresh
kernel on a clean checkout; papermill's convention (a cell tagged
"injected-parameters" after the tagged "parameters" cell) is all the tests
need of papermill, so it is done here with nbclient alone.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbformat import NotebookNode


def execute_notebook(path: str | os.PathLike, parameters: dict[str, Any] | None = None, *,
                     cwd: str | os.PathLike | None = None, timeout: int = 600, kernel_name: str = "python3",
                     out_path: str | os.PathLike | None = None) -> NotebookNode:
    """Execute a notebook from a fresh kernel with `parameters` injected after its "parameters" cell.

    Papermill's convention without papermill: a cell tagged
    "injected-parameters" follows the tagged cell and overrides its values.
    Paths are passed as strings.  Returns the executed notebook (and writes
    it to `out_path` when given); raises nbclient's CellExecutionError when a
    cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    if parameters:
        src = "# Injected parameters\n" + "\n".join(f"{k} = {_literal(v)}" for k, v in parameters.items())
        cell = nbformat.v4.new_code_cell(src, metadata={"tags": ["injected-parameters"]})
        at = next((i for i, c in enumerate(nb.cells) if "parameters" in (c.metadata.get("tags") or [])), -1)
        nb.cells.insert(at + 1, cell)
    where = Path(cwd) if cwd else Path(path).resolve().parent
    where.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=True,
                            resources={"metadata": {"path": str(where)}})
    client.execute()
    if out_path:
        nbformat.write(nb, str(out_path))
    return nb


def _literal(v: Any) -> str:
    """A parameter as Python source (a path as its string, so the notebook needs no import for it)."""
    if isinstance(v, Path):
        return repr(str(v))
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_literal(x) for x in v) + "]"
    return repr(v)
