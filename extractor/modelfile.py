"""What the two shipped models have in common: where they live, and loading once.

`model` (table rows) and `facts_model` (narrative) each load a skops file
lazily, once per process, under a lock, and can be reloaded after training;
this module holds that mechanism so both use the same one.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


def models_dir() -> Path:
    """Where the shipped models live: $EXTRACTOR_MODELS, else the repo's models/."""
    env = os.environ.get("EXTRACTOR_MODELS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "models"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Lazy(Generic[T]):
    """`load(directory)` run once on first use (thread-safe); `reload` runs it again."""

    def __init__(self, load: Callable[[Path | None], tuple[T | None, dict[str, Any]]]):
        self._load = load
        self._lock = threading.Lock()
        self._value: tuple[T | None, dict[str, Any]] | None = None

    def get(self) -> tuple[T | None, dict[str, Any]]:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._load(None)
        return self._value

    def reload(self, directory: Path | None = None) -> tuple[T | None, dict[str, Any]]:
        with self._lock:
            self._value = self._load(directory)
        return self._value
