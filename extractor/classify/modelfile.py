"""The one way a model artefact is loaded: verified, without running code, with one status shape.

A model file is a skops archive (or, for a model that is only numbers, a
plain JSON file: `load_plain`) beside a `.meta.json`.  `load_verified`
refuses, with a message saying why, a file that is missing, whose sha256 is
not the meta's (damaged or tampered), whose meta the caller rejects (other
labels, other features), that was saved by another scikit-learn or skops
(major.minor), or that asks skops for any type outside the caller's trusted
list (`skops.io.get_untrusted_types` first; `trusted=True` is never used).
Whoever asks gets `(object, Status)` or `(None, Status)` and runs without
the model, as the status says.

`Lazy` loads once per process under a lock (the pipeline's shipped models).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")

# Libraries whose major.minor must match the ones a model was saved with.
PINNED = ("scikit-learn", "skops")


@dataclass(frozen=True)
class Status:
    """Whether a model is in use, and why not when it is not."""

    ok: bool
    message: str
    path: str | None = None
    trained_on: str | None = None  # the sha256 of the annotations it was trained on
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class ModelError(Exception):
    """The model file cannot be used; the message says why (shown in the record's issue)."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def library_versions() -> dict[str, str]:
    """The versions a model saved now records (and a model loaded now is checked against)."""
    import numpy
    import scipy
    import sklearn
    import skops

    import rapidfuzz
    return {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": numpy.__version__,
            "scipy": scipy.__version__, "rapidfuzz": rapidfuzz.__version__}


def _major_minor(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:2])


def _check_libraries(what: str, meta: dict[str, Any]) -> None:
    libs = meta.get("libraries") or {}
    now = library_versions()
    for lib in PINNED:
        if lib not in libs:
            raise ModelError(f"{what} model meta lacks the {lib} version it was saved with")
        if _major_minor(libs[lib]) != _major_minor(now[lib]):
            raise ModelError(f"{what} model was saved with {lib} {libs[lib]}, this is {now[lib]}: "
                             "retrain with `extractor train`")


def _checked_meta(path: Path, meta_path: Path, what: str, check_meta: Callable[[dict[str, Any]], None] | None
                  ) -> dict[str, Any]:
    """The meta of a model file that is there, matches its sha256 and belongs to this code (else ModelError)."""
    if not path.exists():
        raise ModelError(f"{what} model not found at {path}")
    if not meta_path.exists():
        raise ModelError(f"{what} model meta {meta_path} missing")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if sha256_file(path) != meta.get("sha256"):
        raise ModelError(f"{what} model file does not match its meta sha256 (damaged or tampered)")
    if check_meta is not None:
        check_meta(meta)
    return meta


def _load(path: Path, what: str, fallback: str, read: Callable[[], tuple[T, dict[str, Any]]]
          ) -> tuple[T | None, Status]:
    """`read()` with every failure turned into (None, a Status that says why and what runs instead)."""
    where = str(path)
    try:
        model, meta = read()
        return model, Status(True, f"{what} model loaded", where, meta.get("annotations_sha256"), meta)
    except ModelError as e:
        return None, Status(False, f"{e}: {fallback}" if str(e).startswith(what) else f"{e}; {fallback}", where)
    except Exception as e:  # any damage: run without the model, said plainly
        return None, Status(False, f"{what} model could not be loaded ({type(e).__name__}: {str(e)[:160]}): {fallback}", where)


def load_verified(directory: Path, name: str, *, what: str, trusted: frozenset[str], fallback: str,
                  check_meta: Callable[[dict[str, Any]], None] | None = None,
                  build: Callable[[Any, dict[str, Any]], T]) -> tuple[T | None, Status]:
    """Load `directory/name.skops` after every check above; `build(obj, meta)` makes the model.

    `what` names the model in messages ("tables"), `fallback` says what runs
    without it ("fuzzy matching only"); `check_meta` and `build` raise
    `ModelError` for a meta or an object that does not belong to this code.
    """
    path, meta_path = directory / f"{name}.skops", directory / f"{name}.meta.json"

    def read() -> tuple[T, dict[str, Any]]:
        meta = _checked_meta(path, meta_path, what, check_meta)
        _check_libraries(what, meta)
        import skops.io as sio

        untrusted = set(sio.get_untrusted_types(file=str(path)))
        unknown = sorted(untrusted - trusted)
        if unknown:
            raise ModelError(f"{what} model asks for untrusted types {unknown}")
        return build(sio.load(str(path), trusted=sorted(untrusted)), meta), meta

    return _load(path, what, fallback, read)


def load_plain(directory: Path, name: str, *, what: str, fallback: str,
               check_meta: Callable[[dict[str, Any]], None] | None = None,
               build: Callable[[Any, dict[str, Any]], T]) -> tuple[T | None, Status]:
    """Load `directory/name.json`, a model that is only numbers, with the same checks (no code can run)."""
    path, meta_path = directory / f"{name}.json", directory / f"{name}.meta.json"

    def read() -> tuple[T, dict[str, Any]]:
        meta = _checked_meta(path, meta_path, what, check_meta)
        return build(json.loads(path.read_text(encoding="utf-8")), meta), meta

    return _load(path, what, fallback, read)


class Lazy(Generic[T]):
    """`load()` run once on first use (thread-safe)."""

    def __init__(self, load: Callable[[], T]):
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self._done = False

    def get(self) -> T:
        if not self._done:
            with self._lock:
                if not self._done:
                    self._value = self._load()
                    self._done = True
        return self._value  # type: ignore[return-value]

    def reset(self) -> None:
        """Forget the loaded value: the next `get` loads again (after the shipped models are replaced)."""
        with self._lock:
            self._value, self._done = None, False
