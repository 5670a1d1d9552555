"""The one way a model is loaded at run time: plain arrays, verified, without running code, with one status shape.

Training keeps its full artefact (`NAME.skops`, scikit-learn objects, for
provenance and for `extractor evaluate`); what extraction applies is a
linear model, so the runtime reads only its arrays: `NAME.npz`, written by
`save_arrays` (a zip of `.npy` files, no pickle), beside `NAME.meta.json`;
a model that is a few numbers (the table-2 prior) is a plain JSON file
(`load_plain`).  Both loaders refuse, with a message saying why, a file that is missing,
whose sha256 is not the one the meta records (`arrays.sha256`: damaged or
tampered), or whose meta the caller rejects (other labels, other features);
numpy reads it with `allow_pickle=False`, so no object in it can run code.
Neither scikit-learn nor skops is imported to extract (a cold start pays
for numpy alone).  Whoever asks gets `(model, Status)` or `(None, Status)`
and runs without the model, as the status says.

`Lazy` loads once per process under a lock (the pipeline's shipped models).
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


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


ARRAYS = ".npz"  # the runtime file of a model: NAME.npz
META = ".meta.json"


def save_arrays(path: Path, arrays: dict[str, Any]) -> str:
    """Write `arrays` as an .npz numpy reads without pickle, byte for byte the same for the same arrays
    (fixed member order and dates: a retrain that changes nothing changes no file); its sha256."""
    import io
    import zipfile

    import numpy as np

    with zipfile.ZipFile(path, "w") as z:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buf.getvalue())
    return sha256_file(path)


def _checked_meta(path: Path, meta_path: Path, what: str, check_meta: Callable[[dict[str, Any]], None] | None,
                  sha256: Callable[[dict[str, Any]], Any] = lambda meta: meta.get("sha256")) -> dict[str, Any]:
    """The meta of a model file that is there, matches the sha256 its meta records (`sha256(meta)`) and
    belongs to this code (else ModelError)."""
    if not path.exists():
        raise ModelError(f"{what} model not found at {path}")
    if not meta_path.exists():
        raise ModelError(f"{what} model meta {meta_path} missing")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if sha256_file(path) != sha256(meta):
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


def load_arrays(directory: Path, name: str, *, what: str, fallback: str,
                check_meta: Callable[[dict[str, Any]], None] | None = None,
                build: Callable[[dict[str, Any], dict[str, Any]], T]) -> tuple[T | None, Status]:
    """Load `directory/name.npz` after every check above; `build(arrays, meta)` makes the model.

    `what` names the model in messages ("tables"), `fallback` says what runs
    without it ("fuzzy matching only"); `check_meta` and `build` raise
    `ModelError` for a meta or arrays that do not belong to this code.
    """
    path, meta_path = directory / f"{name}{ARRAYS}", directory / f"{name}{META}"

    def read() -> tuple[T, dict[str, Any]]:
        meta = _checked_meta(path, meta_path, what, check_meta, lambda m: (m.get("arrays") or {}).get("sha256"))
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            arrays = {key: z[key] for key in z.files}
        return build(arrays, meta), meta

    return _load(path, what, fallback, read)


def load_plain(directory: Path, name: str, *, what: str, fallback: str,
               check_meta: Callable[[dict[str, Any]], None] | None = None,
               build: Callable[[Any, dict[str, Any]], T]) -> tuple[T | None, Status]:
    """Load `directory/name.json`, a model that is only numbers, with the same checks (no code can run)."""
    path, meta_path = directory / f"{name}.json", directory / f"{name}{META}"

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
