"""What a batch reads: files, directories and globs expanded into one sorted list.

Which files a directory walk or a glob picks up is the input registry's
(`registry.batch_suffixes`), read at each call, so a format added there is
read by a batch without touching this module.
"""
from __future__ import annotations

import glob
import hashlib
import os
from typing import Iterable, Iterator

from extractor.input import registry
from extractor.input.load import MAX_BYTES


def _has_magic(s: str) -> bool:
    return any(ch in s for ch in "*?[")


def _walk(directory: str, suffixes: tuple[str, ...]) -> Iterator[str]:
    """Report files under a directory, recursively (symlinked directories are not followed)."""
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in files:
            if name.lower().endswith(suffixes):
                yield os.path.join(root, name)


def collect_inputs(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """(sorted unique input paths, glob patterns that matched nothing).

    An explicit path is always an input, even one that does not exist (its
    record then says `input.not_found`), so nothing the user named is lost.
    """
    suffixes = registry.batch_suffixes()
    found: set[str] = set()
    unmatched: list[str] = []
    for arg in map(str, inputs):
        if os.path.isdir(arg):
            found.update(_walk(arg, suffixes))
        elif os.path.exists(arg) or not _has_magic(arg):
            found.add(arg)
        else:
            hits = glob.glob(arg, recursive=True)
            if not hits:
                unmatched.append(arg)
            for h in hits:
                if os.path.isdir(h):
                    found.update(_walk(h, suffixes))
                elif h.lower().endswith(suffixes):
                    found.add(h)
    return sorted({os.path.normpath(p) for p in found}), unmatched


def file_sha256(path: str) -> str:
    """The sha256 a record of this file carries ("" where the loader records none, as for a file too large)."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return ""
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return ""
