"""Where the project's files are: the shipped models, the annotations, the bundled samples.

Each is an environment variable when set ($EXTRACTOR_MODELS,
$EXTRACTOR_ANNOTATIONS, $EXTRACTOR_SAMPLES), else the folder of that name in
the source checkout the package sits in, else in the current directory (an
installed wheel has no checkout: point the variables at the files).
"""
from __future__ import annotations

import os
from pathlib import Path

_ENV = {"models": "EXTRACTOR_MODELS", "annotations": "EXTRACTOR_ANNOTATIONS", "samples": "EXTRACTOR_SAMPLES"}


def checkout() -> Path | None:
    """The source checkout this package was imported from, if it was (an editable install, a clone)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def project_dir(name: str) -> Path:
    """The folder `name` ("models", "annotations", "samples") as configured (see the module docstring)."""
    env = os.environ.get(_ENV[name])
    if env:
        return Path(env)
    root = checkout()
    return (root if root is not None else Path.cwd()) / name


def models_dir() -> Path:
    return project_dir("models")


def annotations_dir() -> Path:
    return project_dir("annotations")


def samples_dir() -> Path:
    return project_dir("samples")
