"""The `extractor` command.  Each subcommand is a thin wrapper over a library call."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read government-information-disclosure annual reports into checked data.")


@app.callback()
def _group() -> None:
    """Read government-information-disclosure annual reports into checked data."""


@app.command()
def extract(
    file: Path = typer.Argument(..., help="A report: .txt, .md, .html, .docx or .pdf"),
    pretty: bool = typer.Option(False, "--pretty", help="Indent the JSON"),
) -> None:
    """Print one report's record as JSON on stdout."""
    from extractor.pipeline import extract_file

    if not file.exists():
        typer.echo(f"extractor: no such file: {file}", err=True)
        raise typer.Exit(2)
    rec = extract_file(file).to_dict()
    sys.stdout.write(json.dumps(rec, ensure_ascii=False, indent=2 if pretty else None) + "\n")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
