"""Shared pytest set-up: ../shared/tools on the import path (the spec's record checker).

What tests share lives in `tests/helpers.py`.
"""
from __future__ import annotations

import sys

from tests.helpers import HAVE_SHARED, SHARED

if HAVE_SHARED:
    sys.path.insert(0, str(SHARED / "tools"))
