"""jieba's word frequencies (its dictionary plus ours) from a cache that opens in a tenth of the time.

jieba keeps its prefix dictionary (~500,000 words and prefixes) as one
marshalled dict; loading it took about a second of every cold start, which
is most of `extractor extract ONE_FILE` (issue 14).  The facts features cut
only short windows, so a sorted word list searched by bisection answers the
same questions (is it a word or a prefix, how frequent) without building the
dict; `tokens.cut` cuts with it as jieba cuts, without importing jieba.

The cache is derived on this machine from what is installed (jieba's own
`dict.txt` read by jieba's own code, then `spec/data/userdict.txt` added by
`load_userdict`), never downloaded; its file name carries a digest of both
dictionaries and of jieba's code, so a changed one makes a new cache.  It
is a plain array file (`numpy.load` without pickle).  Where no cache
directory is writable the lexicon is built in memory each time (slow, same
words).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from bisect import bisect_left
from importlib import resources
from pathlib import Path

import numpy as np

FORMAT = 1  # bump when the cache file's layout changes
log = logging.getLogger(__name__)


class Lexicon:
    """A read-only word -> frequency map over sorted words (prefixes carry 0, as in jieba's)."""

    __slots__ = ("_words", "_freq")

    def __init__(self, words: list[str], freq: list[int]) -> None:
        self._words, self._freq = words, freq

    def _index(self, word: str) -> int:
        i = bisect_left(self._words, word)
        return i if i < len(self._words) and self._words[i] == word else -1

    def get(self, word: str, default: int | None = None) -> int | None:
        i = self._index(word)
        return default if i < 0 else self._freq[i]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._index(word) >= 0

    def __getitem__(self, word: str) -> int:
        i = self._index(word)
        if i < 0:
            raise KeyError(word)
        return self._freq[i]

    def __len__(self) -> int:
        return len(self._words)


def userdict_path() -> Path:
    return Path(str(resources.files("extractor.spec").joinpath("data", "userdict.txt")))


def cache_dir() -> Path:
    """`$EXTRACTOR_CACHE`, else `$XDG_CACHE_HOME/extractor`, else `~/.cache/extractor`."""
    if os.environ.get("EXTRACTOR_CACHE"):
        return Path(os.environ["EXTRACTOR_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "extractor"


def _jieba_dir() -> Path:
    """Where jieba is installed, found without importing it (its import costs a quarter second)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jieba")
    return Path(spec.submodule_search_locations[0])


def _source_digest() -> str:
    """What the lexicon is derived from: jieba's code and dictionary, and ours."""
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    for p in (_jieba_dir() / "__init__.py", _jieba_dir() / "dict.txt", userdict_path()):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build() -> tuple[list[str], list[int], int]:
    """(sorted words, their frequencies, total) exactly as jieba's own tokenizer holds them."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.load_userdict(str(userdict_path()))
    words = sorted(tk.FREQ)
    return words, [tk.FREQ[w] for w in words], tk.total


def _write(path: Path, words: list[str], freq: list[int], total: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
                     freq=np.asarray(freq, dtype=np.int64), total=np.int64(total))
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(tmp, path)  # atomic: workers starting together each write whole files
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read(path: Path) -> tuple[Lexicon, int] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            words = z["words"].tobytes().decode("utf-8").split("\n")
            freq, total = z["freq"].tolist(), int(z["total"])
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return None
    if len(words) != len(freq):
        return None
    return Lexicon(words, freq), total


def load() -> tuple[Lexicon, int]:
    """(lexicon, total): from the cache, building it on first use."""
    path = cache_dir() / f"jieba-{_source_digest()}.npz"
    got = _read(path) if path.exists() else None
    if got is not None:
        return got
    words, freq, total = build()
    try:
        _write(path, words, freq, total)
    except OSError as e:
        log.info("jieba lexicon not cached (%s): built in memory", e)
    return Lexicon(words, freq), total
